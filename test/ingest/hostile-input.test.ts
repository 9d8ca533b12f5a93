import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBSession, sqlString } from '../../src/core/duckdb.js';
import { ingestInbox, type FileReport } from '../../src/core/ingest/ingest.js';
import type { InputLimits } from '../../src/core/ingest/read-input.js';
import { LocalLake } from '../../src/core/lake/local-lake.js';
import { gzipBomb, hostileCases, lines, manyKeysNdjson, type HostileFile } from '../helpers/hostile-inputs.js';
import { query, tempDir, tempLake } from '../helpers/temp-lake.js';

interface IngestSettings {
  readonly memoryLimit?: string;
  readonly limits?: InputLimits;
}

async function ingest(lake: LocalLake, settings: IngestSettings = {}): Promise<FileReport[]> {
  const workDir = tempDir();
  const db = await DuckDBSession.open({ workDir, threads: 2, memoryLimit: settings.memoryLimit });
  try {
    return await ingestInbox({ lake, db, workDir, runId: 'test', limits: settings.limits });
  } finally {
    db.closeSync();
  }
}

async function putAll(dir: string, put: (key: string, content: string | Buffer) => void, files: readonly HostileFile[], db: DuckDBSession) {
  for (const file of files) {
    if (typeof file.content === 'object' && 'parquetSql' in file.content) {
      put(file.key, '');
      await db.run(`copy (${file.content.parquetSql}) to ${sqlString(join(dir, file.key))} (format parquet)`);
    } else put(file.key, file.content);
  }
}

/** Checks a report against what the case expects, and that the lake's files agree with the counts. */
async function assessFile(db: DuckDBSession, dir: string, file: HostileFile, report: FileReport | undefined) {
  const { expected } = file;
  expect(report, file.key).toBeDefined();
  expect(report!.outcome, `${file.key}: ${report!.error ?? ''}`).toBe(expected.outcome);
  if (expected.outcome === 'quarantined') {
    expect(report!.error).toMatch(expected.error);
    expect(report!.error!.length).toBeLessThanOrEqual(500);
    const written = JSON.parse(readFileSync(join(dir, `${report!.quarantine_key}.error.json`), 'utf8'));
    if (expected.line !== undefined) expect(written.line).toBe(expected.line);
    return;
  }
  expect(report).toMatchObject({ rows_in: expected.rows_in, rows_loaded: expected.rows_loaded, rows_rejected: expected.rows_rejected });
  expect(report!.rows_loaded! + report!.rows_rejected!).toBe(report!.rows_in);
  const staged = `read_parquet(${sqlString(join(dir, report!.staging_key!))})`;
  expect(Number(await db.scalar(`select count(*) from ${staged}`))).toBe(expected.rows_loaded);
  if (expected.staged) {
    expect(await db.rows(`with staged as (select * from ${staged}) ${expected.staged.sql}`)).toEqual(expected.staged.rows);
  }
  if (expected.rows_rejected === 0) {
    expect(report!.rejects_key).toBeUndefined();
    return;
  }
  const rejectsFile = `read_parquet(${sqlString(join(dir, report!.rejects_key!))})`;
  const rejects = await db.rows(`select cast(_source_line as integer) as line, _reject_reason as reason from ${rejectsFile} order by line`);
  expect(rejects).toHaveLength(expected.rows_rejected);
  if (expected.rejects) expect(rejects.map((r) => `${r.line}: ${r.reason}`)).toEqual(expected.rejects);
  if (expected.rejectColumns) {
    const columns = (await db.rows(`select column_name from (describe select * from ${rejectsFile})`)).map((r) => r.column_name);
    expect(columns).toEqual(expect.arrayContaining([...expected.rejectColumns]));
  }
}

describe('hostile input: every file is loaded, rejected row by row or quarantined with its reason', () => {
  // All small cases go into one inbox and one run: each refused file must leave the others alone.
  const cases = hostileCases();
  const files = cases.flatMap((c) => c.files);
  let dir: string;
  let db: DuckDBSession;
  let reports: FileReport[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loyaltylake-hostile-'));
    db = await DuckDBSession.open({ workDir: join(dir, 'assess'), threads: 1 });
    const put = (key: string, content: string | Buffer) => {
      mkdirSync(dirname(join(dir, 'lake', key)), { recursive: true });
      writeFileSync(join(dir, 'lake', key), content);
    };
    await putAll(join(dir, 'lake'), put, files, db);
    reports = await ingest(new LocalLake(join(dir, 'lake')));
  }, 60_000);
  afterAll(() => {
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('handles every file exactly once', () => {
    expect(new Set(files.map((f) => f.key)).size).toBe(files.length);
    expect(reports.map((r) => r.key).sort()).toEqual(files.map((f) => f.key).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    for (const file of hostile.files) await assessFile(db, join(dir, 'lake'), file, reports.find((r) => r.key === file.key));
  });

  it('keeps the values as written, under the file own names, in rejects', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/own-names.csv', lines('Order_ID,customer_id,ordered_at,amount,__reason,_reject_reason', 'o1,c1,2024-01-01, 1_000 ,mine,theirs'));

    // Act
    const [report] = await ingest(lake);

    // Assess
    const [reject] = await query(`select * from read_parquet(${sqlString(join(dir, report!.rejects_key!))})`);
    expect(reject).toEqual({
      Order_ID: 'o1',
      customer_id: 'c1',
      ordered_at: '2024-01-01',
      amount: ' 1_000 ',
      __reason: 'mine',
      _reject_reason_2: 'theirs', // the file's own column, renamed beside ours
      _source_key: 'inbox/orders/own-names.csv',
      _source_line: '2',
      _reject_reason: "amount is not a valid decimal: '1_000'",
    });
  });

  it('quarantines a gzip bomb at the inflated-size cap and loads the next file', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/a-bomb.csv.gz', gzipBomb(8 << 20)); // 8 MiB of zeros in about 8 KiB
    put('inbox/orders/b-good.csv', lines('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-01,1'));

    // Act
    const reports = await ingest(lake, { limits: { maxInflatedBytes: 1 << 20 } });

    // Assess
    console.log(JSON.stringify(reports.map((r) => [r.outcome, r.error])));
    console.log(JSON.stringify(reports.map((r) => [r.outcome, r.error])));
    expect(reports.map((r) => r.outcome)).toEqual(['quarantined', 'loaded']);
    expect(reports[0]!.error).toBe('file inflates to more than 1 MiB (the limit for a decompressed file): split it, or raise the limit');
    expect(readFileSync(join(dir, reports[0]!.quarantine_key!))).toEqual(gzipBomb(8 << 20));
  });

  it('reads NDJSON with thousands of distinct keys in flat memory, keeping each reject line whole', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    const count = Number(process.env.HOSTILE_MANY_KEYS ?? 5000);
    put('inbox/orders/many-keys.jsonl', manyKeysNdjson(count));

    // Act
    const started = Date.now();
    const [report] = await ingest(lake, { memoryLimit: '256MB' });

    // Assess
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: count, rows_loaded: count - 1, rows_rejected: 1 });
    expect(report!.notes).toEqual([`${count} keys outside the contract not kept (more than 100); rejects keep each line whole`]);
    const [reject] = await query(`select order_id, _source_json, _reject_reason from read_parquet(${sqlString(join(dir, report!.rejects_key!))})`);
    expect(reject).toEqual({
      order_id: `o${count}`,
      _source_json: JSON.stringify({ order_id: `o${count}`, customer_id: 'c1', ordered_at: '2024-01-01', amount: -1, [`key_${count}`]: `v${count}` }),
      _reject_reason: 'amount must be ≥ 0, got -1; refunded_amount is greater than amount', // refunded_amount defaults to 0
    });
    const stagedColumns = await query(`select column_name from (describe select * from read_parquet(${sqlString(join(dir, report!.staging_key!))}))`);
    expect(stagedColumns.map((c) => c.column_name)).not.toContain('key_1');
  });

  it('quarantines a file that runs out of memory, saying so', async () => {
    // Prepare
    const { lake, put } = tempLake();
    const rows = Array.from({ length: 20_000 }, (_, i) => `o${i},c${i},2024-01-01,${'9'.repeat(10)},completed`);
    put('inbox/orders/big.csv', lines(ORDERS_HEADER, ...rows));

    // Act: DuckDB's CSV reader alone takes a 32 MiB buffer
    const [report] = await ingest(lake, { memoryLimit: '16MB' });

    // Assess
    expect(report!.outcome).toBe('quarantined');
    expect(report!.error).toMatch(/^out of memory reading the file \(could not allocate block of size .+\): raise the memory limit, or split the file$/);
  });
});

const ORDERS_HEADER = 'order_id,customer_id,ordered_at,amount,status';
