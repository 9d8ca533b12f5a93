import { z } from 'zod';
import { AwsAthenaQueries, type AthenaApi } from '../../src/core/engine/aws-athena-queries.js';
import { LoyaltyLakeError } from '../../src/core/errors.js';
import type { PipelineOptions } from '../../src/core/pipeline/run-pipeline.js';

/** What the construct sets on the transform with `-c engine=athena` (infra/loyalty-lake.ts). */
const EngineEnvironment = z.object({
  ENGINE: z.enum(['in-process', 'athena']).default('in-process'),
  ATHENA_WORKGROUP: z.string().min(1).optional(),
  ATHENA_DATABASE: z.string().min(1).optional(),
});

/** The AWS SDK's Athena client package (a dependency; loaded only by a transform with ENGINE=athena). */
export const ATHENA_SDK_PACKAGE = '@aws-sdk/client-athena';

type AthenaSdk = { Athena: new (config: object) => AthenaApi };

/**
 * The pipeline's `athena` option when the environment says `ENGINE=athena`, else undefined
 * (the models build in process). The SDK is imported only then: a transform without the
 * Athena engine does not load it.
 */
export async function athenaOption(
  env: NodeJS.ProcessEnv = process.env,
  // A literal specifier, so that the Lambda bundle includes the package.
  loadSdk: () => Promise<unknown> = () => import('@aws-sdk/client-athena'),
): Promise<PipelineOptions['athena']> {
  const parsed = EngineEnvironment.safeParse(env);
  if (!parsed.success) throw new LoyaltyLakeError(`bad Lambda environment: ${z.prettifyError(parsed.error)}`);
  const { ENGINE, ATHENA_WORKGROUP, ATHENA_DATABASE } = parsed.data;
  if (ENGINE !== 'athena') return undefined;
  if (!ATHENA_WORKGROUP || !ATHENA_DATABASE) {
    throw new LoyaltyLakeError('ENGINE=athena needs ATHENA_WORKGROUP and ATHENA_DATABASE (the construct sets them with -c engine=athena)');
  }
  let sdk: AthenaSdk;
  try {
    sdk = (await loadSdk()) as AthenaSdk;
  } catch (error) {
    throw new LoyaltyLakeError(
      `ENGINE=athena needs the package ${ATHENA_SDK_PACKAGE}, which could not be loaded: reinstall the dependencies (npm ci) and deploy again (docs/athena.md)`,
      { cause: error },
    );
  }
  return { queries: new AwsAthenaQueries(new sdk.Athena({}), { workGroup: ATHENA_WORKGROUP, database: ATHENA_DATABASE }) };
}
