// LoyaltyLake with engine 'athena' (issue 15, item 4): the DuckDB workgroup, the engine's Glue
// database with one staging table per dataset contract, the transform's grants, cdk-nag clean.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../infra/loyalty-lake-stack.js';
import { datasetContracts, orders } from '../../src/core/contracts/datasets.js';
import { tempDir } from '../helpers/temp-lake.js';

type Statement = { Action: string | string[]; Resource: unknown };

function synthesize(context: Record<string, unknown>) {
  return createApp({ outdir: tempDir(), context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

function transformStatements(template: Template): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('LoyaltyLakeTransformServiceRole'))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

describe('LoyaltyLake with engine athena', () => {
  it('creates a DuckDB workgroup with DPU limits under athena-execution-properties, and none of the settings it rejects', () => {
    // Act
    process.env.CDK_VALIDATION = 'false';
    const { stack } = synthesize({ engine: 'athena', athenaMaxDpuCount: '16' });
    delete process.env.CDK_VALIDATION;
    const template = Template.fromStack(stack);

    // Assess: two workgroups, the query one (engine version 3) and the engine's (DuckDB)
    template.resourceCountIs('AWS::Athena::WorkGroup', 2);
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'loyaltylake-engine-loyaltylake',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'DuckDB' },
        ManagedQueryResultsConfiguration: { Enabled: true },
        EngineConfiguration: { Classifications: [{ Name: 'athena-execution-properties', Properties: { 'max-dpu-count': '16' } }] },
      },
    });
    const [duckdb] = Object.values(template.findResources('AWS::Athena::WorkGroup', { Properties: { Name: 'loyaltylake-engine-loyaltylake' } }));
    const configuration = duckdb!.Properties.WorkGroupConfiguration as Record<string, unknown>;
    for (const rejected of ['ResultConfiguration', 'CustomerContentEncryptionConfiguration', 'ExecutionRole', 'MonitoringConfiguration', 'IdentityCenterConfiguration']) {
      expect(configuration, rejected).not.toHaveProperty(rejected);
    }
  });

  it('creates the engine database with one staging table per dataset, columns from the contract', () => {
    // Act
    process.env.CDK_VALIDATION = 'false';
    const { stack } = synthesize({ engine: 'athena' });
    delete process.env.CDK_VALIDATION;
    const template = Template.fromStack(stack);

    // Assess: orders' staging table: its contract columns in order, then the three columns staging adds
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'loyaltylake_engine' } });
    const staging = template.findResources('AWS::Glue::Table', { Properties: { DatabaseName: 'loyaltylake_engine' } });
    expect(Object.keys(staging)).toHaveLength(datasetContracts.length);
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'loyaltylake_engine',
      TableInput: Match.objectLike({
        Name: 'staging_orders',
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', { Ref: Match.anyValue() }, '/staging/orders/']] },
          Columns: [
            ...orders.columns.map((c) => ({ Name: c.name, Type: { string: 'string', timestamp: 'timestamp', decimal: 'decimal(18,2)', integer: 'int', enum: 'string', currency: 'string', month: 'date', boolean: 'boolean' }[c.type] })),
            { Name: '_source_key', Type: 'string' },
            { Name: '_source_line', Type: 'bigint' },
            { Name: '_landed_at', Type: 'timestamp' },
          ],
        }),
      }),
    });
    // the transform is told where to run
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENGINE: 'athena', ATHENA_DATABASE: 'loyaltylake_engine', ATHENA_WORKGROUP: 'loyaltylake-engine-loyaltylake' }) },
    });
  });

  it('grants the transform the three Athena calls on that workgroup only, the engine database, and the run folder', () => {
    // Act
    process.env.CDK_VALIDATION = 'false';
    const { stack } = synthesize({ engine: 'athena' });
    delete process.env.CDK_VALIDATION;
    const statements = transformStatements(Template.fromStack(stack));

    // Assess
    const athena = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('athena:')));
    expect(athena.map((s) => [[s.Action].flat().sort(), JSON.stringify(s.Resource)])).toEqual([
      [['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution'], expect.stringContaining(':workgroup/loyaltylake-engine-loyaltylake')],
    ]);
    const glueWrites = statements.filter((s) => [s.Action].flat().includes('glue:CreateTable'));
    expect(glueWrites.map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringContaining(':table/loyaltylake_engine/*')]);
    expect(JSON.stringify(glueWrites)).not.toContain('table/loyaltylake/*');
    const deletes = statements.filter((s) => [s.Action].flat().includes('s3:DeleteObject')).map((s) => JSON.stringify(s.Resource));
    expect(deletes.some((r) => r.includes('/_runs/athena/*'))).toBe(true);
  });

  it('has no engine resources with the default engine', () => {
    process.env.CDK_VALIDATION = 'false';
    const { stack, lake } = synthesize({});
    delete process.env.CDK_VALIDATION;
    const template = Template.fromStack(stack);
    expect(lake.athenaEngine).toBeUndefined();
    template.resourceCountIs('AWS::Athena::WorkGroup', 1);
    expect(Object.keys(template.findResources('AWS::Glue::Database'))).toHaveLength(1);
  });

  it('fails for an engine that is neither lambda nor athena', () => {
    expect(() => synthesize({ engine: 'emr' })).toThrow("engine must be lambda or athena, got 'emr'");
  });

  it('is cdk-nag clean (AwsSolutions) with engine athena', () => {
    // Prepare
    const outdir = tempDir();
    const { app } = createApp({ outdir, context: { 'aws:cdk:bundling-stacks': [], engine: 'athena', athenaMaxDpuCount: '8' } });

    // Act
    app.synth();

    // Assess: every validation plugin passed
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; conclusion: string }[] };
    expect(report.pluginReports.filter((p) => p.conclusion !== 'success')).toEqual([]);
  });
});
