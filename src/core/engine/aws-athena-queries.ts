import { LoyaltyLakeError } from '../errors.js';
import type { AthenaQueries, QueryResults, QueryState, QueryStatus } from './athena-queries.js';

/**
 * The part of `@aws-sdk/client-athena`'s aggregated `Athena` client this module calls, typed
 * structurally so the core builds without the package: pass `new Athena({})`. Field names are
 * those of the Athena API (StartQueryExecution, GetQueryExecution, GetQueryResults).
 */
export interface AthenaApi {
  startQueryExecution(input: {
    QueryString: string;
    WorkGroup: string;
    QueryExecutionContext: { Catalog: string; Database: string };
    ClientRequestToken?: string;
  }): Promise<{ QueryExecutionId?: string }>;
  getQueryExecution(input: { QueryExecutionId: string }): Promise<{
    QueryExecution?: {
      Status?: { State?: string; StateChangeReason?: string; AthenaError?: { ErrorMessage?: string } };
    };
  }>;
  getQueryResults(input: { QueryExecutionId: string; NextToken?: string; MaxResults?: number }): Promise<{
    ResultSet?: {
      Rows?: { Data?: { VarCharValue?: string }[] }[];
      ResultSetMetadata?: { ColumnInfo?: { Name?: string }[] };
    };
    NextToken?: string;
  }>;
}

export interface AwsAthenaQueriesProps {
  /** The DuckDB workgroup (EngineVersion DuckDB): no per-query engine override is needed. */
  readonly workGroup: string;
  /** The Glue database unqualified table names resolve in. */
  readonly database: string;
  /** @default 'AwsDataCatalog' */
  readonly catalog?: string;
}

const STATES: readonly QueryState[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

/** AthenaQueries on the Athena API. */
export class AwsAthenaQueries implements AthenaQueries {
  constructor(
    private readonly api: AthenaApi,
    private readonly props: AwsAthenaQueriesProps,
  ) {}

  async start(sql: string): Promise<string> {
    const { QueryExecutionId } = await this.api.startQueryExecution({
      QueryString: sql,
      WorkGroup: this.props.workGroup,
      QueryExecutionContext: { Catalog: this.props.catalog ?? 'AwsDataCatalog', Database: this.props.database },
    });
    if (!QueryExecutionId) throw new LoyaltyLakeError('Athena StartQueryExecution returned no query id');
    return QueryExecutionId;
  }

  async status(queryId: string): Promise<QueryStatus> {
    const { QueryExecution } = await this.api.getQueryExecution({ QueryExecutionId: queryId });
    const state = QueryExecution?.Status?.State;
    if (!STATES.includes(state as QueryState)) throw new LoyaltyLakeError(`Athena query ${queryId}: unknown state ${state}`);
    const reason = QueryExecution?.Status?.AthenaError?.ErrorMessage ?? QueryExecution?.Status?.StateChangeReason;
    return { state: state as QueryState, ...(reason ? { reason } : {}) };
  }

  /** Every page; the first row of the first page is the header of a SELECT, and a missing VarCharValue is NULL. */
  async results(queryId: string): Promise<QueryResults> {
    let columns: string[] | undefined;
    const rows: (string | null)[][] = [];
    let nextToken: string | undefined;
    let first = true;
    do {
      const page = await this.api.getQueryResults({ QueryExecutionId: queryId, MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) });
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      const pageRows = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
      rows.push(...(first ? pageRows.slice(1) : pageRows));
      first = false;
      nextToken = page.NextToken;
    } while (nextToken);
    return { columns: columns ?? [], rows };
  }
}
