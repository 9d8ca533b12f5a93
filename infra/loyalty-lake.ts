import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ATHENA_RUNS_PREFIX } from '../src/core/engine/athena-engine.js';
import { LakeKeys, LakePrefix } from '../src/core/lake/lake-layout.js';
import { loadModels } from '../src/core/models/model-declaration.js';
import { defaultModelsDir } from '../src/core/paths.js';
import { LOYALTY_LAKE_DEFAULTS as DEFAULTS } from './defaults.js';
import { loadExampleQueries } from './example-queries.js';
import { AthenaEngineResources } from './athena-engine.js';
import { GlueTables } from './glue-tables.js';
import { LakeFunction } from './lake-function.js';
import {
  acknowledgeAccessLogBucket,
  acknowledgeDeadLetterQueue,
  acknowledgeGlueTablesWildcard,
  acknowledgeLambdaFindings,
  acknowledgePrefixWildcards,
} from './nag-acknowledgements.js';

export interface LoyaltyLakeProps {
  /** The lake bucket; a KMS-encrypted one works too (grants include its key). @default - a new bucket: private, TLS only, S3-managed encryption, versioned, access-logged */
  readonly bucket?: s3.IBucket;
  /** When the transform function looks for new data. @default - every 15 minutes */
  readonly transformSchedule?: events.Schedule;
  /**
   * Days without an order after which a customer counts as churned; wins over the lake's settings file.
   * @default - `churn_window_days` of the lake's loyaltylake.yml, else 90
   */
  readonly churnWindowDays?: number;
  /** @default lambda.Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
  /** @default 2048 */
  readonly ingestMemoryMiB?: number;
  /** @default 4096 */
  readonly transformMemoryMiB?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the buckets and log groups this construct creates when it is removed. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Model versions to expose in Glue, as `<model>` (every version) or `<model>@<N>`. @default - every published version */
  readonly exposedModels?: string[];
  /** @default 'loyaltylake' */
  readonly glueDatabaseName?: string;
  /**
   * The key of the lake's pseudonymisation (`pseudonymise` in loyaltylake.yml): a secret whose
   * string the ingest function reads; it alone is granted read on it. Pseudonymisation is on
   * only when the lake's settings say so.
   * @default - no secret: with `pseudonymise` set, ingest fails until one is given
   */
  readonly pseudonymisationKey?: secretsmanager.ISecret;
  /**
   * Where the transform builds the models: `lambda`, in the function (DuckDB in process);
   * `athena`, on Athena's DuckDB engine (preview), orchestrated by the function (docs/athena.md).
   * @default 'lambda'
   */
  readonly engine?: 'lambda' | 'athena';
  /** engine 'athena': most DPUs one query may use (8 or more lets reads run on several workers). @default - not set */
  readonly athenaMaxDpuCount?: number;
  /** engine 'athena': fewest DPUs a query gets. @default - not set */
  readonly athenaMinDpuCount?: number;
}

/** Where Athena writes query results in its results bucket. */
const ATHENA_RESULTS_PREFIX = 'results/';

/** Object actions of each kind of lake access; the `kms:` ones go to the bucket's key, if it has one. */
const OBJECT_ACTIONS = {
  read: ['s3:GetObject', 'kms:Decrypt'],
  // SSE-KMS: a put needs a data key; a multipart upload also decrypts it for each part.
  write: ['s3:PutObject', 's3:AbortMultipartUpload', 'kms:GenerateDataKey', 'kms:Decrypt'],
  remove: ['s3:DeleteObject'],
};

/**
 * A loyalty-metrics lake: drop exports in `s3://<bucket>/inbox/<dataset>/`, query the
 * published tables in Athena. S3 → SQS (with a DLQ) → ingest function; a scheduled,
 * single-flight transform function; Glue tables generated from the model declarations;
 * an Athena workgroup with the example queries of `sql/queries/`; alarms.
 */
export class LoyaltyLake extends Construct {
  public readonly bucket: s3.IBucket;
  public readonly ingestQueue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly ingestFunction: nodejs.NodejsFunction;
  public readonly transformFunction: nodejs.NodejsFunction;
  public readonly glueTables: GlueTables;
  public readonly athenaWorkGroup: athena.CfnWorkGroup;
  public readonly athenaResultsBucket: s3.Bucket;
  /** With engine 'athena': the DuckDB workgroup, the engine's Glue database and its staging tables. */
  public readonly athenaEngine?: AthenaEngineResources;
  public readonly alarms: cloudwatch.Alarm[];
  private readonly databaseName: string;

  constructor(scope: Construct, id: string, props: LoyaltyLakeProps = {}) {
    super(scope, id);
    const { churnWindowDays } = props;
    if (churnWindowDays !== undefined && (!Number.isInteger(churnWindowDays) || churnWindowDays < 1)) {
      throw new Error(`churnWindowDays must be a whole number of days ≥ 1, got ${churnWindowDays}`);
    }
    const removalPolicy = props.removalPolicy ?? DEFAULTS.removalPolicy;
    const models = selectModels(loadModels(defaultModelsDir()).filter((m) => m.publish), props.exposedModels);

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
    });
    this.bucket =
      props.bucket ??
      new s3.Bucket(this, 'Lake', {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: 'lake/',
        // Only old versions and abandoned uploads expire: current objects (metrics/, staging/,
        // inbox/ alike) are never touched by a rule.
        lifecycleRules: [
          { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: DEFAULTS.noncurrentVersionExpiration },
          { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ],
        removalPolicy,
      });

    this.deadLetterQueue = new sqs.Queue(this, 'IngestDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.ingestQueue = new sqs.Queue(this, 'IngestQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DEFAULTS.ingestTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DEFAULTS.maxReceiveCount },
    });
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.ingestQueue), { prefix: LakePrefix.inbox });

    const shared = {
      architecture: props.architecture ?? DEFAULTS.architecture,
      environment: {
        LAKE_URI: `s3://${this.bucket.bucketName}`,
        ...(churnWindowDays === undefined ? {} : { CHURN_WINDOW_DAYS: String(churnWindowDays) }),
      },
      logRetention: props.logRetention ?? DEFAULTS.logRetention,
      removalPolicy,
    };
    this.ingestFunction = new LakeFunction(this, 'Ingest', {
      ...shared,
      environment: {
        ...shared.environment,
        ...(props.pseudonymisationKey ? { PSEUDONYMISATION_SECRET_ARN: props.pseudonymisationKey.secretArn } : {}),
      },
      handlerFile: 'ingest.ts',
      description: `loyaltylake: loads files dropped in ${LakePrefix.inbox} into staging, rejects and quarantine`,
      memorySize: props.ingestMemoryMiB ?? DEFAULTS.ingestMemoryMiB,
      ephemeralStorageSize: DEFAULTS.ingestEphemeralStorage,
      timeout: DEFAULTS.ingestTimeout,
    });
    this.ingestFunction.addEventSource(
      new SqsEventSource(this.ingestQueue, { batchSize: 5, maxBatchingWindow: Duration.seconds(10), reportBatchItemFailures: true }),
    );
    this.transformFunction = new LakeFunction(this, 'Transform', {
      ...shared,
      handlerFile: 'transform.ts',
      description: 'loyaltylake: builds and tests every model, publishes the metric tables',
      memorySize: props.transformMemoryMiB ?? DEFAULTS.transformMemoryMiB,
      ephemeralStorageSize: DEFAULTS.transformEphemeralStorage,
      timeout: DEFAULTS.transformTimeout,
      // Single flight: never two transforms at once.
      reservedConcurrentExecutions: 1,
      // A failed run is retried by the next scheduled tick, not by Lambda's async retries.
      retryAttempts: 0,
    });
    new events.Rule(this, 'TransformSchedule', {
      description: 'loyaltylake: look for new staging data and publish',
      schedule: props.transformSchedule ?? DEFAULTS.transformSchedule,
      targets: [new targets.LambdaFunction(this.transformFunction, { retryAttempts: 0 })],
    });
    this.grantLakeAccess(this.ingestFunction, {
      // the lake's settings and currency; a record of each file it ingests, for the next transform's manifest;
      // _control/: the tombstones of withdrawn files and the pseudonymisation key check (written on first use)
      read: [LakePrefix.inbox, LakePrefix.staging, LakePrefix.quarantine, LakeKeys.settings, LakeKeys.lakeCurrency, LakePrefix.control],
      write: [LakePrefix.staging, LakePrefix.rejects, LakePrefix.quarantine, LakeKeys.ingestRecords, LakeKeys.lakeCurrency, LakeKeys.pseudonymisation],
    });
    props.pseudonymisationKey?.grantRead(this.ingestFunction);
    this.grantLakeAccess(this.transformFunction, {
      // history/ read and remove: the publish journal copies a snapshot it replaces, and a rollback removes a new one.
      // rejects/ read: the report's data health names the top reject reasons of the run's files.
      read: [LakePrefix.staging, LakePrefix.metrics, LakePrefix.history, LakePrefix.runs, LakePrefix.rejects, LakeKeys.settings],
      write: [LakePrefix.metrics, LakePrefix.history, LakePrefix.runs, LakePrefix.report],
      remove: [LakePrefix.metrics, LakePrefix.history, LakePrefix.runs],
    });
    // One event per missed KPI target (src/core/targets/target-events.ts), on the default bus only.
    events.EventBus.fromEventBusName(this, 'DefaultBus', 'default').grantPutEventsTo(this.transformFunction);

    const databaseName = props.glueDatabaseName ?? DEFAULTS.glueDatabaseName;
    this.databaseName = databaseName;
    this.glueTables = new GlueTables(this, 'Glue', { bucket: this.bucket, databaseName, models });
    if ((props.engine ?? 'lambda') === 'athena') {
      this.athenaEngine = new AthenaEngineResources(this, 'AthenaEngine', {
        bucket: this.bucket,
        databaseName: `${databaseName}_engine`,
        workGroupName: `${databaseName}-engine-${Stack.of(this).stackName}`.toLowerCase().slice(0, 128),
        maxDpuCount: props.athenaMaxDpuCount,
        minDpuCount: props.athenaMinDpuCount,
        removalPolicy,
      });
      this.athenaEngine.grantRunQueries(this.transformFunction);
      // Athena reads and writes S3 with the transform's credentials: the staging files, and each run's tables.
      this.grantLakeAccess(this.transformFunction, { read: [LakePrefix.staging, ATHENA_RUNS_PREFIX], write: [ATHENA_RUNS_PREFIX], remove: [ATHENA_RUNS_PREFIX] });
      this.transformFunction.addEnvironment('ENGINE', 'athena');
      this.transformFunction.addEnvironment('ATHENA_WORKGROUP', this.athenaEngine.workGroup.name);
      this.transformFunction.addEnvironment('ATHENA_DATABASE', `${databaseName}_engine`);
    } else if (props.engine !== undefined && props.engine !== 'lambda') {
      throw new Error(`engine must be 'lambda' or 'athena', got '${props.engine}'`);
    }

    this.athenaResultsBucket = new s3.Bucket(this, 'AthenaResults', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [{ expiration: DEFAULTS.athenaResultsExpiration }],
      removalPolicy,
    });
    this.athenaWorkGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `${databaseName}-${Stack.of(this).stackName}`.toLowerCase().slice(0, 128),
      description: 'loyaltylake: query the published metric tables',
      recursiveDeleteOption: removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.athenaResultsBucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    for (const query of loadExampleQueries()) {
      new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description,
        database: databaseName,
        queryString: query.sql,
        workGroup: this.athenaWorkGroup.name,
      });
    }

    const alarmAtLeastOnce = (id: string, description: string, metric: cloudwatch.IMetric) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: `loyaltylake: ${description}`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      alarmAtLeastOnce(
        'DeadLettersAlarm',
        'ingest messages failed every delivery (see the dead-letter queue)',
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      ),
      alarmAtLeastOnce('IngestErrorsAlarm', 'the ingest function failed', this.ingestFunction.metricErrors({ period: Duration.minutes(5) })),
      alarmAtLeastOnce(
        'TransformFailuresAlarm',
        `a transform run failed and published nothing (see ${LakeKeys.latestRunManifest})`,
        this.transformFunction.metricErrors({ period: Duration.minutes(15) }),
      ),
    ];

    acknowledgeAccessLogBucket(accessLogs);
    acknowledgeDeadLetterQueue(this.deadLetterQueue);
    acknowledgeLambdaFindings(this, [this.ingestFunction, this.transformFunction]);
  }

  /** Read access to the published tables and their history. */
  public grantReadMetrics(grantee: iam.IGrantable): iam.Grant {
    return this.grantLakeAccess(grantee, { read: [LakePrefix.metrics, LakePrefix.history], write: [] });
  }

  /** Read the report of the latest successful run (`report/index.html`), e.g. to presign a link to it. */
  public grantReadReport(grantee: iam.IGrantable): iam.Grant {
    return this.grantLakeAccess(grantee, { read: [LakePrefix.report], write: [] });
  }

  /** For the team or tool that drops exports: write under the inbox, nothing else (no reads, no listing). */
  public grantWriteInbox(grantee: iam.IGrantable): iam.Grant {
    return this.grantObjectActions(grantee, this.bucket, [LakePrefix.inbox], OBJECT_ACTIONS.write);
  }

  /**
   * What a BI tool's role needs to query the published tables in Athena: run queries in the
   * workgroup, read the Glue database and its tables, read the tables' objects, and read and
   * write query results.
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const databaseName = this.databaseName;
    // All tables of the database, which holds only this construct's tables (new model versions add more).
    const glueArn = (resource: string, resourceName?: string) => stack.formatArn({ service: 'glue', resource, resourceName });
    const tablesArn = glueArn('table', `${databaseName}/*`);
    const grants = [
      iam.Grant.addToPrincipal({
        grantee,
        actions: [
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:BatchGetQueryExecution',
          'athena:ListQueryExecutions',
          'athena:GetWorkGroup',
          'athena:GetNamedQuery',
          'athena:BatchGetNamedQuery',
          'athena:ListNamedQueries',
        ],
        resourceArns: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.athenaWorkGroup.name })],
      }),
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resourceArns: [glueArn('catalog'), glueArn('database', databaseName), tablesArn],
      }),
      this.grantReadMetrics(grantee),
      iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetBucketLocation'], resourceArns: [this.bucket.bucketArn, this.athenaResultsBucket.bucketArn] }),
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
        resourceArns: [this.athenaResultsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${ATHENA_RESULTS_PREFIX}*`] } },
      }),
      this.grantObjectActions(grantee, this.athenaResultsBucket, [ATHENA_RESULTS_PREFIX], [
        ...new Set([...OBJECT_ACTIONS.read, ...OBJECT_ACTIONS.write, 's3:ListMultipartUploadParts']),
      ]),
    ];
    acknowledgeGlueTablesWildcard(grantee, stack, databaseName);
    return grants.reduce((all, grant) => all.combine(grant));
  }

  /** List, read and write access to prefixes of the lake bucket. */
  private grantLakeAccess(grantee: iam.IGrantable, prefixes: { read: string[]; write: string[]; remove?: string[] }): iam.Grant {
    const listed = [...new Set([...prefixes.read, ...prefixes.write])];
    const list = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': listed.map((prefix) => `${prefix}*`) } },
    });
    const grants = [list, this.grantObjectActions(grantee, this.bucket, prefixes.read, OBJECT_ACTIONS.read)];
    if (prefixes.write.length) grants.push(this.grantObjectActions(grantee, this.bucket, prefixes.write, OBJECT_ACTIONS.write));
    if (prefixes.remove?.length) grants.push(this.grantObjectActions(grantee, this.bucket, prefixes.remove, OBJECT_ACTIONS.remove));
    return grants.reduce((all, grant) => all.combine(grant));
  }

  /**
   * `actions` on the objects under each prefix, through the bucket's own grants: its `kms:`
   * actions are granted on the bucket's key when it has one (and are dropped when it has none).
   */
  private grantObjectActions(grantee: iam.IGrantable, bucket: s3.IBucket, prefixes: string[], actions: string[]): iam.Grant {
    const grants = s3.BucketGrants.fromBucket(bucket);
    acknowledgePrefixWildcards(grantee, bucket, prefixes);
    return prefixes.map((prefix) => grants.actionsOnObjectKeys(grantee, `${prefix}*`, ...actions)).reduce((all, grant) => all.combine(grant));
  }
}

function selectModels<T extends { model: string; version: number }>(models: T[], exposed: string[] | undefined): T[] {
  if (!exposed) return models;
  const chosen = models.filter((m) => exposed.includes(m.model) || exposed.includes(`${m.model}@${m.version}`));
  const unknown = exposed.filter((e) => !models.some((m) => e === m.model || e === `${m.model}@${m.version}`));
  if (unknown.length) {
    throw new Error(`exposedModels names ${unknown.join(', ')}, which is no published model version; allowed: ${models.map((m) => `${m.model}@${m.version}`).join(', ')}`);
  }
  return chosen;
}
