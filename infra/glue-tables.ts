import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ModelVersion } from '../src/core/models/model-declaration.js';
import { OUTPUT_TYPES } from '../src/core/models/output-types.js';

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

export interface GlueTablesProps {
  readonly bucket: s3.IBucket;
  readonly databaseName: string;
  /** Published model versions to expose. */
  readonly models: readonly ModelVersion[];
}

/**
 * One Glue table per model version (`<model>_v<N>`), one per model for its latest version
 * (`<model>`), and one per version over its history (`<model>_v<N>_history`, partitioned by
 * as_of with partition projection, so no crawler and no MSCK REPAIR). Columns come from the
 * same declarations that cast the published Parquet, so the schema cannot drift.
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
    const latest = new Map<string, ModelVersion>();
    for (const model of props.models) {
      if ((latest.get(model.model)?.version ?? 0) < model.version) latest.set(model.model, model);
      this.addTable(props, model, `${model.model}_v${model.version}`, `metrics/${model.model}/v${model.version}/`);
      this.addTable(props, model, `${model.model}_v${model.version}_history`, `history/${model.model}/v${model.version}/`, true);
    }
    for (const model of latest.values()) {
      this.addTable(props, model, model.model, `metrics/${model.model}/v${model.version}/`);
    }
  }

  private addTable(props: GlueTablesProps, model: ModelVersion, name: string, prefix: string, history = false): void {
    const location = `s3://${props.bucket.bucketName}/${prefix}`;
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
            'storage.location.template': `${location}as_of=\${as_of}/`,
          }),
        },
        partitionKeys: history ? [{ name: 'as_of', type: 'date', comment: 'As-of date of the run that published the snapshot.' }] : undefined,
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
