import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface DuckDBSettings {
  /** Folder for spill files, DuckDB's home and extension directories. */
  readonly workDir: string;
  /** e.g. '2GB'; @default - DuckDB's own default (80% of RAM) */
  readonly memoryLimit?: string;
  /** @default - DuckDB's own default (all cores) */
  readonly threads?: number;
}

/** An in-memory DuckDB session, set up the same way everywhere: config, then UTC. */
export class DuckDBSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(settings: DuckDBSettings): Promise<DuckDBSession> {
    const tempDirectory = join(settings.workDir, 'duckdb-spill');
    const homeDirectory = join(settings.workDir, 'duckdb-home');
    mkdirSync(tempDirectory, { recursive: true });
    mkdirSync(homeDirectory, { recursive: true });
    const options: Record<string, string> = {
      // No extension is ever fetched: parquet, json and icu are linked in.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      temp_directory: tempDirectory,
      home_directory: homeDirectory,
      extension_directory: join(homeDirectory, 'extensions'),
    };
    if (settings.memoryLimit) options.memory_limit = settings.memoryLimit;
    if (settings.threads) options.threads = String(settings.threads);
    const instance = await DuckDBInstance.create(':memory:', options);
    const connection = await instance.connect();
    await connection.run("set TimeZone = 'UTC'");
    return new DuckDBSession(instance, connection);
  }

  async run(sql: string, values?: DuckDBValue[]): Promise<void> {
    await this.connection.run(sql, values);
  }

  /** Rows as plain JSON values (BIGINT and DECIMAL come back as strings, DATE as 'YYYY-MM-DD'). */
  async rows(sql: string, values?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql, values);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  async scalar(sql: string, values?: DuckDBValue[]): Promise<unknown> {
    const [row] = await this.rows(sql, values);
    return row ? Object.values(row)[0] : undefined;
  }

  closeSync(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
