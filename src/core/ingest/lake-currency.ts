import { datasetContracts } from '../contracts/datasets.js';
import type { DatasetContract } from '../contracts/dataset-contract.js';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import type { Lake } from '../lake/lake.js';
import { localCopy, readJson, writeJson } from '../lake/lake-helpers.js';
import { LakeKeys } from '../lake/lake-layout.js';
import { leaveOut, type LeftOut, type StagedFiles } from './leave-out.js';

/** The lake's one currency and where it comes from. */
export interface LakeCurrency {
  /** ISO 4217, uppercase. */
  readonly code: string;
  /** `setting`: loyaltylake.yml's `currency`; `first_loaded_file`: the most common currency of the first file loaded with one. */
  readonly source: 'setting' | 'first_loaded_file';
  /** The inbox key of that first file. */
  readonly file?: string;
}

/** Datasets with a currency column, and that column. */
export const currencyDatasets: { contract: DatasetContract; column: string }[] = datasetContracts.flatMap((contract) =>
  contract.columns.filter((c) => c.type === 'currency').map((c) => ({ contract, column: c.name })),
);

/**
 * The lake's currency: the setting; else the one recorded when the first file with a currency
 * was loaded; else (a lake staged before currencies were recorded) the most common currency of
 * the earliest landed staging file that has one, recorded now. Undefined while no file had one.
 */
export async function lakeCurrency(lake: Lake, db: DuckDBSession, workDir: string, setting: string | undefined): Promise<LakeCurrency | undefined> {
  if (setting) return { code: setting, source: 'setting' };
  const recorded = await readJson<LakeCurrency>(lake, LakeKeys.lakeCurrency);
  if (recorded) return recorded;
  const staged = await earliestStagedCurrency(lake, db, workDir);
  if (staged) await recordCurrency(lake, staged);
  return staged;
}

export async function recordCurrency(lake: Lake, currency: LakeCurrency): Promise<void> {
  await writeJson(lake, LakeKeys.lakeCurrency, { code: currency.code, source: currency.source, file: currency.file });
}

/** SQL: the reason a row whose currency is `value` (SQL) is rejected with, in a lake of `currency`. */
export function otherCurrencyReason(value: string, currency: LakeCurrency): string {
  const why = currency.source === 'setting' ? 'set in loyaltylake.yml' : 'that of the first orders loaded; `currency` in loyaltylake.yml sets it';
  return `${sqlString('currency ')} || ${value} || ${sqlString(` is not the lake's currency ${currency.code} (${why})`)}`;
}

async function earliestStagedCurrency(lake: Lake, db: DuckDBSession, workDir: string): Promise<LakeCurrency | undefined> {
  const selects: string[] = [];
  for (const { contract, column } of currencyDatasets) {
    const files = (await lake.list(LakeKeys.stagingFolder(contract.name))).filter((o) => o.key.endsWith('.parquet'));
    if (files.length === 0) continue;
    const paths: string[] = [];
    for (const file of files) paths.push(await localCopy(lake, file.key, workDir));
    selects.push(`select _landed_at, _source_key, ${sqlIdent(column)} as currency
      from read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true) where ${sqlIdent(column)} is not null`);
  }
  if (selects.length === 0) return undefined;
  const [row] = await db.rows(`
    select _source_key, currency from (${selects.join(' union all ')})
    group by _landed_at, _source_key, currency
    order by _landed_at, _source_key, count(*) desc, currency
    limit 1`);
  return row ? { code: String(row.currency), source: 'first_loaded_file', file: String(row._source_key) } : undefined;
}

/** Per dataset with a currency column, SQL that holds for a row in another currency than the lake's. */
export function otherCurrencyConditions(currency: LakeCurrency): Map<string, string> {
  return new Map(
    currencyDatasets.map(({ contract, column }) => [contract.name, `${sqlIdent(column)} is not null and ${sqlIdent(column)} <> ${sqlString(currency.code)}`]),
  );
}

/** Leaves staged rows in another currency than the lake's out (see leaveOut): ingest rejects them, but an older version may have staged some. */
export async function leaveOutOtherCurrencies(db: DuckDBSession, currency: LakeCurrency, files: StagedFiles, workDir: string): Promise<LeftOut | undefined> {
  return await leaveOut(db, otherCurrencyConditions(currency), files, workDir);
}
