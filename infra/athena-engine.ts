import { RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { datasetContracts } from '../src/core/contracts/datasets.js';
import { stagingColumns, stagingTableName } from '../src/core/engine/staging-statement.js';
import { LakeKeys } from '../src/core/lake/lake-layout.js';

/** Glue's name for each staged (DuckDB) type of stagingColumns. */
const GLUE_TYPE: Record<string, string> = {
  VARCHAR: 'string',
  TIMESTAMP: 'timestamp',
  'DECIMAL(18,2)': 'decimal(18,2)',
  INTEGER: 'int',
  BIGINT: 'bigint',
  DATE: 'date',
  BOOLEAN: 'boolean',
};

/** The classification under which a DuckDB workgroup takes its DPU limits (it rejects `athena-query-engine-properties`). */
export const DUCKDB_DPU_CLASSIFICATION = 'athena-execution-properties';

export interface AthenaEngineResourcesProps {
  readonly bucket: s3.IBucket;
  /** The Glue database of the engine: the staging tables, and the tables a run creates and drops. */
  readonly databaseName: string;
  readonly workGroupName: string;
  /** Upper bound of the DPUs one query may use; 8 or more lets read-only queries run on several workers. @default - not set (Athena's range) */
  readonly maxDpuCount?: number;
  /** @default - not set */
  readonly minDpuCount?: number;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * What the transform needs to build the models on Athena's DuckDB engine (engine: 'athena'):
 * a workgroup whose engine version is DuckDB, with DPU limits under the classification the
 * engine documents and none of the settings it rejects (result encryption configuration,
 * ExecutionRole, MonitoringConfiguration, customer content encryption, Identity Center); query
 * results in Athena's managed storage; a Glue database of its own holding one table per dataset
 * over `staging/<dataset>/`, with the columns of the dataset contract (what ingest stages).
 */
export class AthenaEngineResources extends Construct {
  readonly workGroup: athena.CfnWorkGroup;
  readonly database: glue.CfnDatabase;
  readonly stagingTables: glue.CfnTable[] = [];
  private readonly props: AthenaEngineResourcesProps;

  constructor(scope: Construct, id: string, props: AthenaEngineResourcesProps) {
    super(scope, id);
    checkDpu(props);
    this.props = props;
    const stack = Stack.of(this);
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: props.databaseName, description: 'loyaltylake engine: staging tables, and the tables of the transform run under way (Athena DuckDB engine)' },
    });
    for (const contract of datasetContracts) {
      const table = new glue.CfnTable(this, `Staging-${contract.name}`, {
        catalogId: stack.account,
        databaseName: props.databaseName,
        tableInput: {
          name: stagingTableName(contract.name),
          description: `Every staged row of ${contract.name}, duplicates included (the transform keeps the latest landed): ${contract.description}`.slice(0, 2048),
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: 'parquet' },
          storageDescriptor: {
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
            location: `s3://${props.bucket.bucketName}/${LakeKeys.stagingFolder(contract.name)}`,
            columns: stagingColumns(contract).map((c) => ({ name: c.name, type: glueType(c.type) })),
          },
        },
      });
      table.addResourceDependency(this.database);
      this.stagingTables.push(table);
    }
    const dpu = {
      ...(props.maxDpuCount === undefined ? {} : { 'max-dpu-count': String(props.maxDpuCount) }),
      ...(props.minDpuCount === undefined ? {} : { 'min-dpu-count': String(props.minDpuCount) }),
    };
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'loyaltylake: the transform builds the models here (Athena DuckDB engine)',
      recursiveDeleteOption: props.removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        engineVersion: { selectedEngineVersion: 'DuckDB' },
        managedQueryResultsConfiguration: { enabled: true },
        ...(Object.keys(dpu).length > 0 ? { engineConfiguration: { classifications: [{ name: DUCKDB_DPU_CLASSIFICATION, properties: dpu }] } } : {}),
      },
    });
  }

  /**
   * Running the engine's statements: start, poll and read queries in this workgroup only; the
   * Glue catalog actions of its statements on the engine database and its tables (read the
   * staging tables, create and drop the run's). Athena reads and writes S3 with the caller's
   * credentials: the lake grants the S3 prefixes (staging/ to read, `_runs/athena/` to write).
   */
  grantRunQueries(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const glueArn = (resource: string, resourceName?: string) => stack.formatArn({ service: 'glue', resource, resourceName });
    if (grantee instanceof Construct) {
      const literalOr = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
      Validations.of(grantee).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${literalOr(stack.region, 'AWS::Region')}:${literalOr(stack.account, 'AWS::AccountId')}:table/${this.props.databaseName}/*]`,
        reason: 'The tables of the engine database, which holds only the staging tables and the tables a transform run creates and drops (their names are the models, known at run time).',
      });
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
      resourceArns: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.props.workGroupName })],
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions', 'glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'],
        resourceArns: [glueArn('catalog'), glueArn('database', this.props.databaseName), glueArn('table', `${this.props.databaseName}/*`)],
      }),
    );
  }
}

function glueType(staged: string): string {
  const type = GLUE_TYPE[staged];
  if (!type) throw new Error(`staged type ${staged} has no Glue type; add it to GLUE_TYPE`);
  return type;
}

function checkDpu({ maxDpuCount, minDpuCount }: AthenaEngineResourcesProps): void {
  for (const [name, value] of Object.entries({ maxDpuCount, minDpuCount })) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new Error(`${name} must be a whole number of DPUs ≥ 1, got ${value}`);
  }
  if (maxDpuCount !== undefined && minDpuCount !== undefined && minDpuCount > maxDpuCount) {
    throw new Error(`minDpuCount (${minDpuCount}) must not exceed maxDpuCount (${maxDpuCount})`);
  }
}
