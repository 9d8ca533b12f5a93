// One row per output type (src/core/models/output-types.ts) says how the runner casts it, how
// the published Parquet encodes it and what Glue type Athena reads it as. Checked here row by
// row: DuckDB really writes that encoding, Athena really reads it as that type, and the Glue
// generator and the runner use the rows (issue 9, point 5).
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlueTables } from '../../infra/glue-tables.js';
import { DuckDBSession, sqlString } from '../../src/core/duckdb.js';
import { OUTPUT_TYPES, type OutputType } from '../../src/core/models/output-types.js';
import { writeModelParquet } from '../../src/core/pipeline/publish.js';
import { declaredModel, yaml } from '../helpers/declare-model.js';
import { tempDir } from '../helpers/temp-lake.js';

const TYPES = Object.keys(OUTPUT_TYPES) as OutputType[];

/**
 * What each Parquet encoding (physical type / converted type) holds, per the Parquet format's
 * logical types (parquet-format LogicalTypes.md), named as Athena's DDL names that type
 * (docs.aws.amazon.com/athena/latest/ug/data-types.html). DECIMAL carries its precision and scale.
 */
const ATHENA_TYPE_OF_PARQUET: Record<string, string> = {
  'INT64/INT_64': 'bigint',
  'DOUBLE/null': 'double',
  'INT64/DECIMAL': 'decimal(<precision>,<scale>)',
  'INT32/DATE': 'date',
  'INT64/TIMESTAMP_MICROS': 'timestamp',
  'BYTE_ARRAY/UTF8': 'string',
  'BOOLEAN/null': 'boolean',
};

/** A value of each output type, as DuckDB SQL. */
const SAMPLE: Record<OutputType, string> = {
  BIGINT: '9007199254740993',
  DOUBLE: '0.1',
  'DECIMAL(18,2)': '12.34',
  DATE: "date '2024-02-29'",
  TIMESTAMP: "timestamp '2024-02-29 13:45:10.123456'",
  VARCHAR: "'ü'",
  BOOLEAN: 'true',
};

const columnName = (type: OutputType) => `c_${type.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
const everyType = () =>
  declaredModel(
    yaml('a_model', TYPES.map((type) => `      - name: ${columnName(type)}\n        type: ${type}\n        description: ${type}\n`).join(''), '    step: { name: none, version: 1 }\n').replace(
      'grain: [id]',
      `grain: [${columnName('BIGINT')}]`,
    ),
  );

describe('output types', () => {
  let db: DuckDBSession;
  beforeAll(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  });
  afterAll(() => db.closeSync());

  /** A one-row table with a sample of each type, published as a model's Parquet is (writeModelParquet checks each encoding). */
  async function publishEveryType(): Promise<string> {
    await db.run(`create or replace table a_model_v1 as select ${TYPES.map((type) => `cast(${SAMPLE[type]} as ${type}) as ${columnName(type)}`).join(', ')}`);
    return writeModelParquet(db, everyType(), tempDir(), { runId: 'test', asOf: '2024-01-31' });
  }

  it('are written by DuckDB with each row’s Parquet encoding, which Athena reads as the row’s Glue type', async () => {
    // Act
    const path = await publishEveryType();
    const schema = await db.rows(`select name, type, converted_type, precision, scale from parquet_schema(${sqlString(path)}) where name <> 'duckdb_schema'`);

    // Assess
    for (const type of TYPES) {
      const written = schema.find((column) => column.name === columnName(type))!;
      const encoding = `${written.type}/${written.converted_type ?? null}`;
      expect(encoding, type).toBe(`${OUTPUT_TYPES[type].parquet.type}/${OUTPUT_TYPES[type].parquet.convertedType}`);
      const athenaType = ATHENA_TYPE_OF_PARQUET[encoding]!.replace('<precision>', String(written.precision)).replace('<scale>', String(written.scale));
      expect(athenaType, type).toBe(OUTPUT_TYPES[type].glue);
    }
  });

  it('keep their values through the Parquet file', async () => {
    const path = await publishEveryType();
    const [row] = await db.rows(`select ${TYPES.map((type) => `cast(${columnName(type)} as varchar) as ${columnName(type)}`).join(', ')} from read_parquet(${sqlString(path)})`);
    expect(row).toEqual({
      c_bigint: '9007199254740993',
      c_double: '0.1',
      c_decimal_18_2_: '12.34',
      c_date: '2024-02-29',
      c_timestamp: '2024-02-29 13:45:10.123456',
      c_varchar: 'ü',
      c_boolean: 'true',
    });
  });

  it('accept only source types that cast to them', async () => {
    // DuckDB types a model's SQL may produce, each by an expression of that type
    const sources = [
      'cast(1 as tinyint)', 'cast(1 as smallint)', 'cast(1 as integer)', 'cast(1 as bigint)', 'cast(1 as hugeint)', 'cast(1 as utinyint)',
      'cast(1 as usmallint)', 'cast(1 as uinteger)', 'cast(1 as ubigint)', 'cast(1 as uhugeint)', 'cast(1 as float)', 'cast(1 as double)',
      'cast(1.5 as decimal(4,1))', "date '2024-01-01'", "timestamp '2024-01-01 00:00:00'", "timestamptz '2024-01-01 00:00:00+00'",
      "timestamp_ns '2024-01-01 00:00:00'", "'x'", 'true', 'null',
    ];
    const accepted: string[] = [];
    for (const source of sources) {
      // describe() names an untyped NULL "NULL", in quotes
      const sourceType = String(await db.scalar(`select typeof(${source})`)).replace(/^NULL$/, '"NULL"');
      for (const type of TYPES.filter((t) => OUTPUT_TYPES[t].castableFrom.test(sourceType))) {
        await db.scalar(`select cast(${source} as ${type})`); // throws if DuckDB cannot cast it
        accepted.push(`${sourceType} → ${type}`);
      }
    }
    expect(accepted).toEqual(expect.arrayContaining(['HUGEINT → BIGINT', 'DECIMAL(4,1) → DOUBLE', 'TIMESTAMP_NS → TIMESTAMP', '"NULL" → DATE']));
    // a fraction is not an integer, and text is not a date, even where DuckDB would cast it
    expect(accepted).not.toContain('DECIMAL(4,1) → BIGINT');
    expect(accepted).not.toContain('VARCHAR → DATE');
  });

  it('give each Glue column its row’s Glue type', () => {
    // Prepare
    const app = new App({ outdir: tempDir() });
    const stack = new Stack(app, 'Test');

    // Act
    new GlueTables(stack, 'Glue', { bucket: s3.Bucket.fromBucketName(stack, 'Lake', 'lake-bucket'), databaseName: 'lake', models: [everyType()] });

    // Assess (without the synth-time validation plugins: the template is all this needs)
    process.env.CDK_VALIDATION = 'false';
    let template: Template;
    try {
      template = Template.fromStack(stack);
    } finally {
      delete process.env.CDK_VALIDATION;
    }
    const table = Object.values(template.findResources('AWS::Glue::Table')).find((t) => t.Properties.TableInput.Name === 'a_model_v1')!;
    expect(table.Properties.TableInput.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type])).toEqual(
      TYPES.map((type) => [columnName(type), OUTPUT_TYPES[type].glue]),
    );
  });
});
