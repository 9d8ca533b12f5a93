import { Template, Match } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/loyalty-lake-stack.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { tempDir } from '../helpers/temp-lake.js';

/** The app without bundling (the functions' code is not built): construct and template only. */
function synthesize(context: Record<string, unknown> = {}) {
  const { app, stack, lake } = createApp({ outdir: tempDir(), context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return { app, stack, lake, template: Template.fromStack(stack) };
}

describe('LoyaltyLake stack', () => {
  let template: Template;
  beforeAll(() => {
    process.env.CDK_VALIDATION = 'false';
    ({ template } = synthesize());
    delete process.env.CDK_VALIDATION;
  });

  it('keeps the lake bucket private, encrypted, TLS-only and versioned, expiring only old versions', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'lake/' }),
      LifecycleConfiguration: {
        Rules: [
          { Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
          { Id: 'abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' },
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('sends objects created under inbox/ to an encrypted queue with a dead-letter queue', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'inbox/' }] } }, QueueArn: Match.anyValue() },
        ],
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 1800,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 5 });
  });

  it('runs both functions on the newest Node runtime, arm64, and the transform single-flight on a schedule', () => {
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'] }, 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
      EphemeralStorage: { Size: 10240 },
      Timeout: 900,
      // No CHURN_WINDOW_DAYS unless the deployment sets one: the lake's loyaltylake.yml, else 90, decides.
      Environment: { Variables: Match.exact({ LAKE_URI: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  it('grants each function only the prefixes it reads and writes', () => {
    const statements = (fn: string) => {
      const policies = template.findResources('AWS::IAM::Policy');
      const [policy] = Object.entries(policies).filter(([id]) => id.includes(`${fn}ServiceRole`));
      return JSON.stringify(policy![1].Properties.PolicyDocument.Statement);
    };
    const prefixesOf = (json: string, action: string) => {
      const parsed = JSON.parse(json) as { Action: string | string[]; Resource: unknown }[];
      const granting = parsed.filter((s) => [s.Action].flat().includes(action));
      return granting.flatMap((statement) => JSON.stringify(statement.Resource).match(/\/[a-z_]+\/\*/g) ?? []);
    };
    // _control/: the tombstones of withdrawn files and the pseudonymisation key check (docs/control.md)
    expect(prefixesOf(statements('Ingest'), 's3:GetObject')).toEqual(['/inbox/*', '/staging/*', '/quarantine/*', '/_control/*']);
    expect(prefixesOf(statements('Ingest'), 's3:PutObject')).toEqual(['/staging/*', '/rejects/*', '/quarantine/*', '/ingested/*']);
    // the ingest function: the settings file and the lake's currency record; the records of ingested files under _runs/ingested/
    // (and _control/, writing only the pseudonymisation key check there)
    expect(statements('Ingest')).toMatch(/"s3:prefix":\["inbox\/\*","staging\/\*","quarantine\/\*","loyaltylake.yml\*","_runs\/currency.json\*","_control\/\*","rejects\/\*","_runs\/ingested\/\*","_control\/pseudonymisation.json\*"\]/);
    expect(statements('Ingest')).toMatch(/"s3:PutObject","s3:AbortMultipartUpload"\],"Effect":"Allow","Resource":\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["LoyaltyLake\w+","Arn"\]\},"\/_control\/pseudonymisation.json\*"\]\]\}\}/);
    expect(prefixesOf(statements('Transform'), 's3:GetObject')).toEqual(['/staging/*', '/metrics/*', '/history/*', '/_runs/*', '/rejects/*']);
    expect(prefixesOf(statements('Transform'), 's3:PutObject')).toEqual(['/metrics/*', '/history/*', '/_runs/*', '/report/*']);
    // both read the lake's settings file, and nothing else at the root
    expect(statements('Ingest')).toMatch(/\/loyaltylake\.yml\*"/);
    expect(statements('Transform')).toMatch(/\/loyaltylake\.yml\*"/);
    // the publish journal's rollback and clean-up, the lease's release
    expect(prefixesOf(statements('Transform'), 's3:DeleteObject')).toEqual(['/metrics/*', '/history/*', '/_runs/*']);
    expect(statements('Ingest')).not.toMatch(/s3:DeleteObject|"s3:\*"/);
    expect(statements('Transform')).toMatch(/"s3:prefix":\["staging\/\*","metrics\/\*","history\/\*","_runs\/\*","rejects\/\*","loyaltylake\.yml\*","report\/\*"\]/);
  });

  it('declares a Glue table per published model version, per model (latest) and per version history, from the declarations', () => {
    const published = loadModels(defaultModelsDir()).filter((m) => m.publish);
    const tables = Object.values(template.findResources('AWS::Glue::Table')).map((t) => t.Properties.TableInput);
    expect(tables.map((t) => t.Name).sort()).toEqual(
      [...new Set(published.map((m) => m.model)), ...published.flatMap((m) => [`${m.model}_v${m.version}`, `${m.model}_v${m.version}_history`])].sort(),
    );
    const cohort = tables.find((t) => t.Name === 'cohort_retention_v1');
    expect(cohort.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(JSON.stringify(cohort.StorageDescriptor.Location)).toMatch(/\/metrics\/cohort_retention\/v1\//);
    const history = tables.find((t) => t.Name === 'cohort_retention_v1_history');
    // snapshots are keyed by as-of date and settings variant (issue 11): a second key, projected as injected
    expect(history.PartitionKeys).toEqual([
      expect.objectContaining({ Name: 'as_of', Type: 'date' }),
      expect.objectContaining({ Name: 'settings', Type: 'string' }),
    ]);
    expect(history.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.as_of.type': 'date',
      'projection.as_of.format': 'yyyy-MM-dd',
      'projection.settings.type': 'injected',
    });
    expect(JSON.stringify(history.Parameters['storage.location.template'])).toMatch(/\/history\/cohort_retention\/v1\/as_of=\$\{as_of\}\/settings=\$\{settings\}\/"/);
  });

  it('comes with an encrypted Athena workgroup, example queries and alarms', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' }, OutputLocation: Match.anyValue() },
      }),
    });
    template.resourceCountIs('AWS::Athena::NamedQuery', 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda' }, 2);
  });

  it('takes settings from context and checks them', () => {
    process.env.CDK_VALIDATION = 'false';
    try {
      const { template: custom } = synthesize({ churnWindowDays: '60', architecture: 'x86_64', bucketName: 'my-existing-lake' });
      custom.resourcePropertiesCountIs('AWS::Lambda::Function', { Architectures: ['x86_64'], Environment: { Variables: { LAKE_URI: 's3://my-existing-lake', CHURN_WINDOW_DAYS: '60' } } }, 2);
      custom.resourceCountIs('AWS::S3::Bucket', 2); // access logs and Athena results; the lake is the user's
      expect(() => synthesize({ architecture: 'sparc' })).toThrow(/architecture must be arm64 or x86_64, got 'sparc'/);
      expect(() => synthesize({ churnWindowDays: '0' })).toThrow(/churnWindowDays must be a whole number of days ≥ 1, got 0/);
    } finally {
      delete process.env.CDK_VALIDATION;
    }
  });
});

describe('cdk-nag', () => {
  it('checks the app with the AwsSolutions rules, which find nothing unacknowledged but a planted finding', () => {
    // Prepare: the app as cdk.json builds it, with roles given query and inbox access (their
    // acknowledgements are checked too), and one bucket without access logs or TLS enforcement
    const outdir = tempDir();
    const { app, stack, lake } = createApp({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    lake.grantQuery(new iam.Role(stack, 'BiTool', { assumedBy: new iam.AccountRootPrincipal() }));
    lake.grantWriteInbox(new iam.Role(stack, 'ExportTool', { assumedBy: new iam.AccountRootPrincipal() }));
    new s3.Bucket(stack, 'PlantedFinding', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED });

    // Act: a finding fails synth; the report is written first
    expect(() => app.synth()).toThrow(/LoyaltyLake\/PlantedFinding/);

    // Assess: the AwsSolutions checks ran, and the planted bucket is all they found
    // (S1: no server access logs; S10: no policy requiring TLS — cdk-nag's RULES.md)
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
    };
    const nag = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
    expect(nag?.conclusion).toBe('failure');
    expect(nag!.violations.map((v) => v.ruleName).sort()).toEqual(['AwsSolutions-S1', 'AwsSolutions-S10']);
    expect(nag!.violations.flatMap((v) => v.violatingConstructs.map((c) => c.constructPath))).toEqual([
      'LoyaltyLake/PlantedFinding/Resource',
      'LoyaltyLake/PlantedFinding/Resource',
    ]);
    expect(report.pluginReports.filter((plugin) => plugin.conclusion !== 'success').map((plugin) => plugin.pluginName)).toEqual(['AwsSolutions']);
  });
});
