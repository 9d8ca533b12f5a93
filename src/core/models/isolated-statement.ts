import { sqlIdent, sqlString } from '../duckdb.js';
import { ModelError } from '../errors.js';
import type { ModelVersion } from './model-declaration.js';

/** A run's parameters, as the models read them from `run_params`. */
export interface RunParams {
  /** YYYY-MM-DD */
  readonly asOf: string;
  readonly churnWindowDays: number;
}

/** The tables a SQL model version reads: the staging view of each dataset it names, then the model tables it depends on. */
export function modelInputs(model: ModelVersion): { readonly datasets: string[]; readonly tables: string[] } {
  return {
    datasets: [...new Set([...model.requires, ...model.optionalRequires])],
    tables: [...new Set([...model.dependsOn, ...model.optionalDependsOn])],
  };
}

/**
 * A SQL model version as one self-contained SELECT, for an engine where each statement runs on
 * its own (Athena's DuckDB engine: no temp table, macro or SET carries over): the run's
 * parameters are a literal `run_params` CTE instead of the session's table, and the output is
 * cast to the declared types in the declared grain order. Its only other inputs are named
 * tables: `stg_<dataset>` and the model tables of its declaration (modelInputs).
 */
export function isolatedStatement(model: ModelVersion, params: RunParams): string {
  if (model.step) throw new ModelError(model.table, `is built by step ${model.step.name}, not by one SQL statement`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(params.asOf) || !Number.isInteger(params.churnWindowDays)) {
    throw new ModelError(model.table, `invalid run parameters ${JSON.stringify(params)}`);
  }
  const opening = /^\s*with\b/i;
  // Every model opens with its import CTEs (test/models/model-sql.test.ts): run_params joins them.
  if (!opening.test(model.sql)) throw new ModelError(model.table, `SQL does not open with a WITH clause (${model.source})`);
  const runParams = `run_params as (select cast(${sqlString(params.asOf)} as date) as as_of_date, cast(${params.churnWindowDays} as integer) as churn_window_days)`;
  const body = model.sql.replace(opening, `with ${runParams},`);
  const casts = model.columns.map((c) => `cast(${sqlIdent(c.name)} as ${c.type}) as ${sqlIdent(c.name)}`);
  return `select ${casts.join(', ')}\nfrom (\n${body}\n) as model_output\norder by ${model.grain.map(sqlIdent).join(', ')}`;
}
