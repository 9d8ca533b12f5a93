import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqlString } from '../../src/core/duckdb.js';
import { csv, ingestOnly, query, tempLake } from '../helpers/temp-lake.js';

/** The staged rows of a dataset, contract columns only, as text. */
async function staged(dir: string, dataset: string, columns: string[]) {
  return query(`
    select ${columns.map((c) => `cast(${c} as varchar) as ${c}`).join(', ')}
    from read_parquet(${sqlString(join(dir, `staging/${dataset}/**/*.parquet`))}) order by 1`);
}

/** Loads the vendor's file and the equivalent canonical file into two lakes; returns both staged tables. */
async function compare(presetKey: string, vendorFile: string, dataset: string, canonicalFile: string, columns: string[]) {
  const vendor = tempLake();
  vendor.put(presetKey, vendorFile);
  const vendorReports = await ingestOnly(vendor.lake);
  const canonical = tempLake();
  canonical.put(`inbox/${dataset}/canonical.csv`, canonicalFile);
  await ingestOnly(canonical.lake);
  return { vendorReports, fromVendor: await staged(vendor.dir, dataset, columns), fromCanonical: await staged(canonical.dir, dataset, columns) };
}

const ORDER_COLUMNS = ['order_id', 'customer_id', 'ordered_at', 'amount', 'refunded_amount', 'currency', 'status'];

const SHOPIFY_HEADER =
  'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing City,Billing Zip,Billing Country,Shipping Name,Shipping City,Shipping Zip,Shipping Country,Notes,Cancelled at,Payment Method,Refunded Amount,Vendor,Id,Tags,Source';

describe('export presets', () => {
  it("maps Shopify's orders export (line items, order fields on the first row, email as customer) to orders", async () => {
    const shopify = csv(
      SHOPIFY_HEADER,
      // #1001: two line items; the second row repeats only Name and Email
      '#1001,Ann@Example.com,paid,2024-01-05 10:16:00 +0100,fulfilled,2024-01-06 09:00:00 +0100,yes,EUR,30.00,4.90,5.70,40.60,,0.00,Standard,2024-01-05 10:15:32 +0100,1,Mug,10.00,,MUG-1,true,true,fulfilled,Ann A,Berlin,10115,DE,Ann A,Berlin,10115,DE,,,Card,0.00,Acme,5001,,web',
      '#1001,Ann@Example.com,,,,,,,,,,,,,,,2,"Plate, large",10.00,,PL-2,true,true,fulfilled,,,,,,,,,,,,,,,,',
      // #1002: refunded in full
      '#1002,bob@example.com,refunded,2024-02-01 09:01:00 -0500,,,no,EUR,25.00,0.00,4.75,29.75,,0.00,,2024-02-01 09:00:00 -0500,1,Bowl,25.00,,BW-1,true,true,,Bob B,Paris,75001,FR,,,,,,,Card,25.00,Acme,5002,,web',
      // #1003: partly refunded: still a completed order, net 15.00
      '#1003,ann@example.com,partially_refunded,2024-03-03 12:00:00 +0100,fulfilled,,yes,EUR,20.00,4.90,3.80,28.70,SPRING,5.00,Standard,2024-03-03 11:59:00 +0100,2,Cup,12.50,,CP-1,true,true,fulfilled,Ann A,Berlin,10115,DE,Ann A,Berlin,10115,DE,,,Card,5.00,Acme,5003,,web',
      // #1004: payment voided; #1005: cancelled
      '#1004,cid@example.com,voided,,,,no,EUR,12.00,0.00,0.00,12.00,,0.00,,2024-03-10 08:00:00 +0000,1,Spoon,12.00,,SP-1,true,true,,,,,,,,,,,,,0.00,Acme,5004,,web',
      '#1005,dee@example.com,paid,2024-03-11 08:00:00 +0000,,,no,EUR,9.00,0.00,0.00,9.00,,0.00,,2024-03-11 08:00:00 +0000,1,Fork,9.00,,FK-1,true,true,,,,,,,,,,,2024-03-12 10:00:00 +0000,Card,0.00,Acme,5005,,web',
    );
    const canonical = csv(
      'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status',
      '#1001,ann@example.com,2024-01-05T09:15:32Z,30.00,0,EUR,completed', // 10:15:32 at +01:00
      '#1002,bob@example.com,2024-02-01T14:00:00Z,25.00,25.00,EUR,refunded', // 09:00 at −05:00
      // Refunded Amount includes shipping and taxes (issue 11): the refund is taken at Subtotal/Total, 5.00 × 20.00 / 28.70 = 3.484… → 3.48
      '#1003,ann@example.com,2024-03-03T10:59:00Z,20.00,3.48,EUR,completed',
      '#1004,cid@example.com,2024-03-10T08:00:00Z,12.00,0,EUR,cancelled',
      '#1005,dee@example.com,2024-03-11T08:00:00Z,9.00,0,EUR,cancelled',
    );
    const { vendorReports, fromVendor, fromCanonical } = await compare('inbox/shopify_orders/orders_export_1.csv', shopify, 'orders', canonical, ORDER_COLUMNS);
    expect(vendorReports).toMatchObject([{ dataset: 'orders', outcome: 'loaded', rows_in: 5, rows_loaded: 5, rows_rejected: 0 }]);
    expect(fromVendor).toEqual(fromCanonical);
    expect(fromVendor).toHaveLength(5);
  });

  it("maps Stripe's payments export to orders", async () => {
    const stripe = csv(
      'id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Converted Amount Refunded,Converted Currency,Description,Fee,Mode,Status,Statement Descriptor,Customer ID,Customer Description,Customer Email,Card ID,Invoice ID',
      'py_1,2024-01-05 10:15:32,49.00,0.00,eur,true,49.00,0.00,eur,Club box,1.67,Live,Paid,ACME,cus_A,,a@example.com,card_1,in_1',
      'py_2,2024-01-20 08:00:00,49.00,10.00,eur,true,49.00,10.00,eur,Club box,1.67,Live,Paid,ACME,cus_B,,b@example.com,card_2,in_2',
      'py_3,2024-02-01 09:30:00,19.00,19.00,eur,true,19.00,19.00,eur,Add-on,0.90,Live,Refunded,ACME,cus_A,,a@example.com,card_1,',
      'py_4,2024-02-02 11:00:00,49.00,0.00,eur,false,49.00,0.00,eur,Club box,0.00,Live,Failed,ACME,cus_C,,c@example.com,card_3,in_3',
    );
    const canonical = csv(
      'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status',
      'py_1,cus_A,2024-01-05 10:15:32,49.00,0.00,EUR,completed',
      'py_2,cus_B,2024-01-20 08:00:00,49.00,10.00,EUR,completed', // paid, partly refunded
      'py_3,cus_A,2024-02-01 09:30:00,19.00,19.00,EUR,refunded',
      'py_4,cus_C,2024-02-02 11:00:00,49.00,0.00,EUR,cancelled', // a failed charge is no order
    );
    const { fromVendor, fromCanonical } = await compare('inbox/stripe_payments/unified_payments.csv', stripe, 'orders', canonical, ORDER_COLUMNS);
    expect(fromVendor).toEqual(fromCanonical);
    expect(fromVendor).toHaveLength(4);
  });

  it("maps Stripe's subscriptions export to subscriptions, MRR normalised by interval", async () => {
    const stripe = csv(
      'id,Customer ID,Customer Description,Customer Email,Plan,Product,Quantity,Interval,Amount,Status,Created (UTC),Start (UTC),Current Period Start (UTC),Current Period End (UTC),Trial Start (UTC),Trial End (UTC),Canceled At (UTC),Ended At (UTC),Cancel At Period End',
      'sub_1,cus_A,,a@example.com,price_club,Club,1,month,49.00,active,2024-01-01 08:00:00,2024-01-01 08:00:00,2024-03-01 08:00:00,2024-04-01 08:00:00,,,,,false',
      'sub_2,cus_B,,b@example.com,price_club_year,Club,2,year,490.00,canceled,2023-06-01 08:00:00,2023-06-01 08:00:00,2023-06-01 08:00:00,2024-06-01 08:00:00,,,2024-02-10 12:00:00,2024-02-10 12:00:00,false',
      'sub_3,cus_C,,c@example.com,price_weekly,Snacks,1,week,6.00,canceled,2024-01-15 08:00:00,2024-01-15 08:00:00,2024-02-12 08:00:00,2024-02-19 08:00:00,,,2024-02-14 09:00:00,,false',
    );
    const canonical = csv(
      'subscription_id,customer_id,mrr,started_at,ended_at,plan',
      'sub_1,cus_A,49.00,2024-01-01 08:00:00,,price_club',
      'sub_2,cus_B,81.67,2023-06-01 08:00:00,2024-02-10 12:00:00,price_club_year', // 2 × 490 / 12 = 81.666…
      'sub_3,cus_C,26.00,2024-01-15 08:00:00,2024-02-14 09:00:00,price_weekly', // 6 × 52 / 12; canceled, no Ended At: Canceled At
    );
    const columns = ['subscription_id', 'customer_id', 'mrr', 'started_at', 'ended_at', 'plan'];
    const { fromVendor, fromCanonical } = await compare('inbox/stripe_subscriptions/subscriptions.csv', stripe, 'subscriptions', canonical, columns);
    expect(fromVendor).toEqual(fromCanonical);
    expect(fromVendor).toHaveLength(3);
  });

  it('refuses a file that lacks a column the preset reads, naming it', async () => {
    const { lake, put } = tempLake();
    put('inbox/stripe_payments/export.csv', csv('id,Amount,Currency,Status', 'py_1,1.00,eur,Paid'));
    const [report] = await ingestOnly(lake);
    expect(report).toMatchObject({ outcome: 'quarantined' });
    // Since issue 11 the message also names every name a column was looked for under (its aliases).
    expect(report!.error).toBe(
      'not a stripe_payments export: missing columns Customer ID, Created date (UTC) (looked for: Created date (UTC), Created (UTC)), Amount Refunded',
    );
  });
});
