import type { DuckDBSession } from '../duckdb.js';
import { ModelError } from '../errors.js';
import type { ModelVersion } from './model-declaration.js';

/** What a step is given: the session, its model version, the tables of its inputs, and the table to create. */
export interface StepContext<Input extends string = string> {
  readonly db: DuckDBSession;
  readonly model: ModelVersion;
  /** For each input model the step reads, the table its declaration pins in depends_on (e.g. int_customer_rfm → int_customer_rfm_v1). */
  readonly inputs: Readonly<Record<Input, string>>;
  readonly table: string;
}

/**
 * A model built in code rather than SQL (statistical fitting SQL cannot do well). It reads
 * its inputs from the session and creates `table` with the declared columns; the runner then
 * checks, casts and tests it like any SQL model's output.
 */
export interface ModelStep<Input extends string = string> {
  /** The version of what the step computes: bump it when its results change meaning, and state it in the declaration. */
  readonly version: number;
  /** Models the step reads (names without version); the declaration's depends_on pins which version of each. */
  readonly inputs: readonly Input[];
  run(context: StepContext<Input>): Promise<void>;
}

/** Steps by the name a declaration gives in `step: { name }`: passed by the pipeline to the runner. */
export type StepRegistry = Readonly<Record<string, ModelStep>>;

/** A step, typed by the names of its inputs. */
export function defineStep<const Input extends string>(step: ModelStep<Input>): ModelStep {
  return step;
}

/**
 * Checks every step model against the registry before anything is built: the step exists,
 * has the version the declaration states, and every input it reads is in depends_on.
 */
export function checkSteps(models: readonly ModelVersion[], steps: StepRegistry): void {
  for (const model of models) if (model.step) stepInputs(model, steps);
}

/** The registered step of a step model with its inputs resolved to tables; throws ModelError if they do not fit. */
export function stepInputs(model: ModelVersion, steps: StepRegistry): { step: ModelStep; inputs: Record<string, string> } {
  const declared = model.step;
  if (!declared) throw new ModelError(model.table, 'is built from SQL, not by a step');
  const step = Object.hasOwn(steps, declared.name) ? steps[declared.name] : undefined;
  if (!step) {
    const known = Object.keys(steps).sort().join(', ') || 'none';
    throw new ModelError(model.table, `names step '${declared.name}', which is not registered (registered steps: ${known})`);
  }
  if (step.version !== declared.version) {
    throw new ModelError(
      model.table,
      `declares step ${declared.name} version ${declared.version}, but the registered step is version ${step.version}: state version ${step.version} in its declaration`,
    );
  }
  const inputs: Record<string, string> = {};
  for (const input of step.inputs) {
    const pinned = model.dependsOn.filter((table) => table.replace(/_v\d+$/, '') === input);
    if (pinned.length !== 1) {
      throw new ModelError(model.table, `step ${declared.name} reads ${input}: depends_on must name exactly one version of it (e.g. ${input}_v1)`);
    }
    inputs[input] = pinned[0]!;
  }
  return { step, inputs };
}
