import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModels } from '../src/core/models/model-declaration.js';
import { defaultModelsDir } from '../src/core/paths.js';

/** The first release's four orders models, the subject of issue 12's "orders models only" ratio. */
export const ORDERS_MODELS = ['customer_summary', 'cohort_retention', 'retention_monthly', 'loyalty_kpis_monthly'] as const;

/**
 * Copies into `dir` the model folders the orders models need (theirs and every dependency's,
 * every version), so that a pipeline run with `modelsDir: dir` builds only those.
 */
export function ordersModelsDir(dir: string): string {
  const models = loadModels(defaultModelsDir());
  const folderOfTable = new Map(models.map((m) => [m.table, m.model]));
  const folders = new Set<string>(ORDERS_MODELS);
  for (let size = 0; size !== folders.size; ) {
    size = folders.size;
    for (const model of models.filter((m) => folders.has(m.model))) {
      for (const table of [...model.dependsOn, ...model.optionalDependsOn]) folders.add(folderOfTable.get(table)!);
    }
  }
  mkdirSync(dir, { recursive: true });
  for (const folder of folders) cpSync(join(defaultModelsDir(), folder), join(dir, folder), { recursive: true });
  return dir;
}
