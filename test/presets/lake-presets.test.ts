import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parseLakeSettings } from '../../src/core/settings/lake-settings.js';
import { csv } from '../helpers/temp-lake.js';
import { ingestVendorFiles } from './vendor-lake.js';

/** A preset for Stripe Sigma's charges table, in cents, as a lake would declare it. */
const SIGMA_SETTINGS = `
presets:
  - preset: sigma_charges
    dataset: orders
    description: Stripe Sigma, charges table exported as CSV (amounts in cents).
    amount_unit: minor
    formats: { decimal_mark: '.' }
    aliases:
      created: [created_utc]
    columns:
      order_id: '"id"'
      customer_id: '"customer_id"'
      ordered_at: '"created"'
      amount: '"amount"'
      refunded_amount: '"amount_refunded"'
      currency: '"currency"'
      status: "case when \\"status\\" = 'succeeded' then 'completed' else 'cancelled' end"
`;

const SIGMA_FILE = csv(
  'id,customer_id,created_utc,amount,amount_refunded,currency,status',
  'ch_1,cus_A,2024-05-01 10:00:00,3087,0,eur,succeeded', // 3087 cents: 30.87
  'ch_2,cus_B,2024-05-02 10:00:00,125000,2550,eur,succeeded', // 1,250.00 with 25.50 refunded
  'ch_3,cus_A,2024-05-03 10:00:00,4999.5,0,eur,succeeded', // half a cent: not whole minor units
);

describe('presets declared by the lake (loyaltylake.yml presets:)', () => {
  it('maps a folder named like the preset, its amounts in minor units divided by 100 exactly', async () => {
    const lake = await ingestVendorFiles({ 'inbox/sigma_charges/charges.csv': SIGMA_FILE }, SIGMA_SETTINGS);

    expect(lake.reports).toMatchObject([{ key: 'inbox/sigma_charges/charges.csv', dataset: 'orders', outcome: 'loaded', rows_in: 3, rows_loaded: 2, rows_rejected: 1 }]);
    expect(await lake.staged('orders', ['order_id', 'amount', 'refunded_amount', 'currency', 'status'])).toEqual([
      { order_id: 'ch_1', amount: '30.87', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
      { order_id: 'ch_2', amount: '1250.00', refunded_amount: '25.50', currency: 'EUR', status: 'completed' },
    ]);
    const [rejected] = await lake.rejects('orders', 'order_id');
    expect(rejected!.key).toBe('ch_3');
    expect(rejected!.reason).toContain('not a whole number of minor units: 4999.5');
  });

  it('without the settings, the same folder is no dataset: the file is quarantined', async () => {
    const lake = await ingestVendorFiles({ 'inbox/sigma_charges/charges.csv': SIGMA_FILE });
    expect(lake.reports).toMatchObject([{ outcome: 'quarantined' }]);
    expect(lake.reports[0]!.error).toContain("'sigma_charges' is not a dataset");
  });

  it('refuses a lake preset file that lacks a column, naming every name it looked for', async () => {
    const lake = await ingestVendorFiles({ 'inbox/sigma_charges/charges.csv': csv('id,customer_id,amount,amount_refunded,currency,status', 'ch_1,cus_A,100,0,eur,succeeded') }, SIGMA_SETTINGS);
    expect(lake.reports[0]).toMatchObject({ outcome: 'quarantined', error: 'not a sigma_charges export: missing column created (looked for: created, created_utc)' });
  });

  const settingsError = (presets: string) => {
    try {
      parseLakeSettings(`presets:\n${presets}`, 'lake/loyaltylake.yml');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('the settings were accepted');
  };
  const declaration = (name: string, more = '', columns = `      order_id: '"id"'\n      customer_id: '"c"'\n      ordered_at: '"t"'\n      amount: '"a"'`) =>
    `  - preset: ${name}\n    dataset: orders\n    description: test\n${more}    columns:\n${columns}\n`;

  it('refuses settings whose presets clash with a built-in preset, a dataset or each other, naming the preset', () => {
    expect(settingsError(declaration('shopify_orders'))).toContain("preset 'shopify_orders' has the name of a built-in preset");
    expect(settingsError(declaration('orders'))).toContain("preset 'orders' has the name of a dataset");
    expect(settingsError(declaration('mine') + declaration('mine'))).toContain("preset 'mine' is declared twice");
  });

  it('refuses a lake preset that maps an unknown dataset or column, misses a required column, or uses an undeclared definition', () => {
    expect(settingsError(declaration('mine').replace('dataset: orders', 'dataset: invoices'))).toContain("preset 'mine' maps to unknown dataset 'invoices'");
    expect(settingsError(declaration('mine', '', `      order_id: '"id"'\n      total: '"x"'`))).toMatch(
      /preset 'mine' maps columns total, which orders does not have[\s\S]*preset 'mine' does not map required columns customer_id, ordered_at, amount/,
    );
    expect(settingsError(declaration('mine', '', `      order_id: '{key}'\n      customer_id: '"c"'\n      ordered_at: '"t"'\n      amount: '"a"'`))).toContain(
      "preset 'mine' uses {key}, which definitions does not declare",
    );
    expect(settingsError(declaration('mine', "    amount_unit: cents\n"))).toContain('amount_unit');
  });

  it('counts a lake preset in the settings fingerprint: changing it makes the next scheduled tick run', () => {
    const before = parseLakeSettings(SIGMA_SETTINGS).fingerprint;
    const after = parseLakeSettings(SIGMA_SETTINGS.replace('amount_unit: minor', 'amount_unit: major')).fingerprint;
    expect(after).not.toBe(before);
  });
});
