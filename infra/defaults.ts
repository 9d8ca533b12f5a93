import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DEFAULT_CHURN_WINDOW_DAYS } from '../src/core/settings-defaults.js';

/** What LoyaltyLake uses where its props say nothing. */
export const LOYALTY_LAKE_DEFAULTS = {
  transformSchedule: events.Schedule.rate(Duration.minutes(15)),
  churnWindowDays: DEFAULT_CHURN_WINDOW_DAYS,
  architecture: lambda.Architecture.ARM_64,
  ingestMemoryMiB: 2048,
  transformMemoryMiB: 4096,
  /** Lambda's maximum: DuckDB spills to /tmp, so /tmp bounds the data a run can hold. */
  transformEphemeralStorage: Size.gibibytes(10),
  ingestEphemeralStorage: Size.gibibytes(4),
  ingestTimeout: Duration.minutes(5),
  transformTimeout: Duration.minutes(15),
  /** Deliveries before a message goes to the DLQ; the handler itself quarantines a file on its 3rd. */
  maxReceiveCount: 5,
  logRetention: logs.RetentionDays.ONE_MONTH,
  removalPolicy: RemovalPolicy.RETAIN,
  glueDatabaseName: 'loyaltylake',
  /** Noncurrent object versions (overwritten tables, replaced files) are kept this long. */
  noncurrentVersionExpiration: Duration.days(30),
  athenaResultsExpiration: Duration.days(30),
} as const;
