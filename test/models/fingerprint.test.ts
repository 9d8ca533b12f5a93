// A model's fingerprint comes from its declaration and SQL only (a step model's from the step
// version its declaration states), so the CLI (tsc build), the Lambda (esbuild bundle) and
// vitest agree on it, and loading declarations loads no DuckDB (issue 9, point 1).
import { execFile as execFileCallback } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { defaultModelsDir, packageRoot } from '../../src/core/paths.js';
import { copyOfModels } from '../helpers/models-dir.js';
import { tempDir } from '../helpers/temp-lake.js';

const execFile = promisify(execFileCallback);
const root = packageRoot();
const declarationModule = join(root, 'src/core/models/model-declaration.ts');

const fingerprints = (modelsDir: string) => Object.fromEntries(loadModels(modelsDir).map((m) => [m.table, m.fingerprint]));

/** Runs an ES module script with node, passing args, and parses what it prints as JSON. */
async function nodeJson(script: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await execFile(process.execPath, ['--input-type=module', '-e', script, ...args]);
  return JSON.parse(stdout);
}

const PRINT_FINGERPRINTS = (importFrom: string) => `
  const { loadModels } = await import(${JSON.stringify(importFrom)});
  console.log(JSON.stringify(Object.fromEntries(loadModels(process.argv[1]).map((m) => [m.table, m.fingerprint]))));`;

/**
 * Compiles the given source files (and what they import) with tsc and the build's options, as
 * `npm run build` does (type checking skipped: `npm run typecheck` does it), into `out`.
 */
async function compileWithTsc(out: string, files: readonly string[]): Promise<string> {
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(out, 'tsconfig.json'),
    JSON.stringify({ extends: join(root, 'tsconfig.build.json'), compilerOptions: { outDir: join(out, 'dist'), rootDir: root, sourceMap: false, noCheck: true }, include: [], files }),
  );
  await execFile(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(out, 'tsconfig.json')]);
  return join(out, 'dist');
}

describe('fingerprints', () => {
  const out = mkdtempSync(join(tmpdir(), 'loyaltylake-tsc-'));
  let tscOut: string;
  beforeAll(async () => {
    tscOut = await compileWithTsc(out, [declarationModule, join(root, 'src/core/duckdb.ts')]);
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('are identical under vitest, the tsc build the CLI runs and the esbuild bundle the Lambda runs', async () => {
    // Prepare: a tiny Lambda-style entry, bundled with the transform function's esbuild settings (infra/loyalty-lake.ts)
    const dir = tempDir();
    mkdirSync(join(dir, 'bundle'));
    writeFileSync(join(dir, 'entry.ts'), PRINT_FINGERPRINTS(declarationModule));
    await build({
      entryPoints: [join(dir, 'entry.ts')],
      outfile: join(dir, 'bundle', 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      external: ['@duckdb/node-api'],
      logLevel: 'silent',
    });

    // Act
    const underVitest = fingerprints(defaultModelsDir());
    const underTsc = await nodeJson(PRINT_FINGERPRINTS(join(tscOut, 'src/core/models/model-declaration.js')), defaultModelsDir());
    const underEsbuild = await nodeJson(`await import(${JSON.stringify(join(dir, 'bundle', 'index.mjs'))});`, defaultModelsDir());

    // Assess
    expect(Object.keys(underVitest)).toEqual(expect.arrayContaining(['clv_model_v1', 'clv_predictions_v1', 'clv_backtest_v1', 'cohort_retention_v1']));
    expect(underTsc).toEqual(underVitest);
    expect(underEsbuild).toEqual(underVitest);
  });

  it('change when the step version a declaration states changes, and only for that model', () => {
    // Prepare
    const models = copyOfModels();
    const before = fingerprints(models.dir);
    models.edit('clv_model/clv_model.yml', (text) =>
      text.replace(/step: \{ name: fit_clv_model, version: (\d+) \}/, (_, version) => `step: { name: fit_clv_model, version: ${Number(version) + 1} }`),
    );

    // Act
    const after = fingerprints(models.dir);

    // Assess
    const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
    expect(changed).toEqual(['clv_model_v1']);
  });

  it('are computed without loading DuckDB’s native binding', async () => {
    // Every native addon Node loads goes through process.dlopen.
    const loadedBy = (module: string) =>
      nodeJson(
        `const loaded = [];
        const dlopen = process.dlopen;
        process.dlopen = (module, filename, ...rest) => { loaded.push(filename); return dlopen.call(process, module, filename, ...rest); };
        const imported = await import(${JSON.stringify(join(tscOut, module))});
        if (imported.loadModels) imported.loadModels(process.argv[1]);
        console.log(JSON.stringify(loaded));`,
        defaultModelsDir(),
      );

    // Act + Assess: the loader loads no addon; the DuckDB session module, as a check of the check, does
    expect(await loadedBy('src/core/models/model-declaration.js')).toEqual([]);
    expect(await loadedBy('src/core/duckdb.js')).toEqual([expect.stringMatching(/@duckdb\/node-bindings-[^/]+\/duckdb\.node$/)]);
  });
});
