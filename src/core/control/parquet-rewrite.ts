import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';

/** The names of a Parquet file's columns. */
export async function parquetColumns(db: DuckDBSession, path: string): Promise<string[]> {
  return (await db.rows(`select column_name from (describe select * from read_parquet(${sqlString(path)}))`)).map((r) => String(r.column_name));
}

/**
 * Writes `path`'s rows that pass `keep` (SQL over its columns) to `out`, ZSTD as every lake
 * Parquet file, with `replace` expressions for some columns and the file's key-value metadata
 * (a published table's run_id and as_of) carried over. Column types stay as they are, replaced ones too.
 */
export async function rewriteParquet(
  db: DuckDBSession,
  path: string,
  out: string,
  keep: string,
  replace: Readonly<Record<string, string>> = {},
): Promise<void> {
  const columns = await db.rows(`describe select * from read_parquet(${sqlString(path)})`);
  const select = columns.map(({ column_name, column_type }) => {
    const name = String(column_name);
    return replace[name] === undefined ? sqlIdent(name) : `cast(${replace[name]} as ${String(column_type)}) as ${sqlIdent(name)}`;
  });
  const metadata = await db.rows(`select decode(key) as key, decode(value) as value from parquet_kv_metadata(${sqlString(path)})`);
  const kv = metadata.length > 0 ? `, kv_metadata {${metadata.map((m) => `${sqlString(String(m.key))}: ${sqlString(String(m.value))}`).join(', ')}}` : '';
  await db.run(`copy (select ${select.join(', ')} from read_parquet(${sqlString(path)}) where ${keep}) to ${sqlString(out)} (format parquet, compression zstd${kv})`);
}
