import { DuckDBSession, sqlIdent } from '../duckdb.js';
import type { ModelVersion } from '../models/model-declaration.js';
import { buildModel, type BuiltModel } from '../models/model-runner.js';
import type { StepRegistry } from '../models/model-step.js';

/**
 * What builds a run's model versions (in dependency order) on one engine. Whichever the engine,
 * when `build` returns, the model's table is in the run's DuckDB session under its model table
 * name if the rest of the run reads it there (publish, steps, targets); its data tests ran where
 * it was built, and a failing test is returned, not thrown.
 */
export interface ModelEngine {
  /** `in-process`: DuckDB in this process (local, one Lambda). `athena`: Athena's DuckDB engine. */
  readonly name: 'in-process' | 'athena';
  /** Builds one model version and runs its data tests; throws ModelError if it cannot be built. */
  build(model: ModelVersion): Promise<BuiltModel>;
  /** An empty table of a skipped model's shape, for the models that read it optionally. */
  standIn(model: ModelVersion): Promise<void>;
  /** Removes what the run left outside the lake's layout (Athena: its tables and files). Never throws; says what it could not do. */
  cleanUp(): Promise<string[]>;
}

/** An empty table of the model's declared columns. */
export function emptyTableSql(model: ModelVersion): string {
  return `select ${model.columns.map((c) => `cast(null as ${c.type}) as ${sqlIdent(c.name)}`).join(', ')} where false`;
}

/** The default engine: every model in the run's DuckDB session, as model-runner.ts builds it. */
export class InProcessEngine implements ModelEngine {
  readonly name = 'in-process';

  constructor(
    private readonly db: DuckDBSession,
    private readonly steps: StepRegistry,
  ) {}

  async build(model: ModelVersion): Promise<BuiltModel> {
    return await buildModel(this.db, model, this.steps);
  }

  async standIn(model: ModelVersion): Promise<void> {
    await this.db.run(`create or replace table ${sqlIdent(model.table)} as ${emptyTableSql(model)}`);
  }

  async cleanUp(): Promise<string[]> {
    return [];
  }
}
