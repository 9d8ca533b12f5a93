import { join } from 'node:path';
import type { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { packageRoot } from '../src/core/paths.js';

export interface LakeFunctionProps {
  /** Handler file under this package's `functions/` folder, e.g. `ingest.ts`. */
  readonly handlerFile: string;
  readonly description: string;
  readonly architecture: lambda.Architecture;
  readonly environment: Record<string, string>;
  readonly memorySize: number;
  readonly ephemeralStorageSize: Size;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /** @default - Lambda's default of 2 asynchronous retries */
  readonly retryAttempts?: number;
}

/**
 * One of the lake's functions: a handler of this package bundled with esbuild, on the newest
 * Node runtime, with its own log group. The log group is a sibling named `<id>Logs`, so the
 * construct IDs (and the deployed resources) are the same as before this class existed.
 */
export class LakeFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: LakeFunctionProps) {
    const root = packageRoot();
    super(scope, id, {
      entry: join(root, 'functions', props.handlerFile),
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: props.architecture,
      environment: props.environment,
      description: props.description,
      memorySize: props.memorySize,
      ephemeralStorageSize: props.ephemeralStorageSize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      retryAttempts: props.retryAttempts,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: props.removalPolicy }),
      bundling: bundling(root, props.architecture),
    });
  }
}

/**
 * esbuild bundle of a handler as ESM, with DuckDB's Node API installed beside it for the
 * function's architecture (npm picks the native binding by cpu/os/libc), the model SQL
 * and declarations copied in, where the handler looks for them, and the fit worker's own bundle.
 */
function bundling(root: string, architecture: lambda.Architecture): nodejs.BundlingOptions {
  const cpu = architecture === lambda.Architecture.ARM_64 ? 'arm64' : 'x64';
  return {
    format: nodejs.OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    nodeModules: ['@duckdb/node-api'],
    // Bundle the AWS SDK too (@aws-sdk/lib-storage is not in every Lambda runtime), at the version tested here.
    externalModules: [],
    environment: { npm_config_cpu: cpu, npm_config_os: 'linux', npm_config_libc: 'glibc' },
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) => [
        `cp -R "${join(root, 'sql')}" "${outputDir}/sql"`,
        // The purchase-model fits' worker thread (src/core/predictive/parallel-fits.ts looks for it beside the handler).
        `"${inputDir}/node_modules/.bin/esbuild" "${inputDir}/src/core/predictive/fit-worker.ts" --bundle --platform=node --format=esm --target=node22 --log-level=warning --outfile="${outputDir}/fit-worker.mjs"`,
      ],
    },
  };
}
