import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { ingestLimits } from '../../src/core/ingest/ingest.js';
import { parseLakeSettings, readLakeSettings } from '../../src/core/settings/lake-settings.js';
import { tempLake } from '../helpers/temp-lake.js';

// The example of docs/metrics.md, "KPI targets", as written there.
const SPEC_EXAMPLE = `
key_features: [wishlist_add, review_posted]   # event names
login_event: login
session_gap_minutes: 30
gross_margin: 0.4
targets:
  - metric: loyalty_kpis_monthly.clv_formula
    comparator: at_least          # value >= threshold is met
    value: 100
  - metric: retention_monthly_v1.churn_rate
    comparator: at_most           # value <= threshold is met
    value: 0.05
    from: "2024-01"               # months before it are not evaluated
  - metric: segment_kpis_monthly.churn_rate
    comparator: at_most
    value: 0.08
    dimension: segment
    segment_value: gold
`;

describe('lake settings (loyaltylake.yml)', () => {
  it('gives the defaults when the lake has no settings file', async () => {
    const { lake } = tempLake();

    const loaded = await readLakeSettings(lake);

    expect(loaded.source).toBeUndefined();
    expect(loaded.settings).toEqual({
      // max_reject_share: issue 11's reject-share guard, 5% by default (docs/input-rules.md)
      ingest: { earliest_date: '1990-01-01', latest_date_days_ahead: 1, max_reject_share: 0.05 },
      key_features: [],
      login_event: 'login',
      session_gap_minutes: 30,
      targets: [],
    });
  });

  it('reads the ingest limits and turns them into the window and limits of an ingest', () => {
    const { settings } = parseLakeSettings('ingest:\n  earliest_date: 2000-01-01\n  latest_date_days_ahead: 3\n  max_inflated_bytes: 1048576\n');
    // 2024-02-27 + 3 days = 2024-03-01 (a leap year)
    expect(ingestLimits(settings, new Date('2024-02-27T23:59:00Z'))).toEqual({
      limits: { maxInflatedBytes: 1048576 },
      dates: { earliest: '2000-01-01', latest: '2024-03-01' },
      maxRejectShare: 0.05, // the default of issue 11's reject-share guard
    });
    expect(() => parseLakeSettings('ingest:\n  max_inflated_bytes: 0\n')).toThrow(/max_inflated_bytes/);
  });

  it("reads the spec's example from the lake root", async () => {
    const { lake, put } = tempLake();
    put('loyaltylake.yml', SPEC_EXAMPLE);

    const { settings, source, unknownKeys } = await readLakeSettings(lake);

    expect(source).toBe(`${lake.uri}/loyaltylake.yml`);
    expect(unknownKeys).toEqual([]);
    expect(settings.key_features).toEqual(['wishlist_add', 'review_posted']);
    expect(settings.gross_margin).toBe(0.4);
    expect(settings.targets).toEqual([
      { metric: 'loyalty_kpis_monthly.clv_formula', comparator: 'at_least', value: 100 },
      { metric: 'retention_monthly_v1.churn_rate', comparator: 'at_most', value: 0.05, from: '2024-01' },
      { metric: 'segment_kpis_monthly.churn_rate', comparator: 'at_most', value: 0.08, dimension: 'segment', segment_value: 'gold' },
    ]);
  });

  it('takes a currency in any case and stores it upper-case; reports keys no setting reads', () => {
    const { settings, unknownKeys } = parseLakeSettings('currency: eur\nsession_gap_minute: 20\n');

    expect(settings.currency).toBe('EUR');
    expect(settings.session_gap_minutes).toBe(30);
    expect(unknownKeys).toEqual(['session_gap_minute']);
  });

  it('treats an empty file as no settings', () => {
    expect(parseLakeSettings('# nothing yet\n').settings.targets).toEqual([]);
  });

  it.each([
    ['targets:\n  - metric: retention_monthly.churn_rate\n    comparator: below\n    value: 0.05\n', 'comparator'],
    ['targets:\n  - metric: churn_rate\n    comparator: at_most\n    value: 0.05\n', 'model.column'],
    ['targets:\n  - metric: a.b\n    comparator: at_most\n    value: 1\n    dimension: segment\n', 'dimension and segment_value go together'],
    ['targets:\n  - metric: a.b\n    comparator: at_most\n    value: 1\n    from: 2024-13\n', 'YYYY-MM'],
    ['gross_margin: 1.5\n', 'gross_margin'],
    ['currency: euro\n', 'ISO 4217'],
    ['ingest:\n  earliest_date: 1990\n', 'earliest_date'],
  ])('fails with the setting named for %j', (text, expected) => {
    expect(() => parseLakeSettings(text)).toThrow(ConfigError);
    expect(() => parseLakeSettings(text)).toThrow(expected);
  });

  it('fails on YAML that does not parse, naming the file and the line', () => {
    expect(() => parseLakeSettings('targets:\n  - metric: a.b\n   comparator: [\n', 's3://lake/loyaltylake.yml')).toThrow(
      /s3:\/\/lake\/loyaltylake\.yml is not valid YAML \(line \d+\)/,
    );
  });

  it('fails on a file that is a list, not settings', () => {
    expect(() => parseLakeSettings('- currency: EUR\n')).toThrow('must be a mapping of settings');
  });
});
