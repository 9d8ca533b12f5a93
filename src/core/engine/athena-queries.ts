import { LoyaltyLakeError } from '../errors.js';

/** A query's state as GetQueryExecution reports it. */
export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface QueryStatus {
  readonly state: QueryState;
  /** Why it failed or was cancelled, as the service says. */
  readonly reason?: string;
}

/** A SELECT's result as GetQueryResults gives it: every value as text (NULL as null), header row left out. */
export interface QueryResults {
  readonly columns: readonly string[];
  readonly rows: readonly (string | null)[][];
}

/**
 * The three calls the Athena engine makes, in one small interface so that a test can stand in
 * for the service: start a statement (one per request, in the engine's workgroup and database),
 * poll its state, read a finished SELECT's rows. Starting never tells whether the SQL is valid:
 * a statement is accepted and fails later, at poll time (Athena's DuckDB engine documents this).
 */
export interface AthenaQueries {
  start(sql: string): Promise<string>;
  status(queryId: string): Promise<QueryStatus>;
  results(queryId: string): Promise<QueryResults>;
}

/** A statement the service accepted and then failed (or cancelled). */
export class AthenaQueryError extends LoyaltyLakeError {
  constructor(
    readonly queryId: string,
    readonly state: QueryState,
    readonly reason: string,
    readonly sql: string,
  ) {
    super(`Athena query ${queryId} ${state.toLowerCase()}: ${reason} (statement: ${excerpt(sql)})`);
    this.name = 'AthenaQueryError';
  }
}

export interface PollOptions {
  /** First wait between polls; doubles up to maxPollMs. @default 200 */
  readonly pollMs?: number;
  /** @default 5000 */
  readonly maxPollMs?: number;
  /** Give up (and say so) after this long. @default 14 minutes: inside one transform Lambda */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Starts one statement and polls until it ends; returns its id if it succeeded, else throws AthenaQueryError. */
export async function runStatement(queries: AthenaQueries, sql: string, options: PollOptions = {}): Promise<string> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxPoll = options.maxPollMs ?? 5000;
  const deadline = Date.now() + (options.timeoutMs ?? 14 * 60_000);
  const queryId = await queries.start(sql);
  for (let wait = options.pollMs ?? 200; ; wait = Math.min(wait * 2, maxPoll)) {
    const { state, reason } = await queries.status(queryId);
    if (state === 'SUCCEEDED') return queryId;
    if (state === 'FAILED' || state === 'CANCELLED') throw new AthenaQueryError(queryId, state, reason ?? 'no reason given', sql);
    if (Date.now() > deadline) throw new AthenaQueryError(queryId, state, `still ${state.toLowerCase()} at the time limit`, sql);
    await sleep(wait);
  }
}

/** Runs a SELECT and returns its rows, values as text. */
export async function selectRows(queries: AthenaQueries, sql: string, options?: PollOptions): Promise<QueryResults> {
  return await queries.results(await runStatement(queries, sql, options));
}

/** Runs a SELECT of one value and returns it as a number (counts, as the data tests return them). */
export async function selectCount(queries: AthenaQueries, sql: string, options?: PollOptions): Promise<number> {
  const { rows } = await selectRows(queries, sql, options);
  const value = rows[0]?.[0];
  const count = Number(value);
  if (rows.length !== 1 || value === null || value === undefined || !Number.isFinite(count)) {
    throw new LoyaltyLakeError(`expected one number from: ${excerpt(sql)}; got ${JSON.stringify(rows.slice(0, 2))}`);
  }
  return count;
}

function excerpt(sql: string): string {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}...` : oneLine;
}
