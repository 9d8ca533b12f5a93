// The stand-in for Athena's DuckDB engine (duckdb-athena-double.ts) reproduces the documented
// behaviours the engine must cope with; and runStatement, the engine's poll loop, copes.
import { describe, expect, it } from 'vitest';
import { AthenaQueryError, runStatement, selectCount, selectRows } from '../../src/core/engine/athena-queries.js';
import { tempDir } from '../helpers/temp-lake.js';
import { DuckDBAthenaDouble } from './duckdb-athena-double.js';

const noWait = { pollMs: 0 };

describe('DuckDBAthenaDouble, the stand-in for Athena', () => {
  it('accepts an invalid statement and fails it when its state is polled', async () => {
    // Prepare
    const double = new DuckDBAthenaDouble(tempDir(), tempDir());

    // Act
    const id = await double.start('select * from no_such_table');

    // Assess: a query id first (StartQueryExecution succeeds), the failure at poll time
    expect(id).toMatch(/^query-/);
    const status = await double.status(id);
    expect(status.state).toBe('FAILED');
    expect(status.reason).toMatch(/no_such_table/);
  });

  it('fails a request of more than one statement', async () => {
    // Prepare
    const double = new DuckDBAthenaDouble(tempDir(), tempDir());

    // Act
    const failure = await runStatement(double, 'select 1; select 2', noWait).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(AthenaQueryError);
    expect((failure as AthenaQueryError).reason).toBe('a request holds one SQL statement; this one holds 2');
  });

  it('runs each request on its own: a macro made by one is unknown to the next', async () => {
    // Prepare
    const double = new DuckDBAthenaDouble(tempDir(), tempDir());
    await runStatement(double, 'create macro add_one(x) as x + 1', noWait);

    // Act
    const failure = await runStatement(double, 'select add_one(1)', noWait).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(AthenaQueryError);
    expect((failure as AthenaQueryError).state).toBe('FAILED');
  });

  it('creates a table with CREATE TABLE AS at its location, reads it by name, refuses a location that is not empty', async () => {
    // Prepare
    const bucket = tempDir();
    const double = new DuckDBAthenaDouble(bucket, tempDir());
    const create = (table: string) =>
      `create table ${table} with (table_type = 'HIVE', format = 'PARQUET', external_location = '${bucket}/t/') as select 1 as a union all select null`;

    // Act
    await runStatement(double, create('t1'), noWait);
    const rows = await selectRows(double, 'select a from t1 order by a nulls last', noWait);
    const again = await runStatement(double, create('t2'), noWait).catch((error: unknown) => error);

    // Assess: values as text, NULL as null (GetQueryResults); two rows; the second CTAS refused
    expect(rows).toEqual({ columns: ['a'], rows: [['1'], [null]] });
    expect(await selectCount(double, 'select count(*) from t1', noWait)).toBe(2);
    expect((again as AthenaQueryError).reason).toMatch(/is not empty/);
  });
});

describe('runStatement', () => {
  it('polls until the query ends, waiting longer each time', async () => {
    // Prepare: QUEUED, RUNNING, RUNNING, then SUCCEEDED
    const states = ['QUEUED', 'RUNNING', 'RUNNING', 'SUCCEEDED'] as const;
    let polls = 0;
    const waits: number[] = [];
    const queries = {
      start: async () => 'q1',
      status: async () => ({ state: states[polls++]! }),
      results: async () => ({ columns: [], rows: [] }),
    };

    // Act
    const id = await runStatement(queries, 'select 1', { pollMs: 100, maxPollMs: 300, sleep: async (ms) => void waits.push(ms) });

    // Assess: 4 polls, 3 waits of 100, 200, then 300 (doubling, capped at maxPollMs)
    expect(id).toBe('q1');
    expect(polls).toBe(4);
    expect(waits).toEqual([100, 200, 300]);
  });
});
