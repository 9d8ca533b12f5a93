import { describe, expect, it } from 'vitest';
import { ingestVendorFiles, vendorFile } from './vendor-lake.js';

describe('woocommerce_orders preset', () => {
  it('maps the WebToffee order export: value net of tax and shipping, refunds at their share, unpaid orders as no revenue', async () => {
    const lake = await ingestVendorFiles({ 'inbox/woocommerce_orders/orders.csv': vendorFile('woocommerce-orders.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 8, rows_loaded: 7, rows_rejected: 1 }]);
    const columns = ['order_id', 'customer_id', 'ordered_at', 'amount', 'refunded_amount', 'currency', 'status'];
    const order = (order_id: string, customer_id: string, day: string, amount: string, refunded_amount: string, status: string) =>
      ({ order_id, customer_id, ordered_at: `2024-03-${day}`, amount, refunded_amount, currency: 'EUR', status });
    expect(await lake.staged('orders', columns)).toEqual([
      // subtotal 100.00 − discount 10.00 (shipping 5.00 + 0.95 and tax 17.10 left out); status wc-completed
      order('1001', 'ann@example.com', '01 10:00:00', '90.00', '0.00', 'completed'),
      // processing: paid; no customer_email, so billing_email, lowercased
      order('1002', 'bob@example.com', '02 11:00:00', '40.00', '0.00', 'completed'),
      // 23.80 refunded of a 59.50 total: 23.80 × 50.00 / 59.50 = 20.00
      order('1003', 'cid@example.com', '03 12:00:00', '50.00', '20.00', 'completed'),
      order('1004', 'dee@example.com', '04 13:00:00', '30.00', '30.00', 'refunded'),
      // on-hold (awaiting a bank transfer) and failed: not captured
      order('1005', 'eve@example.com', '05 14:00:00', '25.00', '0.00', 'cancelled'),
      order('1006', 'fay@example.com', '06 15:00:00', '60.00', '0.00', 'cancelled'),
      // subtotal 20.00 + fee 2.50
      order('1008', 'gus@example.com', '08 17:00:00', '22.50', '0.00', 'completed'),
    ]);
    const [rejected] = await lake.rejects('orders', 'order_id');
    expect(rejected!.key).toBe('1007');
    expect(rejected!.reason).toContain('guest checkout without e-mail');
  });
});

describe('chargebee_subscriptions preset', () => {
  it('maps the bulk CSV layout: minor units, billing periods, trials; a future subscription is refused saying why', async () => {
    const lake = await ingestVendorFiles({ 'inbox/chargebee_subscriptions/subscriptions.csv': vendorFile('chargebee-subscriptions.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 6, rows_loaded: 5, rows_rejected: 1 }]);
    const columns = ['subscription_id', 'customer_id', 'mrr', 'started_at', 'ended_at', 'plan'];
    expect(await lake.staged('subscriptions', columns)).toEqual([
      // 4900 pence a month: 49.00
      { subscription_id: 'sub_cb1', customer_id: 'cust_1', mrr: '49.00', started_at: '2024-01-10 09:00:00', ended_at: null, plan: 'starter-gbp' },
      // 3 × 9900 pence a year ÷ 12 = 2475 pence: 24.75 (non_renewing still pays until its term ends)
      { subscription_id: 'sub_cb2', customer_id: 'cust_2', mrr: '24.75', started_at: '2024-02-01 09:00:00', ended_at: null, plan: 'scale-gbp' },
      // in_trial: no MRR yet
      { subscription_id: 'sub_cb3', customer_id: 'cust_3', mrr: '0.00', started_at: '2024-03-01 09:00:00', ended_at: null, plan: 'starter-gbp' },
      // paid from its trial end (01-19) until cancelled (04-02)
      { subscription_id: 'sub_cb4', customer_id: 'cust_4', mrr: '49.00', started_at: '2024-01-19 09:00:00', ended_at: '2024-04-02 12:00:00', plan: 'starter-gbp' },
      // 15000 pence every 6 months: 2500 a month, 25.00
      { subscription_id: 'sub_cb5', customer_id: 'cust_5', mrr: '25.00', started_at: '2024-02-20 09:00:00', ended_at: null, plan: 'pro-gbp' },
    ]);
    const [rejected] = await lake.rejects('subscriptions', 'subscription_id');
    expect(rejected!.key).toBe('sub_cb6');
    expect(rejected!.reason).toContain('future: the subscription has not started yet');
  });
});

describe('typeform_nps preset', () => {
  const columns = ['response_id', 'customer_id', 'survey', 'score', 'responded_at'];

  it('maps the older layout: the NPS question, the hidden field email, the submit date', async () => {
    const lake = await ingestVendorFiles({ 'inbox/typeform_nps/responses.csv': vendorFile('typeform-nps-2019.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 2, rows_loaded: 2, rows_rejected: 0 }]);
    expect(await lake.staged('survey_responses', columns)).toEqual([
      { response_id: 'a1b2c3d4e5f6g7h8', customer_id: 'ann@example.com', survey: 'nps', score: '10', responded_at: '2019-05-01 10:01:30' },
      { response_id: 'b2c3d4e5f6g7h8i9', customer_id: null, survey: 'nps', score: '6', responded_at: '2019-05-02 11:00:40' }, // anonymous
    ]);
  });

  it('maps the newer layout (Response Type, Stage Date): another wording of the question, a partial response refused', async () => {
    const lake = await ingestVendorFiles({ 'inbox/typeform_nps/responses.csv': vendorFile('typeform-nps-2024.csv') });

    expect(lake.reports).toMatchObject([{ outcome: 'loaded', rows_in: 3, rows_loaded: 2, rows_rejected: 1 }]);
    expect(await lake.staged('survey_responses', columns)).toEqual([
      { response_id: 'odwdp4nzj1xg6m9l', customer_id: 'C-1001', survey: 'nps', score: '9', responded_at: '2024-10-05 02:41:38' },
      { response_id: 'qfyfr6pbl3zi8o1n', customer_id: 'C-1003', survey: 'nps', score: '0', responded_at: '2024-10-07 09:02:00' },
    ]);
    const [rejected] = await lake.rejects('survey_responses', 'response_id');
    expect(rejected!.key).toBe('pexeq5oak2yh7n0m');
    expect(rejected!.reason).toContain('partial response: never submitted');
  });
});
