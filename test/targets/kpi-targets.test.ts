import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { ConfigError } from '../../src/core/errors.js';
import { loadModels, type ModelVersion } from '../../src/core/models/model-declaration.js';
import { buildModel } from '../../src/core/models/model-runner.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { parseLakeSettings } from '../../src/core/settings/lake-settings.js';
import { targetsSteps } from '../../src/core/targets/targets-step.js';
import { missedTargets, resolveTargets, targetsLast, type TargetSetting } from '../../src/core/targets/targets.js';
import { tempDir } from '../helpers/temp-lake.js';

const declared = loadModels(defaultModelsDir());
const kpiTargets = declared.find((m) => m.table === 'kpi_targets_monthly_v1')!;

/**
 * A stand-in segment table (segment_kpis_monthly is another helper's): one row per dimension,
 * segment_value and month, declared like a published segment model.
 */
const fakeSegmentModel: ModelVersion = {
  ...declared.find((m) => m.table === 'retention_monthly_v1')!,
  model: 'fake_segment_kpis_monthly',
  version: 1,
  table: 'fake_segment_kpis_monthly_v1',
  grain: ['dimension', 'segment_value', 'month'],
  columns: [
    { name: 'dimension', type: 'VARCHAR', description: 'd', tests: [] },
    { name: 'segment_value', type: 'VARCHAR', description: 's', tests: [] },
    { name: 'month', type: 'DATE', description: 'm', tests: [] },
    { name: 'churn_rate', type: 'DOUBLE', description: 'c', tests: [] },
  ],
};
const models = [...declared, fakeSegmentModel];

const targets = (yaml: string): TargetSetting[] => parseLakeSettings(yaml).settings.targets;

let db: DuckDBSession;
beforeEach(async () => {
  db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  // As of 2024-04-15: January to March complete, April partial; March is the latest complete month.
  await db.run(`create table int_months_v1 as select * from (values
      (date '2024-01-01', false), (date '2024-02-01', false), (date '2024-03-01', false), (date '2024-04-01', true)
    ) as t(month, is_partial_period)`);
  await db.run(`create table loyalty_kpis_monthly_v1 as select * from (values
      (date '2024-01-01', 120.0), (date '2024-02-01', 100.0), (date '2024-03-01', null), (date '2024-04-01', 80.0)
    ) as t(month, clv_formula)`);
  await db.run(`create table retention_monthly_v1 as select * from (values
      (date '2024-01-01', 0.10), (date '2024-02-01', 0.05), (date '2024-03-01', 0.06), (date '2024-04-01', 0.02)
    ) as t(month, churn_rate)`);
  await db.run(`create table fake_segment_kpis_monthly_v1 as select * from (values
      ('segment', 'gold', date '2024-01-01', 0.10), ('segment', 'gold', date '2024-03-01', 0.09),
      ('segment', 'silver', date '2024-01-01', 0.50), ('segment', 'silver', date '2024-03-01', 0.50),
      ('all', 'all', date '2024-03-01', 0.01)
    ) as t(dimension, segment_value, month, churn_rate)`);
});
afterEach(() => db.closeSync());

const SETTINGS = `
targets:
  - metric: loyalty_kpis_monthly.clv_formula
    comparator: at_least
    value: 100
  - metric: retention_monthly_v1.churn_rate
    comparator: at_most
    value: 0.05
    from: "2024-02"
  - metric: fake_segment_kpis_monthly.churn_rate
    comparator: at_most
    value: 0.08
    dimension: segment
    segment_value: gold
`;

async function build(settings: string) {
  const built = await buildModel(db, kpiTargets, targetsSteps(resolveTargets(targets(settings), models)));
  const rows = await db.rows(`
    select target, segment_value, strftime(month, '%Y-%m') as month, value, comparator, threshold, is_met, is_partial_period
    from kpi_targets_monthly_v1 order by target, month`);
  return { built, rows };
}

describe('kpi_targets_monthly', () => {
  it('evaluates at_least, at_most, a NULL value, from and a segment target month by month', async () => {
    // Act
    const { built, rows } = await build(SETTINGS);

    // Assess
    expect(built.tests.filter((t) => !t.passed)).toEqual([]);
    const row = (target: string, month: string, value: number | null, threshold: number, isMet: boolean | null, partial = false) => ({
      target,
      segment_value: target.startsWith('fake') ? 'gold' : null,
      month,
      value,
      comparator: target.includes('churn') ? 'at_most' : 'at_least',
      threshold,
      is_met: isMet,
      is_partial_period: partial,
    });
    const clv = 'loyalty_kpis_monthly.clv_formula';
    const churn = 'retention_monthly_v1.churn_rate';
    const gold = 'fake_segment_kpis_monthly.churn_rate';
    expect(rows).toEqual([
      // gold only (silver and all left out); February is not in the table, so not evaluated.
      row(gold, '2024-01', 0.1, 0.08, false), // 0.10 > 0.08
      row(gold, '2024-03', 0.09, 0.08, false), // 0.09 > 0.08
      row(clv, '2024-01', 120, 100, true), // 120 >= 100
      row(clv, '2024-02', 100, 100, true), // 100 >= 100: equal is met
      row(clv, '2024-03', null, 100, null), // NULL value: is_met NULL
      row(clv, '2024-04', 80, 100, false, true), // 80 < 100, partial month
      // from 2024-02: January (0.10) not evaluated
      row(churn, '2024-02', 0.05, 0.05, true), // 0.05 <= 0.05: equal is met
      row(churn, '2024-03', 0.06, 0.05, false), // 0.06 > 0.05
      row(churn, '2024-04', 0.02, 0.05, true, true), // 0.02 <= 0.05, partial month
    ]);
  });

  it('alerts on the targets missed in the latest complete month only', async () => {
    // Prepare
    await build(SETTINGS);

    // Act
    const alerts = await missedTargets(db, models);

    // Assess: March is the latest complete month. Missed there: gold churn 0.09 > 0.08 and churn 0.06 > 0.05.
    // Not alerts: CLV in March is NULL (unknown, not missed); CLV 80 in April (partial); gold and churn in January (not latest).
    expect(alerts).toEqual([
      { target: 'fake_segment_kpis_monthly.churn_rate', dimension: 'segment', segment_value: 'gold', month: '2024-03', value: 0.09, threshold: 0.08, comparator: 'at_most' },
      { target: 'retention_monthly_v1.churn_rate', month: '2024-03', value: 0.06, threshold: 0.05, comparator: 'at_most' },
    ]);
  });

  it('publishes no rows without targets', async () => {
    // Act
    const { built, rows } = await build('{}');

    // Assess
    expect(built.rows).toBe(0);
    expect(rows).toEqual([]);
    expect(await missedTargets(db, models)).toEqual([]);
  });

  it('is built after every other model', () => {
    // Act
    const ordered = targetsLast(declared);

    // Assess
    expect(ordered.at(-1)!.table).toBe('kpi_targets_monthly_v1');
    expect(ordered).toHaveLength(declared.length);
  });
});

describe('resolveTargets', () => {
  const problem = (yaml: string) => {
    try {
      resolveTargets(targets(yaml), models);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('no error');
  };
  const target = (fields: string) => `targets:\n  - { comparator: at_least, value: 1, ${fields} }`;

  it('resolves the latest version, or the pinned one', () => {
    expect(resolveTargets(targets(SETTINGS), models).map((t) => `${t.table}.${t.column}`)).toEqual([
      'loyalty_kpis_monthly_v1.clv_formula',
      'retention_monthly_v1.churn_rate',
      'fake_segment_kpis_monthly_v1.churn_rate',
    ]);
  });

  it('names a column that does not exist, with the columns that do', () => {
    const message = problem(target('metric: loyalty_kpis_monthly.clv_formla'));
    expect(message).toContain("target 'loyalty_kpis_monthly.clv_formla' names column 'clv_formla', which loyalty_kpis_monthly_v1 does not have");
    expect(message).toContain('clv_formula');
  });

  it('names a model or version that does not exist, a column that is no number, a table without months or segment fields that do not fit', () => {
    expect(problem(target('metric: loyalty_kpi_monthly.orders'))).toMatch(/names model 'loyalty_kpi_monthly', which does not exist \(published models: .*loyalty_kpis_monthly/);
    expect(problem(target('metric: retention_monthly_v7.churn_rate'))).toContain('names version 7 of retention_monthly, which does not exist (versions: retention_monthly_v1)');
    expect(problem(target('metric: int_months.days_counted'))).toContain('names int_months_v1, which is not published');
    expect(problem(target('metric: loyalty_kpis_monthly.is_partial_period'))).toContain('which is BOOLEAN, not a number');
    expect(problem(target('metric: customer_summary.orders'))).toContain('which has no month column');
    expect(problem(target('metric: fake_segment_kpis_monthly.churn_rate'))).toContain('a segment table: give a dimension and a segment_value');
    expect(problem(target('metric: retention_monthly.churn_rate, dimension: segment, segment_value: gold'))).toContain(
      'has no dimension and segment_value columns',
    );
    expect(problem(`${target('metric: retention_monthly.churn_rate')}\n${target('metric: retention_monthly.churn_rate').split('\n')[1]}`)).toContain('is listed twice');
  });
});
