// Staging's "latest landed wins" as one SQL statement per dataset (issue 15, item 3): over a
// table of every staged row (what the Glue table over staging/<dataset>/ reads), it gives the
// rows stage-inputs.ts gives in process, on a real local lake with re-exported rows.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetContracts } from '../../src/core/contracts/datasets.js';
import { DuckDBSession, sqlIdent, sqlString } from '../../src/core/duckdb.js';
import { anyCondition, stagingColumns, stagingStatement, stagingTableName } from '../../src/core/engine/staging-statement.js';
import { LakeKeys } from '../../src/core/lake/lake-layout.js';
import type { LocalLake } from '../../src/core/lake/local-lake.js';
import { stageInputs } from '../../src/core/pipeline/stage-inputs.js';
import { writeDemoInbox } from '../../src/demo/index.js';
import { csv, ingestOnly, tempDir, tempLake } from '../helpers/temp-lake.js';

type Row = Record<string, unknown>;

/** Each dataset's current rows: stage-inputs.ts in one session, the statement in a fresh session per dataset over a view named like the Glue table. */
async function bothWays(lake: LocalLake, dir: string): Promise<Map<string, { inProcess: Row[]; statement: Row[] }>> {
  const db = await DuckDBSession.open({ workDir: tempDir(), threads: 2 });
  const result = new Map<string, { inProcess: Row[]; statement: Row[] }>();
  try {
    await stageInputs(lake, db, tempDir());
    for (const contract of datasetContracts) {
      const order = contract.columns.map((c) => sqlIdent(c.name)).join(', ');
      const inProcess = await db.rows(`select * from ${sqlIdent(`stg_${contract.name}`)} order by ${order}`);
      const isolated = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
      try {
        const files = (await lake.list(LakeKeys.stagingFolder(contract.name))).map((o) => join(dir, o.key));
        const columns = stagingColumns(contract).map((c) => `cast(${sqlIdent(c.name)} as ${c.type}) as ${sqlIdent(c.name)}`);
        const table = sqlIdent(stagingTableName(contract.name));
        await isolated.run(
          files.length > 0
            ? `create view ${table} as select ${columns.join(', ')} from read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true)`
            : `create view ${table} as select ${stagingColumns(contract).map((c) => `cast(null as ${c.type}) as ${sqlIdent(c.name)}`).join(', ')} where false`,
        );
        const statement = await isolated.rows(`select * from (${stagingStatement(contract)}) as current_rows order by ${order}`);
        result.set(contract.name, { inProcess, statement });
      } finally {
        isolated.closeSync();
      }
    }
  } finally {
    db.closeSync();
  }
  return result;
}

describe('stagingStatement', () => {
  it('keeps the latest landed row of each key, as stage-inputs.ts does (hand-made re-export)', async () => {
    // Prepare: order o2 exported twice; the February file landed later, so its amount 25.00 wins.
    const { dir, lake, put } = tempLake();
    put('inbox/orders/january.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2026-01-05,10.00', 'o2,c1,2026-01-06,20.00'), new Date('2026-01-31T00:00:00Z'));
    put('inbox/orders/february.csv', csv('order_id,customer_id,ordered_at,amount', 'o2,c1,2026-01-06,25.00', 'o3,c2,2026-02-02,5.00'), new Date('2026-02-28T00:00:00Z'));
    // events have no key: the same event in both files counts once
    put('inbox/events/a.csv', csv('customer_id,event_name,occurred_at', 'c1,login,2026-01-05T10:00:00Z', 'c1,login,2026-01-05T10:00:00Z'), new Date('2026-01-31T00:00:00Z'));
    put('inbox/events/b.csv', csv('customer_id,event_name,occurred_at', 'c1,login,2026-01-05T10:00:00Z', 'c2,login,2026-01-06T10:00:00Z'), new Date('2026-02-28T00:00:00Z'));
    await ingestOnly(lake);

    // Act
    const current = await bothWays(lake, dir);

    // Assess: 3 orders (o1 10.00, o2 25.00, o3 5.00), status defaulted to 'completed'; 2 distinct events
    const orders = current.get('orders')!;
    expect(orders.statement.map((r) => [r.order_id, r.amount, r.status])).toEqual([
      ['o1', '10.00', 'completed'],
      ['o2', '25.00', 'completed'],
      ['o3', '5.00', 'completed'],
    ]);
    expect(current.get('events')!.statement.map((r) => r.customer_id)).toEqual(['c1', 'c2']);
    for (const [dataset, { inProcess, statement }] of current) expect(statement, dataset).toEqual(inProcess);
  }, 30_000);

  it('equals stage-inputs.ts on every dataset of the demo lake', async () => {
    // Prepare
    const { dir, lake } = tempLake();
    await writeDemoInbox(dir, { customers: 300 });
    await ingestOnly(lake);

    // Act
    const current = await bothWays(lake, dir);

    // Assess: the demo writes every dataset; each has rows and both ways agree row for row
    for (const [dataset, { inProcess, statement }] of current) {
      expect(inProcess.length, dataset).toBeGreaterThan(0);
      expect(statement, dataset).toEqual(inProcess);
    }
  }, 60_000);
});

describe('anyCondition', () => {
  it('leaves a row out when any rule says so, a NULL condition counting as no', () => {
    // Act
    const merged = anyCondition(new Map([['orders', "currency <> 'EUR'"]]), new Map([['orders', 'amount > 10'], ['events', 'false']]));

    // Assess
    expect(merged).toEqual(new Map([['orders', "(currency <> 'EUR') is true or (amount > 10) is true"], ['events', '(false) is true']]));
  });
});
