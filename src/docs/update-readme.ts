// Rewrites the model reference in README.md from the declarations: `npm run docs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';
import { modelDocs, readmeWithDocs } from './model-docs.js';

const path = join(packageRoot(), 'README.md');
writeFileSync(path, readmeWithDocs(readFileSync(path, 'utf8'), modelDocs()));
console.log(`updated the model reference in ${path}`);
