// Demo Stripe exports: a subscription box sold through Stripe Billing, its payments and
// subscriptions from one random stream (presets `stripe_payments` and `stripe_subscriptions`).

import { addMonths, DAY_MS, startOfDay, timeOfDayMs } from './calendar.js';
import { csvLines, euros, utcStamp } from './formats.js';
import { personName } from './names-and-places.js';
import { exponential, type Random, weightedPicker } from './random.js';

const STRIPE_PAYMENT_COLUMNS = [
  'id', 'Created date (UTC)', 'Amount', 'Amount Refunded', 'Currency', 'Captured', 'Converted Amount',
  'Converted Amount Refunded', 'Converted Currency', 'Description', 'Fee', 'Mode', 'Status',
  'Statement Descriptor', 'Customer ID', 'Customer Description', 'Customer Email', 'Card ID', 'Invoice ID',
] as const;
const STRIPE_SUBSCRIPTION_COLUMNS = [
  'id', 'Customer ID', 'Customer Description', 'Customer Email', 'Plan', 'Product', 'Quantity', 'Interval',
  'Amount', 'Status', 'Created (UTC)', 'Start (UTC)', 'Current Period Start (UTC)', 'Current Period End (UTC)',
  'Trial Start (UTC)', 'Trial End (UTC)', 'Canceled At (UTC)', 'Ended At (UTC)', 'Cancel At Period End',
] as const;
const STRIPE_CUSTOMERS = 200;
const STRIPE_DESCRIPTOR = 'ROESTEREI NORD BOX';

interface StripeCustomer {
  readonly id: string;
  readonly description: string;
  readonly email: string;
  /** A card's id; empty for customers paying by SEPA debit (their payments are `py_…`). */
  readonly card: string;
}

interface StripePayment {
  readonly id: string;
  readonly at: number;
  readonly customer: StripeCustomer;
  readonly cents: number;
  readonly refundedCents: number;
  readonly status: 'Paid' | 'Refunded' | 'Failed';
  readonly description: string;
  readonly invoice: string;
}

interface StripeSubscription {
  readonly id: string;
  readonly customer: StripeCustomer;
  readonly plan: {
    readonly id: string;
    readonly product: string;
    readonly interval: 'month' | 'year';
    readonly cents: number;
  };
  readonly quantity: number;
  readonly created: number;
  readonly trialEnd: number | null;
  periodStart: number;
  periodEnd: number;
  status: 'active' | 'canceled' | 'past_due';
  canceledAt: number | null;
  endedAt: number | null;
  cancelAtPeriodEnd: boolean;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Vendor-style ids (`cus_…`, `ch_3…`): a prefix then random letters and digits, never the same twice. */
function idMaker(random: Random): (prefix: string, length: number) => string {
  const seen = new Set<string>();
  return (prefix, length) => {
    for (;;) {
      let id = prefix;
      for (let i = 0; i < length; i++) id += BASE62.charAt(Math.floor(random() * 62));
      if (!seen.has(id)) {
        seen.add(id);
        return id;
      }
    }
  };
}

/**
 * 200 Stripe customers with their subscriptions (monthly or yearly, some with a trial; some
 * cancel, at once or at the period's end, and some come back) and the payments of the last
 * year: each period's invoice, a few failed (most retried three days later), a few refunded,
 * plus some one-off purchases.
 */
export function generateStripe(
  endDay: number,
  random: Random,
): { readonly subscriptions: StripeSubscription[]; readonly payments: StripePayment[] } {
  const endTime = endDay + DAY_MS - 1000;
  const paymentsFrom = endTime - 365 * DAY_MS;
  const newId = idMaker(random);
  const products = { box: newId('prod_', 14), starter: newId('prod_', 14) };
  const pickPlan = weightedPicker([
    [{ id: newId('price_1', 23), product: products.box, interval: 'month', cents: 4900 }, 0.55],
    [{ id: newId('price_1', 23), product: products.box, interval: 'year', cents: 49_000 }, 0.2],
    [{ id: newId('price_1', 23), product: products.starter, interval: 'month', cents: 1900 }, 0.25],
  ] as const);
  const pickQuantityOfBoxes = weightedPicker([
    [1, 0.8],
    [2, 0.15],
    [3, 0.05],
  ]);

  const subscriptions: StripeSubscription[] = [];
  const payments: StripePayment[] = [];
  const pay = (
    customer: StripeCustomer,
    at: number,
    cents: number,
    description: string,
    invoice: string,
    declined = false,
  ): StripePayment['status'] => {
    const draw = random();
    const status = declined || draw < 0.04 ? 'Failed' : draw < 0.06 ? 'Refunded' : 'Paid';
    const refundedCents = status === 'Refunded' ? cents : status === 'Paid' && draw > 0.99 ? Math.round(cents * 0.3) : 0;
    const id = customer.card ? newId('ch_3', 23) : newId('py_3', 23);
    if (at >= paymentsFrom) payments.push({ id, at, customer, cents, refundedCents, status, description, invoice });
    return status;
  };

  for (let index = 0; index < STRIPE_CUSTOMERS; index++) {
    const { first, last } = personName(random);
    const style = random();
    const customer: StripeCustomer = {
      id: newId('cus_', 14),
      description: style < 0.75 ? `${first} ${last}` : style < 0.85 ? `${last}, ${first}` : '',
      email: `${first}.${last.replace(' ', '')}${index + 1}@example.com`.toLowerCase(),
      card: random() < 0.85 ? newId('card_1', 23) : '',
    };
    let created = startOfDay(endTime - (7 + random() * 720) * DAY_MS) + timeOfDayMs(random);
    while (created < endTime - DAY_MS) {
      const plan = pickPlan(random);
      const trialEnd = random() < 0.25 && created + 15 * DAY_MS < endTime ? created + 14 * DAY_MS : null;
      const subscription: StripeSubscription = {
        id: newId('sub_1', 23),
        customer,
        plan,
        quantity: pickQuantityOfBoxes(random),
        created,
        trialEnd,
        periodStart: created,
        periodEnd: trialEnd ?? created,
        status: 'active',
        canceledAt: null,
        endedAt: null,
        cancelAtPeriodEnd: false,
      };
      subscriptions.push(subscription);
      const cents = plan.cents * subscription.quantity;
      /** Cancelled by the customer: at once, or (more often) at the end of the period. */
      const cancel = (at: number, periodEnd: number): void => {
        subscription.canceledAt = at;
        subscription.cancelAtPeriodEnd = random() < 0.6;
        const endedAt = subscription.cancelAtPeriodEnd ? periodEnd : at;
        if (endedAt <= endTime) {
          subscription.endedAt = endedAt;
          subscription.status = 'canceled';
        }
      };

      if (trialEnd !== null && random() < 0.25) {
        cancel(created + random() * 13 * DAY_MS, trialEnd); // never paid
      } else {
        const billingStart = trialEnd ?? created;
        const months = plan.interval === 'month' ? 1 : 12;
        const hazard = plan.interval === 'month' ? 0.055 : 0.3;
        for (let period = 0; ; period++) {
          const periodStart = addMonths(billingStart, period * months);
          const periodEnd = addMonths(billingStart, (period + 1) * months);
          subscription.periodStart = periodStart;
          subscription.periodEnd = periodEnd;
          const current = periodEnd > endTime;
          // Each period's invoice is paid at once; a failed payment is retried 3 days later. For a
          // few, the current period's card keeps being declined: past due at the end.
          const invoice = newId('in_1', 23);
          const description = period === 0 ? 'Subscription creation' : 'Subscription update';
          const declined = current && random() < 0.06;
          const firstTry = periodStart + (period === 0 ? 5_000 : 3_600_000);
          if (firstTry > endTime) break;
          if (pay(customer, firstTry, cents, description, invoice, declined) === 'Failed') {
            const retry = firstTry + 3 * DAY_MS;
            if (retry > endTime || pay(customer, retry, cents, description, invoice, declined) === 'Failed') {
              if (current) {
                subscription.status = 'past_due';
              } else {
                // Retries exhausted: Stripe cancels the subscription.
                subscription.canceledAt = subscription.endedAt = retry + DAY_MS;
                subscription.status = 'canceled';
              }
              break;
            }
          }
          if (random() < hazard) {
            const at = periodStart + random() * (periodEnd - periodStart);
            if (at <= endTime) {
              cancel(at, periodEnd);
              break;
            }
          }
          if (current) break;
        }
      }
      if (subscription.endedAt === null || random() >= 0.2) break;
      created = startOfDay(subscription.endedAt + (20 + exponential(random, 90)) * DAY_MS) + timeOfDayMs(random);
    }
    // One-off purchases: a workshop, a gift card.
    const extras = random() < 0.3 ? 1 + Math.floor(random() * 3) : 0;
    for (let i = 0; i < extras; i++) {
      const at = paymentsFrom + random() * (endTime - paymentsFrom);
      const [description, cents] =
        random() < 0.5 ? ['Barista workshop', 6500] : ['Gift card', [2500, 5000, 10_000][Math.floor(random() * 3)]!];
      pay(customer, at, cents, description, '');
    }
  }
  return {
    subscriptions: subscriptions.sort((a, b) => b.created - a.created),
    payments: payments.sort((a, b) => b.at - a.at),
  };
}

export function stripePaymentsCsv(payments: readonly StripePayment[]): string {
  return csvLines(
    STRIPE_PAYMENT_COLUMNS,
    payments.map((p) => {
      const failed = p.status === 'Failed';
      const fee = failed ? 0 : p.customer.card ? Math.round(p.cents * 0.015) + 25 : 35;
      return [
        p.id,
        utcStamp(p.at),
        euros(p.cents),
        euros(p.refundedCents),
        'eur',
        failed ? 'false' : 'true',
        euros(p.cents),
        euros(p.refundedCents),
        'eur',
        p.description,
        euros(fee),
        'Live',
        p.status,
        STRIPE_DESCRIPTOR,
        p.customer.id,
        p.customer.description,
        p.customer.email,
        p.customer.card,
        p.invoice,
      ];
    }),
  );
}

export function stripeSubscriptionsCsv(subscriptions: readonly StripeSubscription[]): string {
  const stamp = (time: number | null): string => (time === null ? '' : utcStamp(time));
  return csvLines(
    STRIPE_SUBSCRIPTION_COLUMNS,
    subscriptions.map((s) => [
      s.id,
      s.customer.id,
      s.customer.description,
      s.customer.email,
      s.plan.id,
      s.plan.product,
      String(s.quantity),
      s.plan.interval,
      euros(s.plan.cents),
      s.status,
      stamp(s.created),
      stamp(s.created),
      stamp(s.periodStart),
      stamp(s.periodEnd),
      s.trialEnd === null ? '' : stamp(s.created),
      stamp(s.trialEnd),
      stamp(s.canceledAt),
      stamp(s.endedAt),
      String(s.cancelAtPeriodEnd),
    ]),
  );
}
