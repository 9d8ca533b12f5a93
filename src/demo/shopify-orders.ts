// Demo Shopify export: a wholesale shop's "Export orders" CSV (preset `shopify_orders`).

import { DAY_MS, startOfDay } from './calendar.js';
import { csvLines, euros, utcStamp } from './formats.js';
import { CITIES, personName } from './names-and-places.js';
import { exponential, pickWeighted, type Random, runningTotals, standardNormal, weightedPicker } from './random.js';

const SHOPIFY_ORDER_COLUMNS = [
  'Name', 'Email', 'Financial Status', 'Paid at', 'Fulfillment Status', 'Fulfilled at', 'Accepts Marketing',
  'Currency', 'Subtotal', 'Shipping', 'Taxes', 'Total', 'Discount Code', 'Discount Amount', 'Shipping Method',
  'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem compare at price',
  'Lineitem sku', 'Lineitem requires shipping', 'Lineitem taxable', 'Lineitem fulfillment status',
  'Billing Name', 'Billing City', 'Billing Zip', 'Billing Country', 'Shipping Name', 'Shipping City',
  'Shipping Zip', 'Shipping Country', 'Notes', 'Cancelled at', 'Payment Method', 'Refunded Amount', 'Vendor',
  'Id', 'Tags', 'Source',
] as const;
type ShopifyColumn = (typeof SHOPIFY_ORDER_COLUMNS)[number];
/** Columns of a line item, filled on every row of an order; all others only on its first row. */
const SHOPIFY_LINE_COLUMNS = new Set<ShopifyColumn>([
  'Name', 'Email', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem compare at price',
  'Lineitem sku', 'Lineitem requires shipping', 'Lineitem taxable', 'Lineitem fulfillment status', 'Vendor',
]);

const WHOLESALE_PRODUCTS = [
  { name: 'Espresso Beans, 1 kg', sku: 'ESP-1000', cents: 2450, compareAtCents: 2790, vendor: 'Rösterei Nord' },
  { name: 'Filter Coffee, 500 g', sku: 'FIL-0500', cents: 1190, vendor: 'Rösterei Nord' },
  { name: 'Decaf Beans, 1 kg', sku: 'DEC-1000', cents: 2690, vendor: 'Rösterei Nord' },
  { name: 'Cold Brew Concentrate 6 x 1 l', sku: 'CBC-0606', cents: 3900, vendor: 'Rösterei Nord' },
  { name: 'Oat Drink Barista, 12-pack', sku: 'OAT-1212', cents: 2280, vendor: 'Haferwerk' },
  { name: 'Paper Cups 8 oz (1000)', sku: 'CUP-0800', cents: 5400, vendor: 'PackPro' },
  { name: 'Lids for 8 oz Cups (1000)', sku: 'LID-0800', cents: 2100, vendor: 'PackPro' },
  { name: 'Ceramic Mug "Classic", white', sku: 'MUG-CLW', cents: 690, compareAtCents: 890, vendor: 'Keramik Hof' },
  { name: 'Chai Syrup 750 ml', sku: 'SYR-CHAI', cents: 890, vendor: 'Sirup & Co' },
  { name: 'Vanilla Syrup 750 ml', sku: 'SYR-VAN', cents: 850, vendor: 'Sirup & Co' },
  { name: 'Grinder Burr Set', sku: 'GRD-BURR', cents: 7900, vendor: 'MahlTech' },
  { name: 'Descaler, 6 x 250 ml', sku: 'DSC-0250', cents: 3150, vendor: 'CleanBrew' },
  { name: 'Tea Sampler, 24 Bags', sku: 'TEA-0024', cents: 1290, vendor: 'Teehaus' },
] as const;
const pickQuantity = weightedPicker([
  [1, 0.2],
  [2, 0.18],
  [3, 0.1],
  [4, 0.1],
  [6, 0.14],
  [10, 0.1],
  [12, 0.1],
  [24, 0.08],
]);
type FinancialStatus = 'paid' | 'partially_refunded' | 'refunded' | 'voided';
const pickFinancialStatus = weightedPicker<FinancialStatus>([
  ['paid', 0.9],
  ['partially_refunded', 0.04],
  ['refunded', 0.03],
  ['voided', 0.03],
]);
const pickShippingMethod = weightedPicker([
  ['Standard', 0.6],
  ['DHL Express, next day', 0.25],
  ['Pickup, Warehouse Berlin', 0.15],
]);
const SHOPIFY_NOTES = [
  'Deliver to the back door, ring twice',
  'Please call before delivery, ask for "Lager"',
  'Invoice to head office',
  'Same as last order',
] as const;
const SHOPIFY_BUYERS = 300;
const SHOPIFY_ORDERS = 1500;

/** Local time of a shop in Berlin with its UTC offset, as Shopify writes it: `2025-03-04 10:15:32 +0100`. */
function berlinTime(time: number): string {
  const year = new Date(time).getUTCFullYear();
  const lastSunday = (month: number): number => {
    const lastDay = Date.UTC(year, month + 1, 0);
    return lastDay - new Date(lastDay).getUTCDay() * DAY_MS;
  };
  const summer = time >= lastSunday(2) + 3_600_000 && time < lastSunday(9) + 3_600_000;
  const offset = summer ? 2 : 1;
  return `${utcStamp(time + offset * 3_600_000)} +0${offset}00`;
}

/**
 * 1,500 orders of 300 wholesale buyers over the last two years, as Shopify exports them:
 * one row per line item, newest order first; the order's fields on its first row only.
 */
export function shopifyOrdersCsv(
  endDay: number,
  random: Random,
): { readonly text: string; readonly rows: number; readonly orders: number } {
  const endTime = endDay + DAY_MS - 1000;
  const windowStart = endDay - 730 * DAY_MS;
  const buyers = Array.from({ length: SHOPIFY_BUYERS }, (_, index) => {
    const { first, last } = personName(random);
    const city = CITIES[Math.floor(random() * CITIES.length)]!;
    const payment = random();
    return {
      email: `buyer${index + 1}@example.com`,
      name: `${first} ${last}`,
      shippingName: random() < 0.2 ? `Café ${last}, Filiale ${city[0]}` : `${first} ${last}`,
      city,
      acceptsMarketing: random() < 0.6 ? 'yes' : 'no',
      paymentMethod: payment < 0.6 ? 'Shopify Payments' : payment < 0.75 ? 'PayPal Express Checkout' : 'Bank Deposit',
      joined: random() < 0.4 ? windowStart : windowStart + random() * (endTime - windowStart),
    };
  });
  const buyerCumulative = runningTotals(buyers.map(() => Math.exp(0.9 * standardNormal(random))));
  const orders = Array.from({ length: SHOPIFY_ORDERS }, () => {
    const day = startOfDay(windowStart + random() * (endTime - windowStart));
    const at = Math.min(endTime, day + (6 + Math.floor(random() * 12)) * 3_600_000 + Math.floor(random() * 3600) * 1000);
    let buyer = buyers[pickWeighted(buyerCumulative, random)]!;
    while (buyer.joined > at) buyer = buyers[pickWeighted(buyerCumulative, random)]!; // a buyer who had joined by then
    return { buyer, at };
  }).sort((a, b) => a.at - b.at);

  let shopifyId = 5_480_000_000_000 + Math.floor(random() * 1_000_000);
  const rowsByOrder: string[][][] = orders.map(({ buyer, at }, index) => {
    const products = [...WHOLESALE_PRODUCTS];
    const lineCount = 1 + Math.min(6, Math.floor(exponential(random, 1.3)));
    const lines = Array.from({ length: lineCount }, () => {
      const product = products.splice(Math.floor(random() * products.length), 1)[0]!;
      return { product, quantity: pickQuantity(random) };
    });
    const subtotal = lines.reduce((sum, line) => sum + line.quantity * line.product.cents, 0);
    const shipping = subtotal >= 25_000 ? 0 : buyer.city[2] === 'DE' ? 990 : 1490;
    const taxes = Math.round((subtotal + shipping) * 0.19);
    const status = pickFinancialStatus(random);
    const partialRefund = (): number => Math.max(1, Math.round(subtotal * (0.1 + 0.5 * random())));
    const refunded = status === 'refunded' ? subtotal : status === 'partially_refunded' ? partialRefund() : 0;
    // Paid by card at once; a bank transfer takes days.
    const paymentDelay =
      buyer.paymentMethod === 'Bank Deposit' ? (3 + random() * 17) * DAY_MS : (1 + random() * 20) * 60_000;
    const paidAt = status === 'voided' ? null : Math.min(endTime, at + paymentDelay);
    const shippedAt = at + (1 + random() * 2) * DAY_MS;
    const fulfilled = status !== 'voided' && !(status === 'refunded' && random() < 0.5) && shippedAt <= endTime;
    const cancelledAt =
      status === 'voided' || (status === 'refunded' && !fulfilled)
        ? Math.min(endTime, (paidAt ?? at) + (1 + random() * 47) * 3_600_000)
        : null;
    shopifyId += 1_000 + Math.floor(random() * 400_000);

    const order: Record<ShopifyColumn, string> = {
      Name: `#${1001 + index}`,
      Email: buyer.email,
      'Financial Status': status,
      'Paid at': paidAt === null ? '' : berlinTime(paidAt),
      'Fulfillment Status': fulfilled ? 'fulfilled' : 'unfulfilled',
      'Fulfilled at': fulfilled ? berlinTime(shippedAt) : '',
      'Accepts Marketing': buyer.acceptsMarketing,
      Currency: 'EUR',
      Subtotal: euros(subtotal),
      Shipping: euros(shipping),
      Taxes: euros(taxes),
      Total: euros(subtotal + shipping + taxes),
      'Discount Code': '',
      'Discount Amount': '0.00',
      'Shipping Method': pickShippingMethod(random),
      'Created at': berlinTime(at),
      'Lineitem quantity': '',
      'Lineitem name': '',
      'Lineitem price': '',
      'Lineitem compare at price': '',
      'Lineitem sku': '',
      'Lineitem requires shipping': 'true',
      'Lineitem taxable': 'true',
      'Lineitem fulfillment status': fulfilled ? 'fulfilled' : 'pending',
      'Billing Name': buyer.name,
      'Billing City': buyer.city[0],
      'Billing Zip': buyer.city[1],
      'Billing Country': buyer.city[2],
      'Shipping Name': buyer.shippingName,
      'Shipping City': buyer.city[0],
      'Shipping Zip': buyer.city[1],
      'Shipping Country': buyer.city[2],
      Notes: random() < 0.08 ? SHOPIFY_NOTES[Math.floor(random() * SHOPIFY_NOTES.length)]! : '',
      'Cancelled at': cancelledAt === null ? '' : berlinTime(cancelledAt),
      'Payment Method': buyer.paymentMethod,
      'Refunded Amount': euros(refunded),
      Vendor: '',
      Id: String(shopifyId),
      Tags: buyer.paymentMethod === 'Bank Deposit' ? 'wholesale, net30' : 'wholesale',
      Source: random() < 0.15 ? 'shopify_draft_order' : 'web',
    };
    return lines.map(({ product, quantity }, lineIndex) => {
      const row: Record<ShopifyColumn, string> = {
        ...order,
        'Lineitem quantity': String(quantity),
        'Lineitem name': product.name,
        'Lineitem price': euros(product.cents),
        'Lineitem compare at price': 'compareAtCents' in product ? euros(product.compareAtCents) : '',
        'Lineitem sku': product.sku,
        Vendor: product.vendor,
      };
      return SHOPIFY_ORDER_COLUMNS.map((column) => (lineIndex === 0 || SHOPIFY_LINE_COLUMNS.has(column) ? row[column] : ''));
    });
  });
  const rows = rowsByOrder.reverse().flat();
  return { text: csvLines(SHOPIFY_ORDER_COLUMNS, rows), rows: rows.length, orders: orders.length };
}
