import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LoyaltyLakeError } from '../../src/core/errors.js';

/** The key from the secret, as src/core/control/pseudonymise.ts takes it (`key` undefined: the secret is empty). */
export interface SecretKey {
  readonly key: string | undefined;
  readonly source: string;
}

/** Per warm container: one read of the secret, not one per file. A rotated key is refused by the lake's key check until the container is replaced. */
let cached: { readonly arn: string; readonly key: SecretKey } | undefined;

/**
 * The pseudonymisation key deployed in Secrets Manager (the construct's `pseudonymisationKey`):
 * the secret's string, read once per container. Undefined when the function has no secret
 * (the lake's settings then name an environment variable, as locally).
 */
export async function pseudonymisationKeyFromSecret(
  arn: string | undefined,
  client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): Promise<SecretKey | undefined> {
  if (!arn) return undefined;
  if (cached?.arn === arn) return cached.key;
  const source = `the Secrets Manager secret ${arn}`;
  let secret;
  try {
    secret = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  } catch (error) {
    throw new LoyaltyLakeError(`cannot read the pseudonymisation key from ${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const key = { key: secret.SecretString || undefined, source };
  cached = { arn, key };
  return key;
}

/** Forgets the cached key (tests). */
export function clearCachedKey(): void {
  cached = undefined;
}
