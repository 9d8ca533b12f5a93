// No import cycle in the tree, and the model loader does not pull in DuckDB or the
// predictive code (issue 9, point 1). See import-graph.ts for what counts as an import.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/paths.js';
import { tempDir } from '../helpers/temp-lake.js';
import { importClosure, importCycles, importGraph } from './import-graph.js';

const root = packageRoot();

describe('import graph', () => {
  it('has no cycle in src/, functions/ or infra/', () => {
    const graph = importGraph(root, ['src', 'functions', 'infra']);
    expect(graph.size).toBeGreaterThan(40);
    expect(importCycles(graph)).toEqual([]);
  });

  it('finds a cycle, through a type-only import too', () => {
    // Prepare: a.ts → b.ts → c.ts -(type)-> a.ts, written across lines
    const dir = tempDir();
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = b;\n");
    writeFileSync(join(dir, 'b.ts'), "export const b = 1;\nexport {\n  c,\n} from './c.js';\n");
    writeFileSync(join(dir, 'c.ts'), "import type { a } from './a.js';\nexport const c = 2;\nconst later = await import('./a.js');\n");

    // Act + Assess
    expect(importCycles(importGraph(dir, ['.']))).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('keeps DuckDB, the pipeline and the predictive steps out of what loading model declarations imports', () => {
    const graph = importGraph(root, ['src', 'functions', 'infra']);
    const loaded = [...importClosure(graph, join('src', 'core', 'models', 'model-declaration.ts'))].sort();
    expect(loaded).toEqual(['node:crypto', 'node:fs', 'node:path', 'src/core/errors.ts', 'src/core/models/output-types.ts', 'yaml', 'zod']);
    // and the check sees DuckDB where it is imported
    expect(importClosure(graph, join('src', 'core', 'models', 'model-runner.ts'))).toContain('@duckdb/node-api');
  });
});
