// numberColumns (clv-steps.ts): a query's DOUBLE columns read chunk by chunk from DuckDB's vectors.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { numberColumns } from '../../src/core/predictive/clv-steps.js';
import { tempDir } from '../helpers/temp-lake.js';

describe('numberColumns', () => {
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  });
  afterEach(() => db.closeSync());

  it('reads every row of a result longer than one chunk (2,048 rows), in order', async () => {
    // 5,000 rows: i and i / 4 for i = 0 … 4,999, so the sums are 4999·5000/2 = 12,497,500 and a quarter of it
    const { i, quarter } = await numberColumns(db, 'select cast(range as double) as i, range / 4 as quarter from range(5000) order by range');
    expect(i).toHaveLength(5000);
    expect(i!.every((value, k) => value === k)).toBe(true);
    expect(quarter!.reduce((a, b) => a + b, 0)).toBe(12_497_500 / 4);
  });

  it('refuses a column that is not DOUBLE, and a NULL, rather than turning either into a number', async () => {
    await expect(numberColumns(db, 'select 1::bigint as n')).rejects.toThrow(/column n is BIGINT, not DOUBLE: cast it in the query/);
    await expect(numberColumns(db, 'select 1.5::double as x union all select null')).rejects.toThrow(/column x holds a NULL/);
  });
});
