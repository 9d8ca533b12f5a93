import type { DuckDBSession } from '../duckdb.js';
import { backtestClv } from '../predictive/clv-backtest.js';
import { fitClvModel, predictClv } from '../predictive/clv-steps.js';
import type { ModelVersion } from './model-declaration.js';

/**
 * A model built in TypeScript rather than SQL (statistical fitting SQL cannot do well).
 * It reads the tables it depends on from the DuckDB session and creates `table`; the
 * runner then checks, casts and tests it like any SQL model's output.
 */
export type TypeScriptStep = (context: { db: DuckDBSession; model: ModelVersion; table: string }) => Promise<void>;

/** Steps by the name a declaration gives in `step:`. */
export const TYPESCRIPT_STEPS: Record<string, TypeScriptStep> = {
  fit_clv_model: fitClvModel,
  predict_clv: predictClv,
  backtest_clv: backtestClv,
};
