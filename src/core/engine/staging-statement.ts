import type { DatasetContract } from '../contracts/dataset-contract.js';
import { sqlIdent } from '../duckdb.js';
import { STAGED_TYPE } from '../ingest/validate-sql.js';

/** The columns every staging file carries beside the contract's (stage-file.ts), with their staged types. */
export const STAGING_META_COLUMNS = [
  { name: '_source_key', type: 'VARCHAR' },
  { name: '_source_line', type: 'BIGINT' },
  { name: '_landed_at', type: 'TIMESTAMP' },
] as const;

/** The Glue table over `staging/<dataset>/`: every staged row of every file, duplicates included. */
export function stagingTableName(dataset: string): string {
  return `staging_${dataset}`;
}

/** The table of a dataset's current rows, under the name the models read. */
export function currentTableName(dataset: string): string {
  return `stg_${dataset}`;
}

/** Columns of the Glue staging table of a dataset, with their staged (DuckDB) types: the contract's, then the meta columns. */
export function stagingColumns(contract: DatasetContract): { name: string; type: string }[] {
  return [...contract.columns.map((c) => ({ name: c.name, type: STAGED_TYPE[c.type] })), ...STAGING_META_COLUMNS];
}

/**
 * One SELECT turning a dataset's staging table (every staged row) into its current rows, the
 * rule of stage-inputs.ts in SQL, so it can run on an engine that reads the staging files as a
 * table: one row per primary key, the latest landed winning (ties: the later key, then the later
 * line); without a key, identical rows count once. A column with a default that an older
 * staging file lacks reads NULL in a table over many files; it gets the default here
 * (stage-inputs.ts gives the default only when no file has the column: see docs/athena.md).
 */
export function stagingStatement(contract: DatasetContract, stagingTable = stagingTableName(contract.name)): string {
  const columns = contract.columns.map((c) => {
    const name = sqlIdent(c.name);
    return c.default === undefined ? name : `coalesce(${name}, cast(${c.default} as ${STAGED_TYPE[c.type]})) as ${name}`;
  });
  const source = sqlIdent(stagingTable);
  if (contract.primaryKey.length === 0) {
    return `select ${columns.join(', ')}\nfrom ${source}\ngroup by all`;
  }
  return `select ${columns.join(', ')}
from ${source}
qualify row_number() over (
    partition by ${contract.primaryKey.map(sqlIdent).join(', ')}
    order by _landed_at desc, _source_key desc, _source_line desc
) = 1`;
}

/**
 * The leave-out conditions of several rules (currency, range) as one per dataset, for
 * AthenaEngine.stage: a row is left out when any of them holds.
 */
export function anyCondition(...rules: ReadonlyMap<string, string>[]): Map<string, string> {
  const merged = new Map<string, string[]>();
  for (const rule of rules) for (const [dataset, condition] of rule) merged.set(dataset, [...(merged.get(dataset) ?? []), condition]);
  return new Map([...merged].map(([dataset, conditions]) => [dataset, conditions.map((c) => `(${c}) is true`).join(' or ')]));
}
