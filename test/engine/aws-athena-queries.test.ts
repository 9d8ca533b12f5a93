// AwsAthenaQueries against a hand-written fake of the three Athena API calls (the real service
// cannot be reached here): what it sends, how it reads states and errors, and how it pages
// GetQueryResults (the header row of a SELECT is the first row of the first page only).
import { describe, expect, it } from 'vitest';
import { AwsAthenaQueries, type AthenaApi } from '../../src/core/engine/aws-athena-queries.js';

function fakeApi(pages: Awaited<ReturnType<AthenaApi['getQueryResults']>>[]): AthenaApi & { started: unknown[]; pageRequests: unknown[] } {
  const started: unknown[] = [];
  const pageRequests: unknown[] = [];
  return {
    started,
    pageRequests,
    startQueryExecution: async (input) => {
      started.push(input);
      return { QueryExecutionId: 'q-1' };
    },
    getQueryExecution: async () => ({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'generic', AthenaError: { ErrorMessage: 'Catalog Error: Table with name nowhere does not exist!' } } },
    }),
    getQueryResults: async (input) => {
      pageRequests.push(input);
      return pages.shift()!;
    },
  };
}

describe('AwsAthenaQueries', () => {
  it('starts a statement in the workgroup and database, and reports the error message of a failed one', async () => {
    // Prepare
    const api = fakeApi([]);
    const queries = new AwsAthenaQueries(api, { workGroup: 'loyaltylake-engine', database: 'loyaltylake_engine' });

    // Act
    const id = await queries.start('select 1');
    const status = await queries.status(id);

    // Assess: the API's field names; AthenaError's message wins over the generic reason
    expect(api.started).toEqual([
      { QueryString: 'select 1', WorkGroup: 'loyaltylake-engine', QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'loyaltylake_engine' } },
    ]);
    expect(status).toEqual({ state: 'FAILED', reason: 'Catalog Error: Table with name nowhere does not exist!' });
  });

  it('reads every page of results, skipping only the header row, a missing value as NULL', async () => {
    // Prepare: page 1 = header + 1 row (token), page 2 = 2 rows, the second with a NULL
    const api = fakeApi([
      {
        ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'id' }, { Name: 'n' }] }, Rows: [{ Data: [{ VarCharValue: 'id' }, { VarCharValue: 'n' }] }, { Data: [{ VarCharValue: 'a' }, { VarCharValue: '1' }] }] },
        NextToken: 'page-2',
      },
      { ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'id' }, { Name: 'n' }] }, Rows: [{ Data: [{ VarCharValue: 'b' }, { VarCharValue: '2' }] }, { Data: [{ VarCharValue: 'c' }, {}] }] } },
    ]);
    const queries = new AwsAthenaQueries(api, { workGroup: 'w', database: 'd' });

    // Act
    const results = await queries.results('q-1');

    // Assess: 3 data rows (1 + 2), the header not among them; the second request carries the token
    expect(results).toEqual({ columns: ['id', 'n'], rows: [['a', '1'], ['b', '2'], ['c', null]] });
    expect(api.pageRequests).toEqual([
      { QueryExecutionId: 'q-1', MaxResults: 1000 },
      { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: 'page-2' },
    ]);
  });
});
