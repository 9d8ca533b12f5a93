import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultModelsDir } from '../../src/core/paths.js';
import { tempDir } from './temp-lake.js';

/** A copy of the project's sql/models in a temp folder, to change for one test. */
export function copyOfModels(): { dir: string; edit: (file: string, change: (text: string) => string) => void } {
  const dir = join(tempDir(), 'models');
  cpSync(defaultModelsDir(), dir, { recursive: true });
  const edit = (file: string, change: (text: string) => string) => {
    const path = join(dir, file);
    writeFileSync(path, change(readFileSync(path, 'utf8')));
  };
  return { dir, edit };
}
