import { Template } from 'aws-cdk-lib/assertions';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createApp } from '../../infra/loyalty-lake-stack.js';
import { writeDemoInbox } from '../../src/demo/index.js';
import { sqlString } from '../../src/core/duckdb.js';
import { query, run, tempDir, tempLake } from '../helpers/temp-lake.js';

/** Glue type of a Parquet column as the files encode it (physical type / converted type). */
function glueTypeOf(column: Record<string, unknown>): string {
  const encoding = `${column.type}/${column.converted_type}`;
  if (encoding === 'INT64/DECIMAL') return `decimal(${column.precision},${column.scale})`;
  const types: Record<string, string> = {
    'INT64/INT_64': 'bigint',
    'DOUBLE/null': 'double',
    'INT32/DATE': 'date',
    'INT64/TIMESTAMP_MICROS': 'timestamp',
    'BYTE_ARRAY/UTF8': 'string',
    'BOOLEAN/null': 'boolean',
  };
  if (!types[encoding]) throw new Error(`no Athena type for Parquet ${encoding} (${String(column.name)})`);
  return types[encoding];
}

it("gives every Glue table exactly the columns and types of the Parquet the pipeline publishes", async () => {
  // Prepare: publish the demo's tables
  const { dir, lake } = tempLake();
  await writeDemoInbox(dir, { customers: 1500 });
  const manifest = await run(lake);
  expect(manifest.status).toBe('succeeded');
  process.env.CDK_VALIDATION = 'false';
  const { stack } = createApp({ outdir: tempDir(), context: { 'aws:cdk:bundling-stacks': [] } });
  delete process.env.CDK_VALIDATION;
  const tables = Object.values(Template.fromStack(stack).findResources('AWS::Glue::Table')).map((t) => t.Properties.TableInput);

  // Act + Assess: for every published model version, its Glue table and its latest/history tables
  const published = manifest.models.filter((m) => m.published_to);
  expect(published.length).toBeGreaterThanOrEqual(4);
  for (const model of published) {
    const schema = await query(
      `select name, type, converted_type, precision, scale from parquet_schema(${sqlString(join(dir, model.published_to!))}) where name <> 'duckdb_schema'`,
    );
    const fromFile = schema.map((column) => ({ Name: column.name, Type: glueTypeOf(column) }));
    for (const name of [`${model.model}_v${model.version}`, model.model, `${model.model}_v${model.version}_history`]) {
      const table = tables.find((t) => t.Name === name);
      expect(table, name).toBeDefined();
      const inGlue = table.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => ({ Name: c.Name, Type: c.Type }));
      expect(inGlue, name).toEqual(fromFile);
    }
  }
});
