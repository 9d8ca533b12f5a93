import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../src/core/paths.js';
import { modelDocs, readmeWithDocs } from '../src/docs/model-docs.js';

it('README carries the model reference generated from the current declarations (run `npm run docs`)', () => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  expect(readmeWithDocs(readme, modelDocs())).toBe(readme);
});
