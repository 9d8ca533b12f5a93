import { describe, expect, it } from 'vitest';
import { inputFileId, LakeKeys, LakePrefix, parseInboxKey } from '../../src/core/lake/lake-layout.js';

// The layout as architecture.md ("Lake layout") states it; a key changed by accident fails here.
describe('lake layout', () => {
  it('builds the keys of one input file from its path and the start of its fingerprint', () => {
    const id = inputFileId('2024/orders.csv', '"0123456789abcdef0123456789abcdef"');
    expect(id).toBe('2024/orders.csv@0123456789ab');
    expect(LakeKeys.staging('orders', id)).toBe('staging/orders/2024/orders.csv@0123456789ab.parquet');
    expect(LakeKeys.rejects('orders', id)).toBe('rejects/orders/2024/orders.csv@0123456789ab.parquet');
    const quarantine = LakeKeys.quarantine('orders', id);
    expect(LakeKeys.quarantineReport(quarantine)).toBe('quarantine/orders/2024/orders.csv@0123456789ab.error.json');
    expect(LakeKeys.quarantineUnknown('invoices/a.csv@0123456789ab')).toBe('quarantine/_unknown/invoices/a.csv@0123456789ab');
  });

  it('builds published, history and run keys', () => {
    expect(LakeKeys.metrics('cohort_retention', 2)).toBe('metrics/cohort_retention/v2/data.parquet');
    // issue 11: snapshots are keyed by as-of date and settings variant (was: as-of date only)
    expect(LakeKeys.history('cohort_retention', 2, '2024-03-31', 'cw90-1a2b3c4d')).toBe('history/cohort_retention/v2/as_of=2024-03-31/settings=cw90-1a2b3c4d/data.parquet');
    expect(LakeKeys.historyFolder('cohort_retention', 2) + LakeKeys.historyPartition('${as_of}', '${settings}')).toBe(
      'history/cohort_retention/v2/as_of=${as_of}/settings=${settings}/',
    );
    expect(LakeKeys.rejectsFolder('orders')).toBe('rejects/orders/');
    expect(LakeKeys.runManifest('20240101T000000Z-abc123')).toBe('_runs/20240101T000000Z-abc123.json');
    expect(LakeKeys.latestRunManifest).toBe('_runs/latest.json');
  });

  it('splits an inbox key into its folder and the path below it', () => {
    expect(parseInboxKey('inbox/orders/2024/a.csv')).toEqual({ folder: 'orders', name: '2024/a.csv', path: 'orders/2024/a.csv' });
    expect(parseInboxKey('inbox/loose.csv')).toEqual({ folder: '_unknown', name: 'loose.csv', path: 'loose.csv' });
  });

  it('fails on a key outside the inbox', () => {
    expect(() => parseInboxKey(`${LakePrefix.staging}orders/a.parquet`)).toThrow(/not an inbox key/);
  });

  it('ends every prefix with a slash and starts none with one', () => {
    for (const prefix of Object.values(LakePrefix)) expect(prefix).toMatch(/^[^/].*\/$/);
  });
});
