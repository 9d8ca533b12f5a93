import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder holding sql/), found from this file whether run from src/ or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'sql', 'models'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the sql/models folder of loyaltylake');
    dir = parent;
  }
  return dir;
}

export function defaultModelsDir(): string {
  return join(packageRoot(), 'sql', 'models');
}
