import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { loadModels } from '../src/core/models/model-declaration.js';
import { LOYALTY_LAKE_DEFAULTS as DEFAULTS } from './defaults.js';
import { GlueTables } from './glue-tables.js';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

export interface LoyaltyLakeProps {
  /** The lake bucket. @default - a new bucket: private, TLS only, S3-managed encryption, versioned, access-logged */
  readonly bucket?: s3.IBucket;
  /** When the transform function looks for new data. @default - every 15 minutes */
  readonly transformSchedule?: events.Schedule;
  /** Days without an order after which a customer counts as churned. @default 90 */
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
  /** Folder holding sql/models (the declarations Glue tables are generated from). @default - this package's */
  readonly projectRoot?: string;
}

/**
 * A loyalty-metrics lake: drop exports in `s3://<bucket>/inbox/<dataset>/`, query the
 * published tables in Athena. S3 → SQS (with a DLQ) → ingest function; a scheduled,
 * single-flight transform function; Glue tables generated from the model declarations;
 * an Athena workgroup with example queries; alarms.
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
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: LoyaltyLakeProps = {}) {
    super(scope, id);
    const churnWindowDays = props.churnWindowDays ?? DEFAULTS.churnWindowDays;
    if (!Number.isInteger(churnWindowDays) || churnWindowDays < 1) {
      throw new Error(`churnWindowDays must be a whole number of days ≥ 1, got ${churnWindowDays}`);
    }
    const removalPolicy = props.removalPolicy ?? DEFAULTS.removalPolicy;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    const models = selectModels(loadModels(join(projectRoot, 'sql', 'models')).filter((m) => m.publish), props.exposedModels);

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket; logging it into itself would loop.',
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
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue.' });
    this.ingestQueue = new sqs.Queue(this, 'IngestQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DEFAULTS.ingestTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DEFAULTS.maxReceiveCount },
    });
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.ingestQueue), { prefix: 'inbox/' });

    const environment = { LAKE_URI: `s3://${this.bucket.bucketName}`, CHURN_WINDOW_DAYS: String(churnWindowDays) };
    const architecture = props.architecture ?? DEFAULTS.architecture;
    const logRetention = props.logRetention ?? DEFAULTS.logRetention;
    const lakeFunction = (name: string, entry: string, options: Partial<nodejs.NodejsFunctionProps>) =>
      new nodejs.NodejsFunction(this, name, {
        entry: join(projectRoot, 'functions', entry),
        projectRoot,
        depsLockFilePath: join(projectRoot, 'package-lock.json'),
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture,
        environment,
        logGroup: new logs.LogGroup(this, `${name}Logs`, { retention: logRetention, removalPolicy }),
        bundling: bundling(projectRoot, architecture),
        ...options,
      });
    this.ingestFunction = lakeFunction('Ingest', 'ingest.ts', {
      description: 'loyaltylake: loads files dropped in inbox/ into staging, rejects and quarantine',
      memorySize: props.ingestMemoryMiB ?? DEFAULTS.ingestMemoryMiB,
      ephemeralStorageSize: DEFAULTS.ingestEphemeralStorage,
      timeout: DEFAULTS.ingestTimeout,
    });
    this.ingestFunction.addEventSource(
      new SqsEventSource(this.ingestQueue, { batchSize: 5, maxBatchingWindow: Duration.seconds(10), reportBatchItemFailures: true }),
    );
    this.transformFunction = lakeFunction('Transform', 'transform.ts', {
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
    this.grantLakeAccess(this.ingestFunction, { read: ['inbox/', 'staging/', 'quarantine/'], write: ['staging/', 'rejects/', 'quarantine/'] });
    this.grantLakeAccess(this.transformFunction, {
      read: ['staging/', 'metrics/', '_runs/'],
      write: ['metrics/', 'history/', '_runs/'],
    });

    const databaseName = props.glueDatabaseName ?? DEFAULTS.glueDatabaseName;
    this.glueTables = new GlueTables(this, 'Glue', { bucket: this.bucket, databaseName, models });

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
          outputLocation: `s3://${this.athenaResultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    for (const [name, description, query] of exampleQueries(databaseName)) {
      new athena.CfnNamedQuery(this, `Query-${name}`, { name, description, database: databaseName, queryString: query, workGroup: this.athenaWorkGroup.name });
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
        'a transform run failed and published nothing (see _runs/latest.json)',
        this.transformFunction.metricErrors({ period: Duration.minutes(15) }),
      ),
    ];
    acknowledgeLambdaFindings(this, [this.ingestFunction, this.transformFunction]);
  }

  /** Read access to the published tables and their history (e.g. for a BI tool's role). */
  public grantReadMetrics(grantee: iam.IGrantable): iam.Grant {
    return this.grantLakeAccess(grantee, { read: ['metrics/', 'history/'], write: [] });
  }

  /** How cdk-nag writes the ARN of a prefix of the lake bucket in a finding id. */
  private nagArnOf(prefix: string): string {
    const bucketResource = this.bucket.node.defaultChild;
    if (bucketResource instanceof s3.CfnBucket) return `<${Stack.of(this).getLogicalId(bucketResource)}.Arn>/${prefix}*`;
    return `arn:<AWS::Partition>:s3:::${this.bucket.bucketName}/${prefix}*`;
  }

  private grantLakeAccess(grantee: iam.IGrantable, prefixes: { read: string[]; write: string[] }): iam.Grant {
    const objects = (list: string[]) => list.map((prefix) => this.bucket.arnForObjects(`${prefix}*`));
    const statements = [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [...new Set([...prefixes.read, ...prefixes.write])].map((p) => `${p}*`) } },
      }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects(prefixes.read) }),
      ...(prefixes.write.length
        ? [new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: objects(prefixes.write) })]
        : []),
    ];
    let grant: iam.Grant | undefined;
    for (const statement of statements) {
      const next = iam.Grant.addToPrincipal({ grantee, actions: statement.actions, resourceArns: statement.resources, conditions: statement.conditions });
      grant = grant ? grant.combine(next) : next;
    }
    if (grantee instanceof Construct) {
      // cdk-nag reports each wildcard resource as its own finding; each is one prefix of the lake.
      for (const prefix of new Set([...prefixes.read, ...prefixes.write])) {
        Validations.of(grantee).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${this.nagArnOf(prefix)}]`,
          reason: `Object actions on the ${prefix} prefix of the lake bucket only; object keys are not known until files land.`,
        });
      }
    }
    return grant!;
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

/**
 * esbuild bundle of a handler as ESM, with DuckDB's Node API installed beside it for the
 * function's architecture (npm picks the native binding by cpu/os/libc), and the model SQL
 * and declarations copied in, where the handler looks for them.
 */
function bundling(projectRoot: string, architecture: lambda.Architecture): nodejs.BundlingOptions {
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
      afterBundling: (_inputDir: string, outputDir: string) => [`cp -R "${join(projectRoot, 'sql')}" "${outputDir}/sql"`],
    },
  };
}

function acknowledgeLambdaFindings(scope: Construct, functions: lambda.IFunction[]): void {
  for (const fn of functions) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "AWS's basic execution policy only lets the function write its own CloudWatch logs.",
    });
  }
  // S3 bucket notifications are configured by a CDK-provided custom resource function.
  const stack = Stack.of(scope);
  for (const child of stack.node.findAll()) {
    if (!child.node.path.includes('BucketNotificationsHandler')) continue;
    Validations.of(child).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's bucket-notification custom resource; its basic execution policy only writes logs.",
      },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: "CDK's bucket-notification custom resource must call s3:PutBucketNotification on the lake bucket; CDK scopes it this way." },
    );
  }
}

function exampleQueries(database: string): [string, string, string][] {
  return [
    [
      'loyaltylake-retention-triangle',
      'Share of each cohort active k months after its first order, last 12 cohorts',
      `select cohort_month, period_number, cohort_size, round(retention_rate, 3) as retention_rate, is_partial_period
from "${database}"."cohort_retention"
where cohort_month >= date_add('month', -11, (select max(cohort_month) from "${database}"."cohort_retention"))
order by cohort_month, period_number`,
    ],
    [
      'loyaltylake-churn-trend',
      'Monthly churn and retention (churn window in churn_window_days), newest first',
      `select month, customers_start, lost_customers, round(churn_rate, 3) as churn_rate, round(retention_rate, 3) as retention_rate, is_partial_period
from "${database}"."retention_monthly"
order by month desc
limit 24`,
    ],
    [
      'loyaltylake-top-customers',
      'The 100 customers with the highest revenue to date, with recency',
      `select customer_id, cohort_month, orders, revenue, avg_order_value, recency_days
from "${database}"."customer_summary"
order by revenue desc
limit 100`,
    ],
  ];
}
