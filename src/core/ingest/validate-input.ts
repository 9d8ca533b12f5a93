import type { DatasetContract } from '../contracts/dataset-contract.js';
import type { DuckDBSession } from '../duckdb.js';
import { declaredReadings, detectReadings, localeColumns } from './detect-formats.js';
import { validationSql, type DateWindow, type LocaleOptions, type SourceColumn } from './validate-sql.js';
import type { DeclaredFormats } from './value-formats.js';

export interface InputToValidate {
  readonly contract: DatasetContract;
  /** The relation read (`raw_input`, or a preset's mapping) and the contract's columns in it (see validationSql). */
  readonly source: string;
  readonly sourceColumns: ReadonlyMap<string, SourceColumn>;
  readonly extraColumns: readonly string[];
  readonly dates?: DateWindow;
  /** A CSV file: its amounts and dates may be written in a locale's conventions (value-formats.ts). */
  readonly csv: boolean;
  readonly formats?: DeclaredFormats;
  readonly lakeCurrency?: string;
  /** The table written. @default 'checked_input' */
  readonly table?: string;
  /** Whether the source has `__line` (the table then has it too). @default true */
  readonly numbered?: boolean;
}

/**
 * Creates the temp table `checked_input` (or `input.table`; validationSql) in one pass over the input, in which
 * parse errors surface. That pass also keeps the few values that may be in a locale's
 * conventions; only an input that has such values is read again, in the conventions they prove.
 */
export async function validateInput(db: DuckDBSession, input: InputToValidate): Promise<void> {
  const { contract, sourceColumns } = input;
  const readings = input.csv ? declaredReadings(contract, input.formats) : new Map();
  const locale: LocaleOptions = {
    readings,
    collect: input.csv ? localeColumns(contract).filter((name) => !readings.has(name) && sourceColumns.has(name)) : [],
    lakeCurrency: input.lakeCurrency,
  };
  const check = (options: LocaleOptions) =>
    `create or replace temp table ${input.table ?? 'checked_input'} as ${validationSql(contract, sourceColumns, input.extraColumns, input.source, input.dates, options, input.numbered ?? true)}`;
  await db.run(check(locale));
  const detected = await detectReadings(db, contract, locale.collect ?? [], { relation: input.source, columns: sourceColumns }, input.table);
  if (detected.size > 0) await db.run(check({ ...locale, readings: new Map([...readings, ...detected]), collect: [] }));
}
