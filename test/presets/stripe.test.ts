import { describe, expect, it } from 'vitest';
import { ingestVendorFiles, vendorFile } from './vendor-lake.js';

const ORDER_COLUMNS = ['order_id', 'customer_id', 'ordered_at', 'amount', 'refunded_amount', 'currency', 'status'];
const SUBSCRIPTION_COLUMNS = ['subscription_id', 'customer_id', 'mrr', 'started_at', 'ended_at', 'plan'];

describe('stripe_payments preset', () => {
  it('loads a multi-currency account in its converted currency, and names a customer without Customer ID by e-mail', async () => {
    const lake = await ingestVendorFiles({ 'inbox/stripe_payments/unified_payments.csv': vendorFile('stripe-payments-unified.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 6, rows_loaded: 5, rows_rejected: 1 }]);
    expect(await lake.staged('orders', ORDER_COLUMNS)).toEqual([
      payment('py_1', 'cus_A', '2024-01-05 10:15:32', '49.00', '0.00', 'EUR', 'completed'),
      // charged 30.00 USD (10.00 refunded); the export's Converted Amount (Refunded) in EUR: 27.60 (9.20)
      payment('py_2', 'cus_B', '2024-01-06 11:00:00', '27.60', '9.20', 'EUR', 'completed'),
      // charged 20.00 GBP, refunded: 23.40 EUR
      payment('py_3', 'cus_A', '2024-01-07 12:00:00', '23.40', '23.40', 'EUR', 'refunded'),
      // no Customer ID: the Customer Email, lowercased
      payment('py_4', 'dana@example.com', '2024-01-08 13:00:00', '15.00', '0.00', 'EUR', 'completed'),
      // failed: no Converted Currency, so Amount and Currency as charged; no revenue
      payment('py_6', 'cus_C', '2024-01-10 15:00:00', '49.00', '0.00', 'EUR', 'cancelled'),
    ]);
    const [rejected] = await lake.rejects('orders', 'order_id');
    expect(rejected!.key).toBe('py_5');
    expect(rejected!.reason).toContain('no Customer ID and no Customer Email');
  });

  it('loads the older payments layout, "Created (UTC)" instead of "Created date (UTC)"', async () => {
    const lake = await ingestVendorFiles({ 'inbox/stripe_payments/payments.csv': vendorFile('stripe-payments-2016.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 2, rows_loaded: 2, rows_rejected: 0 }]);
    expect(await lake.staged('orders', ORDER_COLUMNS)).toEqual([
      payment('ch_1', 'cus_X', '2016-02-01 10:00:00', '10.00', '0.00', 'USD', 'completed'),
      payment('ch_2', 'cus_Y', '2016-02-02 11:30:00', '25.00', '25.00', 'USD', 'refunded'),
    ]);
  });
});

describe('stripe_subscriptions preset', () => {
  it('loads the older layout: MRR from the end of a trial, none while trialing, for a trial cancelled or a subscription never paid; a count in Interval', async () => {
    const lake = await ingestVendorFiles({ 'inbox/stripe_subscriptions/subscriptions.csv': vendorFile('stripe-subscriptions-2019.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 7, rows_loaded: 7, rows_rejected: 0 }]);
    expect(await lake.staged('subscriptions', SUBSCRIPTION_COLUMNS)).toEqual([
      subscription('sub_1', 'cus_A', '49.00', '2024-01-01 08:00:00', null, 'price_club'),
      // 2 × 20.00 a month, paying from its Trial End
      subscription('sub_2', 'cus_B', '40.00', '2024-02-15 08:00:00', null, 'price_club'),
      // still trialing: no MRR (a later export, once it pays, replaces this row)
      subscription('sub_3', 'cus_C', '0.00', '2024-03-01 08:00:00', null, 'price_club'),
      // cancelled on 03-05, before its trial ended on 03-15: never paid
      subscription('sub_4', 'cus_D', '0.00', '2024-03-01 08:00:00', '2024-03-05 09:00:00', 'price_club'),
      // incomplete_expired: its first payment never succeeded; ends at its start
      subscription('sub_5', 'cus_E', '0.00', '2024-04-01 08:00:00', '2024-04-01 08:00:00', 'price_club'),
      // 6.00 a week × 52 / 12 = 26.00; canceled without Ended At: ends at Canceled At
      subscription('sub_6', 'cus_F', '26.00', '2024-01-15 08:00:00', '2024-02-14 09:00:00', 'price_weekly'),
      // Interval "every 3 months": 60.00 ÷ 3 = 20.00
      subscription('sub_7', 'cus_G', '20.00', '2024-05-01 08:00:00', null, 'price_quarterly'),
    ]);
  });

  it('loads the newer layout ("Start Date (UTC)", "Customer Name", "Cancellation Reason"): interval counts and coupons', async () => {
    const lake = await ingestVendorFiles({ 'inbox/stripe_subscriptions/subscriptions.csv': vendorFile('stripe-subscriptions-2025.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 4, rows_loaded: 4, rows_rejected: 0 }]);
    expect(await lake.staged('subscriptions', SUBSCRIPTION_COLUMNS)).toEqual([
      // 90.00 every 3 months: 30.00 a month
      subscription('sub_10', 'cus_J', '0.00', '2025-04-01 08:00:00', '2025-04-01 08:00:00', 'price_club'), // incomplete: never paid
      subscription('sub_7', 'cus_G', '30.00', '2025-01-10 08:00:00', null, 'price_quarterly'),
      // 50.00 less 20 %: 40.00
      subscription('sub_8', 'cus_H', '40.00', '2025-02-01 08:00:00', null, 'price_club'),
      // (120.00 − 5.00 off) a year ÷ 12 = 9.583… → 9.58
      subscription('sub_9', 'cus_I', '9.58', '2025-03-01 08:00:00', '2025-06-01 10:00:00', 'price_yearly'),
    ]);
  });
});

function payment(order_id: string, customer_id: string, ordered_at: string, amount: string, refunded_amount: string, currency: string, status: string) {
  return { order_id, customer_id, ordered_at, amount, refunded_amount, currency, status };
}

function subscription(subscription_id: string, customer_id: string, mrr: string, started_at: string, ended_at: string | null, plan: string) {
  return { subscription_id, customer_id, mrr, started_at, ended_at, plan };
}
