import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExampleQueries, type ExampleQuery } from '../../infra/example-queries.js';
import { glueTablesOf } from '../../infra/glue-tables.js';
import { writeDemoInbox } from '../../src/demo/index.js';
import { DuckDBSession, sqlIdent, sqlString } from '../../src/core/duckdb.js';
import { LocalLake } from '../../src/core/lake/local-lake.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';

/**
 * The example Athena queries of sql/queries run on Athena (Trino), which this machine cannot
 * run. So each one is run here in DuckDB over the demo lake's published tables, registered
 * under the names Glue gives them, and checked for DuckDB-only syntax that Trino would refuse
 * or read differently. The queries name tables unqualified: Athena resolves them in the named
 * query's database.
 */
const DUCKDB_ONLY: [construct: string, pattern: RegExp][] = [
  ['`::` casts (Trino: cast(x as t))', /::/],
  ["unquoted interval amounts (Trino: interval '1' month)", /\binterval\s+\d/i],
  ["an interval with its unit inside the quotes (Trino: interval '1' month)", /\binterval\s+'[^']*[a-z]/i],
  ['star modifiers (* exclude / * replace / * rename)', /\*\s*(exclude|replace|rename)\b/i],
  ['group by all / order by all', /\b(group|order)\s+by\s+all\b/i],
  ['date_add / date_sub / date_diff / datediff (argument order and units differ between the two)', /\b(date_add|date_sub|date_diff|datediff)\s*\(/i],
  ['qualify', /\bqualify\b/i],
  ['ilike', /\bilike\b/i],
  ['union by name', /\bunion\s+(all\s+)?by\s+name\b/i],
  ['pivot / unpivot', /\b(un)?pivot\b/i],
  ['generate_series / range (Trino: sequence)', /\b(generate_series|range)\s*\(/i],
  ['strftime / strptime (Trino: format_datetime / date_parse)', /\bstr[fp]time\s*\(/i],
  ['arg_max / arg_min (Trino: max_by / min_by)', /\barg_(max|min)\s*\(/i],
  ['list_* and struct_* functions', /\b(list|struct)_\w+\s*\(/i],
  ['file readers (read_parquet, read_csv, …)', /\bread_\w+\s*\(/i],
  ['from-first selects', /^\s*from\b/i],
  ['== comparisons', /==/],
];

const queries = loadExampleQueries();
const glueTables = glueTablesOf(loadModels(defaultModelsDir()).filter((m) => m.publish));

describe('example Athena queries', () => {
  let root: string;
  let db: DuckDBSession;

  beforeAll(async () => {
    // The demo lake, built once for every query.
    root = mkdtempSync(join(tmpdir(), 'loyaltylake-queries-'));
    const lakeDir = join(root, 'lake');
    await writeDemoInbox(lakeDir, { customers: 1500 });
    const manifest = await runPipeline({ lake: new LocalLake(lakeDir), threads: 2, scratchDir: root });
    expect(manifest.status).toBe('succeeded');
    db = await DuckDBSession.open({ workDir: mkdtempSync(join(root, 'duckdb-')), threads: 2 });
    for (const table of glueTables) {
      const files = join(lakeDir, table.folder, table.history ? '*/*/data.parquet' : 'data.parquet');
      await db.run(`create view ${sqlIdent(table.name)} as select * from read_parquet(${sqlString(files)}, hive_partitioning = ${table.history})`);
    }
  }, 120_000);

  afterAll(() => {
    db?.closeSync();
    rmSync(root, { recursive: true, force: true });
  });

  const rowsOf = (query: ExampleQuery) => db.rows(query.sql);

  it.each(queries.map((query) => [query.name, query] as const))('%s uses no DuckDB-only syntax and reads only Glue tables', (_name, query) => {
    const code = query.sql.replace(/--.*$/gm, '').replace(/'[^']*'/g, (literal) => (/^'\d+'$/.test(literal) ? literal : "''"));
    for (const [construct, pattern] of DUCKDB_ONLY) expect(code, `${query.name} uses ${construct}`).not.toMatch(pattern);
    const tablesRead = [...code.matchAll(/\b(?:from|join)\s+([a-z_0-9]+)/gi)].map((match) => match[1]);
    expect(tablesRead.length).toBeGreaterThan(0);
    for (const table of tablesRead) expect(glueTables.map((t) => t.name), `${query.name} reads ${table}`).toContain(table);
  });

  it('the rejected-syntax list catches what it names', () => {
    const samples = ["select x::date", 'select interval 1 month', "select interval '1 month'", 'select * exclude (a) from t', 'select a from t group by all', "select date_diff('day', a, b)", 'from t select a', 'select arg_max(a, b) from t'];
    for (const sample of samples) expect(DUCKDB_ONLY.some(([, pattern]) => pattern.test(sample)), sample).toBe(true);
    expect(DUCKDB_ONLY.some(([, pattern]) => pattern.test("select cast(a as date) - interval '11' month from t"))).toBe(false);
  });

  it('retention-triangle: every period of the 12 newest cohorts, in cohort and period order', async () => {
    // Prepare
    const newest = await db.rows('select distinct cohort_month from cohort_retention order by cohort_month desc limit 12');
    const expected = await db.rows(
      `select count(*) as n from cohort_retention where cohort_month in (select distinct cohort_month from cohort_retention order by cohort_month desc limit 12)`,
    );

    // Act
    const rows = await rowsOf(queries.find((q) => q.name === 'loyaltylake-retention-triangle')!);

    // Assess
    expect(newest).toHaveLength(12);
    expect([...new Set(rows.map((r) => String(r.cohort_month)))].sort()).toEqual(newest.map((r) => String(r.cohort_month)).sort());
    expect(rows).toHaveLength(Number(expected[0]!.n));
    const order = rows.map((r) => `${String(r.cohort_month)}#${String(r.period_number).padStart(4, '0')}`);
    expect(order).toEqual([...order].sort());
  });

  it('churn-trend: the 24 newest months, newest first, with the churn window', async () => {
    // Prepare
    const [{ newest, months }] = (await db.rows('select cast(max(month) as varchar) as newest, count(*) as months from retention_monthly')) as [{ newest: string; months: bigint }];

    // Act
    const rows = await rowsOf(queries.find((q) => q.name === 'loyaltylake-churn-trend')!);

    // Assess
    expect(Number(months)).toBeGreaterThanOrEqual(24);
    expect(rows).toHaveLength(24);
    expect(String(rows[0]!.month)).toBe(newest);
    const months24 = rows.map((r) => String(r.month));
    expect(months24).toEqual([...months24].sort().reverse());
    expect(new Set(rows.map((r) => Number(r.churn_window_days)))).toEqual(new Set([90]));
  });

  it('top-customers: the 100 customers with the highest revenue, highest first', async () => {
    // Prepare
    const top = await db.rows('select customer_id from customer_summary order by revenue desc, customer_id limit 100');

    // Act
    const rows = await rowsOf(queries.find((q) => q.name === 'loyaltylake-top-customers')!);

    // Assess
    expect(rows.map((r) => r.customer_id)).toEqual(top.map((r) => r.customer_id));
    const revenues = rows.map((r) => Number(r.revenue));
    expect(revenues).toEqual([...revenues].sort((a, b) => b - a));
  });

  it('every query has a test of its result above', () => {
    expect(queries.map((q) => q.name).sort()).toEqual(['loyaltylake-churn-trend', 'loyaltylake-retention-triangle', 'loyaltylake-top-customers']);
  });
});
