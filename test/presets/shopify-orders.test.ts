import { describe, expect, it } from 'vitest';
import { readParquet, run, tempLake } from '../helpers/temp-lake.js';
import { ingestVendorFiles, vendorFile } from './vendor-lake.js';

const ORDER_COLUMNS = ['order_id', 'customer_id', 'ordered_at', 'amount', 'refunded_amount', 'currency', 'status'];

describe('shopify_orders preset', () => {
  it('maps the current layout: refunds net of shipping and tax, uncaptured money as no revenue, POS orders by phone', async () => {
    // Act
    const lake = await ingestVendorFiles({ 'inbox/shopify_orders/orders_export_1.csv': vendorFile('shopify-orders-current.csv') });

    // Assess: 11 line-item rows, 10 orders; #2010 has neither e-mail nor phone.
    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 10, rows_loaded: 9, rows_rejected: 1 }]);
    expect(await lake.staged('orders', ORDER_COLUMNS)).toEqual([
      // two line items, one order; e-mail lowercased; 09:58:12 at −04:00 is 13:58:12 UTC
      row('#2001', 'ann@example.com', '2024-05-01 13:58:12', '100.00', '0.00', 'completed'),
      // 105.00 refunded of a 119.00 Total (100.00 Subtotal + 5.00 shipping + 14.00 tax):
      // 105.00 × 100.00 / 119.00 = 88.235… → 88.24 of the order value; the row loads
      row('#2002', 'bob@example.com', '2024-05-02 14:00:00', '100.00', '88.24', 'completed'),
      // Financial Status refunded (59.50 = the whole Total): refunded, its whole amount
      row('#2003', 'cid@example.com', '2024-05-03 15:00:00', '50.00', '50.00', 'refunded'),
      // pending, authorized, expired, voided: money not captured is no revenue
      row('#2004', 'dee@example.com', '2024-05-04 16:00:00', '80.00', '0.00', 'cancelled'),
      row('#2005', 'eve@example.com', '2024-05-05 16:00:00', '60.00', '0.00', 'cancelled'),
      row('#2006', 'fay@example.com', '2024-05-06 16:00:00', '45.00', '0.00', 'cancelled'),
      row('#2007', 'gus@example.com', '2024-05-07 16:00:00', '30.00', '0.00', 'cancelled'),
      // partially_paid: 119.00 of 238.00 outstanding, so the captured share of the Subtotal: 200.00 × 119.00 / 238.00 = 100.00
      row('#2008', 'hal@example.com', '2024-05-08 16:00:00', '100.00', '0.00', 'completed'),
      // POS order without e-mail: the order's Phone "+1 (555) 010-0199", digits and + kept
      row('#2009', 'phone:+15550100199', '2024-05-09 19:30:00', '25.00', '0.00', 'completed'),
    ]);
    const [rejected] = await lake.rejects('orders', 'order_id');
    expect(rejected!.key).toBe('#2010');
    expect(rejected!.reason).toContain('guest checkout without e-mail');
  });

  it('loads a later export in which an order was refunded (in full, or beyond its Subtotal) after an export that had it paid', async () => {
    // Act: the earlier export has #2002 and #2003 paid; the later one has them refunded.
    const lake = await ingestVendorFiles({
      'inbox/shopify_orders/earlier.csv': vendorFile('shopify-orders-earlier.csv'),
      'inbox/shopify_orders/later.csv': vendorFile('shopify-orders-current.csv'),
    });

    // Assess: no row of either export is refused by the mapping (only #2010, the guest checkout)
    expect(lake.reports.map((r) => [r.key, r.rows_loaded, r.rows_rejected])).toEqual([
      ['inbox/shopify_orders/earlier.csv', 2, 0],
      ['inbox/shopify_orders/later.csv', 9, 1],
    ]);
    expect((await lake.rejects('orders', 'order_id')).map((r) => r.key)).toEqual(['#2010']);
  });

  it('maps the 2016 layout (no Phone, no Outstanding Balance): Billing Phone identifies a guest, a partially paid order is refused saying why', async () => {
    const lake = await ingestVendorFiles({ 'inbox/shopify_orders/2016.csv': vendorFile('shopify-orders-2016.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 3, rows_loaded: 2, rows_rejected: 1 }]);
    expect(await lake.staged('orders', ORDER_COLUMNS)).toEqual([
      row('#1001', 'ann@example.com', '2016-03-01 09:00:00', '40.00', '0.00', 'completed'), // 10:00 at +01:00
      row('#1002', 'phone:0301234567', '2016-03-02 09:00:00', '18.00', '0.00', 'completed'), // Billing Phone "030 1234567"
    ]);
    const [rejected] = await lake.rejects('orders', 'order_id');
    expect(rejected).toEqual({ key: '#1003', reason: 'partially_paid, and the export has no Outstanding Balance to tell how much was captured' });
  });

  it('maps the oldest layout, without Refunded Amount: no refunds, a refunded order still refunded', async () => {
    const lake = await ingestVendorFiles({ 'inbox/shopify_orders/2013.csv': vendorFile('shopify-orders-oldest.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 2, rows_loaded: 2, rows_rejected: 0 }]);
    expect(await lake.staged('orders', ORDER_COLUMNS)).toEqual([
      row('#0901', 'ann@example.com', '2013-06-01 08:00:00', '20.00', '0.00', 'completed'), // Refunded Amount absent: 0
      row('#0902', 'bob@example.com', '2013-06-02 08:00:00', '15.00', '15.00', 'refunded'), // Financial Status refunded: all of it
    ]);
  });
});

function row(order_id: string, customer_id: string, ordered_at: string, amount: string, refunded_amount: string, status: string) {
  return { order_id, customer_id, ordered_at, amount, refunded_amount, currency: 'USD', status };
}

describe('shopify_orders through a run', () => {
  it('takes a refunded order out of revenue when a later export has it refunded', async () => {
    // Prepare: the earlier export has #2002 and #2003 paid, the later one (landed after) has #2002
    // partly refunded (105.00 of 119.00) and #2003 refunded.
    const { dir, lake, put } = tempLake();
    put('inbox/shopify_orders/earlier.csv', vendorFile('shopify-orders-earlier.csv'), new Date('2024-05-20T00:00:00Z'));
    put('inbox/shopify_orders/later.csv', vendorFile('shopify-orders-current.csv'), new Date('2024-06-20T00:00:00Z'));

    // Act
    const result = await run(lake);

    // Assess: May 2024 revenue = the net values of the completed orders of the later export:
    // #2001 100.00 + #2002 (100.00 − 88.24) + #2008 100.00 (captured share) + #2009 25.00 = 236.76;
    // #2003 (refunded) and #2004–#2007 (not captured) count nowhere, #2010 was rejected.
    expect(result.status).toBe('succeeded');
    const [may] = await readParquet(dir, 'metrics/loyalty_kpis_monthly/v1/data.parquet', 'month').then((rows) =>
      rows.filter((r) => String(r.month).startsWith('2024-05')),
    );
    expect({ orders: Number(may!.orders), revenue: String(may!.revenue) }).toEqual({ orders: 4, revenue: '236.76' });
  });
});
