// STAND-IN for Amazon Athena's DuckDB engine, which cannot run here (no AWS account, no network).
// It is not Athena: it is DuckDB in this process playing the documented part of the service
// that the Athena engine relies on, so that a test can show the engine copes with it:
//   - one statement per request: a request of several statements fails;
//   - StartQueryExecution accepts anything; a bad statement fails when its state is polled;
//   - every request runs in a FRESH session (nothing carries over: no temp table, macro, SET);
//   - tables are Glue tables: a name, a folder, declared columns (a column no file has reads NULL);
//   - CREATE TABLE AS writes Parquet to its external location (a local folder standing in for
//     S3; the location must be empty, as Athena's CTAS documents) and registers the table;
//   - writes are not transactional: `interruptWriteOf` makes a CTAS leave a file and then fail;
//   - results come back as text, NULL as null (GetQueryResults).
// What it cannot show: Athena's own SQL surface, performance, IAM, and the real WITH properties.
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBSession, sqlIdent, sqlString } from '../../src/core/duckdb.js';
import { errorMessage } from '../../src/core/errors.js';
import type { AthenaQueries, QueryResults, QueryStatus } from '../../src/core/engine/athena-queries.js';

interface GlueTable {
  /** Local folder of the table's files. */
  readonly folder: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

interface Execution {
  readonly sql: string;
  status?: QueryStatus;
  results?: QueryResults;
}

export class DuckDBAthenaDouble implements AthenaQueries {
  readonly tables = new Map<string, GlueTable>();
  /** Every statement started, in order. */
  readonly requests: string[] = [];
  /** Tables whose CREATE TABLE AS writes its file and then fails, as an interrupted write would. */
  readonly interruptWriteOf = new Set<string>();
  private readonly executions = new Map<string, Execution>();
  private sequence = 0;

  /** `root`: the local folder standing in for the bucket; every location must lie under it. */
  constructor(
    private readonly root: string,
    private readonly workDir: string,
  ) {}

  /** A table as the construct creates it in Glue (e.g. a staging table over staging/<dataset>/). */
  registerTable(name: string, folder: string, columns: GlueTable['columns']): void {
    mkdirSync(this.local(folder), { recursive: true });
    this.tables.set(name, { folder: this.local(folder), columns });
  }

  async start(sql: string): Promise<string> {
    this.requests.push(sql);
    const id = `query-${++this.sequence}`;
    this.executions.set(id, { sql });
    return id;
  }

  /** The statement runs when its state is first asked for; RUNNING is never seen, which the engine's polling also handles. */
  async status(queryId: string): Promise<QueryStatus> {
    const execution = this.executions.get(queryId);
    if (!execution) throw new Error(`InvalidRequestException: QueryExecution ${queryId} was not found`);
    execution.status ??= await this.execute(queryId, execution);
    return execution.status;
  }

  async results(queryId: string): Promise<QueryResults> {
    const execution = this.executions.get(queryId);
    if (execution?.status?.state !== 'SUCCEEDED') throw new Error(`InvalidRequestException: query ${queryId} has not succeeded`);
    return execution.results ?? { columns: [], rows: [] };
  }

  private async execute(queryId: string, execution: Execution): Promise<QueryStatus> {
    const db = await DuckDBSession.open({ workDir: join(this.workDir, queryId), threads: 1 });
    try {
      const statements = await db.connection.extractStatements(execution.sql);
      if (statements.count !== 1) return failed(`a request holds one SQL statement; this one holds ${statements.count}`);
      const drop = /^\s*drop\s+table\s+(if\s+exists\s+)?([a-z0-9_]+)\s*$/i.exec(execution.sql);
      if (drop) {
        if (!this.tables.delete(drop[2]!) && !drop[1]) return failed(`table ${drop[2]} does not exist`);
        return { state: 'SUCCEEDED' };
      }
      const ctas = /^\s*create\s+table\s+([a-z0-9_]+)\s+with\s*\(([^)]*)\)\s+as\s+([\s\S]+)$/i.exec(execution.sql);
      if (ctas) return await this.createTableAs(db, queryId, ctas[1]!, ctas[2]!, ctas[3]!);
      await this.registerViews(db, execution.sql);
      const reader = await db.connection.runAndReadAll(execution.sql);
      execution.results = {
        columns: reader.columnNames(),
        rows: (reader.getRowsJson() as unknown[][]).map((row) => row.map((v) => (v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v)))),
      };
      return { state: 'SUCCEEDED' };
    } catch (error) {
      return failed(errorMessage(error));
    } finally {
      db.closeSync();
    }
  }

  private async createTableAs(db: DuckDBSession, queryId: string, name: string, properties: string, select: string): Promise<QueryStatus> {
    const location = /external_location\s*=\s*'([^']+)'/i.exec(properties)?.[1];
    if (!location) return failed('CREATE TABLE AS needs an external_location');
    if (this.tables.has(name)) return failed(`table ${name} already exists`);
    const folder = this.local(location);
    mkdirSync(folder, { recursive: true });
    if (readdirSync(folder).length > 0) return failed(`the location ${location} is not empty`);
    await this.registerViews(db, select);
    const described = await db.rows(`select column_name, column_type from (describe ${select})`);
    await db.run(`copy (${select}) to ${sqlString(join(folder, `${queryId}.parquet`))} (format parquet)`);
    if (this.interruptWriteOf.has(name)) return failed(`simulated: the write of ${name} was interrupted after a file was written`);
    this.tables.set(name, { folder, columns: described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })) });
    return { state: 'SUCCEEDED' };
  }

  /** Each Glue table the statement names, as a view over its folder's Parquet files, with the declared columns. */
  private async registerViews(db: DuckDBSession, sql: string): Promise<void> {
    for (const [name, table] of this.tables) {
      if (!new RegExp(`\\b${name}\\b`, 'i').test(sql)) continue;
      const files = readdirSync(table.folder, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet'));
      if (files.length === 0) {
        await db.run(`create view ${sqlIdent(name)} as select ${table.columns.map((c) => `cast(null as ${c.type}) as ${sqlIdent(c.name)}`).join(', ')} where false`);
        continue;
      }
      const source = `read_parquet([${files.map((f) => sqlString(join(table.folder, f))).join(', ')}], union_by_name = true)`;
      const present = new Set((await db.rows(`select column_name from (describe select * from ${source})`)).map((r) => String(r.column_name)));
      const columns = table.columns.map((c) => `cast(${present.has(c.name) ? sqlIdent(c.name) : 'null'} as ${c.type}) as ${sqlIdent(c.name)}`);
      await db.run(`create view ${sqlIdent(name)} as select ${columns.join(', ')} from ${source}`);
    }
  }

  private local(location: string): string {
    const path = resolve(location);
    if (!path.startsWith(resolve(this.root))) throw new Error(`location ${location} is outside the stand-in bucket ${this.root}`);
    return path;
  }
}

function failed(reason: string): QueryStatus {
  return { state: 'FAILED', reason };
}
