import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { expect, it, vi } from 'vitest';
import { writeDemoInbox } from '../../src/demo/index.js';
import { LocalCloud } from '../../dev/local-cloud.js';
import { packageRoot } from '../../src/core/paths.js';
import { tempDir } from '../helpers/temp-lake.js';

function sizeOf(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/** e_machine of an ELF file: 183 is AArch64, 62 is x86-64. */
function elfMachine(path: string): number {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  readSync(fd, header, 0, 20, 0);
  closeSync(fd);
  expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  return header.readUInt16LE(18);
}

// One real `npx cdk synth`, as a user runs it: bundles both functions with esbuild,
// installs DuckDB for arm64 beside them, and runs the validation plugins (cdk-nag included). Slow (~20 s) but it is the deploy path.
it('synthesizes with the cdk CLI, bundling each function with the arm64 DuckDB binding and the models, under 250 MB', async () => {
  // Act
  const out = tempDir();
  await promisify(execFile)('npx', ['cdk', 'synth', '--quiet', '--output', out], {
    cwd: packageRoot(),
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    maxBuffer: 1 << 26,
  });

  // Assess
  const template = JSON.parse(readFileSync(join(out, 'LoyaltyLake.template.json'), 'utf8'));
  const functions = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }>)
    .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs24.x');
  expect(functions).toHaveLength(2);
  for (const fn of functions) {
    const asset = join(out, fn.Metadata!['aws:asset:path']!);
    expect(readdirSync(asset)).toEqual(expect.arrayContaining(['index.mjs', 'fit-worker.mjs', 'node_modules', 'sql']));
    expect(readdirSync(join(asset, 'sql/models'))).toContain('cohort_retention');
    const binding = join(asset, 'node_modules/@duckdb/node-bindings-linux-arm64/duckdb.node');
    expect(elfMachine(binding)).toBe(183);
    expect(readdirSync(join(asset, 'node_modules/@duckdb'))).not.toContain('node-bindings-linux-x64');
    expect(sizeOf(asset)).toBeLessThan(250 * 1024 * 1024);
  }
  // No validation plugin failed. A plugin that passes leaves no entry in this report, so it
  // cannot show that cdk-nag ran: loyalty-lake-stack.test.ts proves that with a planted finding.
  const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
  };
  for (const plugin of report.pluginReports) expect([plugin.pluginName, plugin.conclusion, plugin.violations]).toEqual([plugin.pluginName, 'success', []]);
}, 180_000);

// The deployable artifact itself: synthesized for this machine's architecture, each function's
// bundle is imported as Lambda would and run against a local S3 server. Lambda bundles carry
// Linux binaries, so this needs a Linux machine (CI is one).
it.runIf(process.platform === 'linux')('runs the bundled ingest and transform functions, as built for Lambda, against an S3-protocol server', async () => {
  // Prepare
  const architecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';
  const out = tempDir();
  await promisify(execFile)('npx', ['cdk', 'synth', '--quiet', '-c', `architecture=${architecture}`, '--output', out], {
    cwd: packageRoot(),
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    maxBuffer: 1 << 26,
  });
  const template = JSON.parse(readFileSync(join(out, 'LoyaltyLake.template.json'), 'utf8'));
  const assetOf = (name: string) => {
    const [, resource] = Object.entries(template.Resources as Record<string, { Metadata?: Record<string, string> }>).find(
      ([id, r]) => id.startsWith(`LoyaltyLake${name}`) && r.Metadata?.['aws:asset:path'],
    )!;
    return join(out, resource.Metadata!['aws:asset:path']!, 'index.mjs');
  };
  const cloud = await LocalCloud.start();
  process.env.SCRATCH_DIR = join(tempDir(), 'lambda-tmp');
  // The purchase models are fitted by the bundle's own fit-worker.mjs, not the tests' bundle.
  const testsFitWorker = process.env.LOYALTYLAKE_FIT_WORKER;
  delete process.env.LOYALTYLAKE_FIT_WORKER;
  try {
    const exports = tempDir();
    await writeDemoInbox(exports, { customers: 1500 });
    const files = readdirSync(join(exports, 'inbox'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    for (const file of files) await cloud.drop(file, relative(exports, file));
    const ingest = (await import(assetOf('Ingest'))).handler;
    const transform = (await import(assetOf('Transform'))).handler;
    vi.spyOn(console, 'log').mockImplementation(() => {});

    // Act
    const ingested = await ingest(cloud.takeEvents());
    const published = await transform({});

    // Assess
    expect(ingested).toEqual({ batchItemFailures: [] });
    expect(published).toMatchObject({ status: 'succeeded', as_of: '2026-10-31', tests: { failed: 0 } });
    expect((await cloud.lake().list('metrics/')).map((o) => o.key)).toContain('metrics/loyalty_scorecard_monthly/v1/data.parquet');
  } finally {
    vi.restoreAllMocks();
    delete process.env.SCRATCH_DIR;
    if (testsFitWorker !== undefined) process.env.LOYALTYLAKE_FIT_WORKER = testsFitWorker;
    await cloud.stop();
  }
}, 180_000);
