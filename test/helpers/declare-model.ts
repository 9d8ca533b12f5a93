import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModels, type ModelVersion } from '../../src/core/models/model-declaration.js';
import { tempDir } from './temp-lake.js';

/** Writes `<dir>/<model>/<model>.yml` and its `v<N>.sql` files. */
export function declare(dir: string, model: string, yaml: string, sql: Record<number, string> = {}): void {
  mkdirSync(join(dir, model), { recursive: true });
  writeFileSync(join(dir, model, `${model}.yml`), yaml);
  for (const [version, text] of Object.entries(sql)) writeFileSync(join(dir, model, `v${version}.sql`), text);
}

/** A one-version declaration with grain [id]; `extra` lines go before its columns. */
export const yaml = (model: string, columns: string, extra = '') => `model: ${model}
description: test model
versions:
  - version: 1
    grain: [id]
${extra}    columns:
${columns}`;

/** The declared column `id BIGINT`. */
export const ID = '      - name: id\n        type: BIGINT\n        description: id\n';

/** The one model version a declaration (and its SQL) defines, loaded from a temp folder. */
export function declaredModel(yamlText: string, sql: Record<number, string> = {}): ModelVersion {
  const dir = tempDir();
  declare(dir, 'a_model', yamlText, sql);
  return loadModels(dir)[0]!;
}
