import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { posix } from 'node:path';
import { LakeKeys } from '../src/core/lake/lake-layout.js';
import type { ModelVersion } from '../src/core/models/model-declaration.js';
import { OUTPUT_TYPES } from '../src/core/models/output-types.js';

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

/** A Glue table over the lake: its name, the model version it shows and the lake folder it reads. */
export interface GlueTableSpec {
  readonly name: string;
  readonly model: ModelVersion;
  readonly folder: string;
  /** Partitioned by as_of and settings, one snapshot per as-of date and settings variant. */
  readonly history: boolean;
}

/**
 * The tables Glue gets for these model versions: `<model>_v<N>` and `<model>_v<N>_history` for
 * each version, and `<model>` for the latest version of each model.
 */
export function glueTablesOf(models: readonly ModelVersion[]): GlueTableSpec[] {
  const latest = new Map<string, ModelVersion>();
  const tables: GlueTableSpec[] = [];
  for (const model of models) {
    if ((latest.get(model.model)?.version ?? 0) < model.version) latest.set(model.model, model);
    tables.push({ name: `${model.model}_v${model.version}`, model, folder: LakeKeys.metricsFolder(model.model, model.version), history: false });
    tables.push({ name: `${model.model}_v${model.version}_history`, model, folder: LakeKeys.historyFolder(model.model, model.version), history: true });
  }
  for (const model of latest.values()) {
    tables.push({ name: model.model, model, folder: LakeKeys.metricsFolder(model.model, model.version), history: false });
  }
  return tables;
}

/** Partition projection's location template: the folder of one snapshot, with `${as_of}` and `${settings}` left in. */
function historyPartitionTemplate(model: ModelVersion): string {
  return `${posix.dirname(LakeKeys.history(model.model, model.version, '${as_of}', '${settings}'))}/`;
}

/**
 * The history tables' partition keys. `settings` names the churn window and lake settings a
 * snapshot was computed with (e.g. `cw90-1a2b3c4d`, in each run's manifest as
 * `history_settings`); its values are not known at deploy time, so it is projected as
 * `injected`: a query names the one it reads (`where settings = '…'`), which also keeps two
 * variants of one date from being added up.
 */
const HISTORY_PARTITION_KEYS = [
  { name: 'as_of', type: 'date', comment: 'As-of date of the run that published the snapshot.' },
  { name: 'settings', type: 'string', comment: "Churn window and settings fingerprint of the snapshot (the run manifest's history_settings); name it in every query." },
];

export interface GlueTablesProps {
  readonly bucket: s3.IBucket;
  readonly databaseName: string;
  /** Published model versions to expose. */
  readonly models: readonly ModelVersion[];
}

/**
 * One Glue table per model version (`<model>_v<N>`), one per model for its latest version
 * (`<model>`), and one per version over its history (`<model>_v<N>_history`, partitioned by
 * as_of and settings with partition projection, so no crawler and no MSCK REPAIR). Columns come
 * from the same declarations that cast the published Parquet, so the schema cannot drift.
 */
export class GlueTables extends Construct {
  readonly database: glue.CfnDatabase;
  readonly tableNames: string[] = [];

  constructor(scope: Construct, id: string, props: GlueTablesProps) {
    super(scope, id);
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: { name: props.databaseName, description: 'loyaltylake metric tables (Parquet, published by the transform function)' },
    });
    for (const table of glueTablesOf(props.models)) this.addTable(props, table);
  }

  private addTable(props: GlueTablesProps, { name, model, folder, history }: GlueTableSpec): void {
    const location = `s3://${props.bucket.bucketName}/${folder}`;
    const table = new glue.CfnTable(this, `Table-${name}`, {
      catalogId: Stack.of(this).account,
      databaseName: props.databaseName,
      tableInput: {
        name,
        description: `${model.model} v${model.version}${history ? ', one snapshot per as-of date' : ''}: ${model.description}`.slice(0, 2048),
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          'loyaltylake.fingerprint': model.fingerprint,
          ...(history && {
            'projection.enabled': 'true',
            'projection.as_of.type': 'date',
            'projection.as_of.format': 'yyyy-MM-dd',
            'projection.as_of.range': '2000-01-01,NOW',
            'projection.as_of.interval': '1',
            'projection.as_of.interval.unit': 'DAYS',
            'projection.settings.type': 'injected',
            'storage.location.template': `s3://${props.bucket.bucketName}/${historyPartitionTemplate(model)}`,
          }),
        },
        partitionKeys: history ? HISTORY_PARTITION_KEYS : undefined,
        storageDescriptor: {
          ...PARQUET,
          location,
          columns: model.columns.map((c) => ({ name: c.name, type: OUTPUT_TYPES[c.type].glue, comment: c.description.slice(0, 255) })),
        },
      },
    });
    table.addResourceDependency(this.database);
    this.tableNames.push(name);
  }
}
