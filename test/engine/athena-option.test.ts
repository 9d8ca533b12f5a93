// The transform's choice of engine from its environment (functions/common/athena-option.ts):
// in process unless ENGINE=athena; then the AWS SDK's Athena client, imported only then. The
// SDK is not a dependency here: its loader is replaced by one that fails as a missing package
// does, and by a hand-written client class.
import { describe, expect, it } from 'vitest';
import { ATHENA_SDK_PACKAGE, athenaOption } from '../../functions/common/athena-option.js';
import { AwsAthenaQueries } from '../../src/core/engine/aws-athena-queries.js';

const notInstalled = async () => {
  throw Object.assign(new Error(`Cannot find package '${ATHENA_SDK_PACKAGE}'`), { code: 'ERR_MODULE_NOT_FOUND' });
};

describe('athenaOption', () => {
  it('builds in process without ENGINE or with ENGINE=in-process, without loading the SDK', async () => {
    expect(await athenaOption({}, notInstalled)).toBeUndefined();
    expect(await athenaOption({ ENGINE: 'in-process' }, notInstalled)).toBeUndefined();
  });

  it('refuses an unknown engine and an Athena engine without its workgroup or database', async () => {
    await expect(athenaOption({ ENGINE: 'spark' }, notInstalled)).rejects.toThrow(/bad Lambda environment.*ENGINE/s);
    await expect(athenaOption({ ENGINE: 'athena', ATHENA_WORKGROUP: 'wg' }, notInstalled)).rejects.toThrow(
      'ENGINE=athena needs ATHENA_WORKGROUP and ATHENA_DATABASE',
    );
  });

  it('says what to do when ENGINE=athena and the package cannot be loaded', async () => {
    const env = { ENGINE: 'athena', ATHENA_WORKGROUP: 'wg', ATHENA_DATABASE: 'loyaltylake_engine' };
    await expect(athenaOption(env, notInstalled)).rejects.toThrow(`ENGINE=athena needs the package ${ATHENA_SDK_PACKAGE}, which could not be loaded: reinstall the dependencies`);
  });

  it('gives AwsAthenaQueries on the SDK client, in the workgroup and database of the environment', async () => {
    // Prepare: a client class that records the one request it gets
    const sent: unknown[] = [];
    class Athena {
      async startQueryExecution(input: unknown) {
        sent.push(input);
        return { QueryExecutionId: 'q-1' };
      }
      async getQueryExecution() {
        return {};
      }
      async getQueryResults() {
        return {};
      }
    }
    const env = { ENGINE: 'athena', ATHENA_WORKGROUP: 'wg', ATHENA_DATABASE: 'loyaltylake_engine' };

    // Act
    const option = await athenaOption(env, async () => ({ Athena }));
    const id = await option!.queries.start('select 1');

    // Assess
    expect(option!.queries).toBeInstanceOf(AwsAthenaQueries);
    expect(id).toBe('q-1');
    expect(sent).toEqual([{ QueryString: 'select 1', WorkGroup: 'wg', QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'loyaltylake_engine' } }]);
  });
});

describe('athenaOption with the installed SDK', () => {
  it('loads @aws-sdk/client-athena by default (a dependency, bundled into the transform)', async () => {
    const option = await athenaOption({ ENGINE: 'athena', ATHENA_WORKGROUP: 'wg', ATHENA_DATABASE: 'loyaltylake_engine' });
    expect(option?.queries).toBeDefined();
  });
});
