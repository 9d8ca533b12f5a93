import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExampleQueries } from '../../infra/example-queries.js';
import { LoyaltyLake, type LoyaltyLakeProps } from '../../infra/loyalty-lake.js';
import { tempDir } from '../helpers/temp-lake.js';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

const THEIR_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
});
afterAll(() => {
  delete process.env.CDK_VALIDATION;
});

/** A LoyaltyLake in a fresh stack, functions not bundled; `extra` adds more to the stack (a bucket, roles). */
function lakeIn<T>(extra: (stack: Stack) => T, props: (extras: T) => LoyaltyLakeProps = () => ({})) {
  const app = new App({ outdir: tempDir(), context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  const extras = extra(stack);
  const lake = new LoyaltyLake(stack, 'Lake', props(extras));
  return { stack, lake, extras, template: () => Template.fromStack(stack) };
}

/** Every statement of the IAM policies whose logical id starts with `prefix`. */
function statementsOf(template: Template, prefix: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The statements granting `action`, with their resources as JSON text. */
function resourcesFor(statements: Statement[], action: string): string[] {
  return statements.filter((s) => [s.Action].flat().includes(action)).map((s) => JSON.stringify(s.Resource));
}

function role(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
}

describe('LoyaltyLake with a KMS-encrypted bucket', () => {
  it('grants both functions the bucket key: decrypt to read, a data key to write', () => {
    // Prepare
    const { template } = lakeIn(
      (stack) => new s3.Bucket(stack, 'OwnLake', { encryption: s3.BucketEncryption.KMS, enforceSSL: true }),
      (bucket) => ({ bucket }),
    );

    // Act
    const synthesized = template();

    // Assess
    const keyArn = JSON.stringify({ 'Fn::GetAtt': [Object.keys(synthesized.findResources('AWS::KMS::Key'))[0], 'Arn'] });
    for (const fn of ['LakeIngestServiceRole', 'LakeTransformServiceRole']) {
      const statements = statementsOf(synthesized, fn);
      expect(resourcesFor(statements, 'kms:Decrypt'), fn).toContain(keyArn);
      expect(resourcesFor(statements, 'kms:GenerateDataKey'), fn).toContain(keyArn);
    }
  });

  it('grants the key of an imported bucket too', () => {
    // Prepare
    const { template } = lakeIn(
      (stack) => s3.Bucket.fromBucketAttributes(stack, 'TheirLake', { bucketName: 'their-lake', encryptionKey: kms.Key.fromKeyArn(stack, 'TheirKey', THEIR_KEY) }),
      (bucket) => ({ bucket }),
    );

    // Act
    const synthesized = template();

    // Assess
    for (const fn of ['LakeIngestServiceRole', 'LakeTransformServiceRole']) {
      const statements = statementsOf(synthesized, fn);
      expect(resourcesFor(statements, 'kms:Decrypt'), fn).toEqual([JSON.stringify(THEIR_KEY), JSON.stringify(THEIR_KEY)]);
      expect(resourcesFor(statements, 'kms:GenerateDataKey'), fn).toEqual([JSON.stringify(THEIR_KEY)]);
    }
  });

  it('grants no key actions when the bucket has no key of its own', () => {
    // Prepare + Act
    const synthesized = lakeIn(() => undefined).template();

    // Assess
    expect(JSON.stringify(statementsOf(synthesized, 'LakeIngestServiceRole'))).not.toContain('kms:');
  });
});

describe('grantWriteInbox', () => {
  it('lets the grantee put files under inbox/ and nothing else, with the bucket key when there is one', () => {
    // Prepare
    const { lake, extras: dropper, template } = lakeIn(
      (stack) => ({ bucket: s3.Bucket.fromBucketAttributes(stack, 'TheirLake', { bucketName: 'their-lake', encryptionKey: kms.Key.fromKeyArn(stack, 'TheirKey', THEIR_KEY) }), dropper: role(stack, 'Dropper') }),
      ({ bucket }) => ({ bucket }),
    );

    // Act
    lake.grantWriteInbox(dropper.dropper);

    // Assess
    const statements = statementsOf(template(), 'Dropper');
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 's3:AbortMultipartUpload', 's3:PutObject']);
    expect(resourcesFor(statements, 's3:PutObject')).toEqual([JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::their-lake/inbox/*']] })]);
    expect(resourcesFor(statements, 'kms:GenerateDataKey')).toEqual([JSON.stringify(THEIR_KEY)]);
  });
});

describe('grantReadReport', () => {
  it('lets the grantee read report/ (to presign a link to the report) and nothing else', () => {
    // Prepare
    const { lake, extras: reader, template } = lakeIn((stack) => role(stack, 'ReportReader'));

    // Act
    lake.grantReadReport(reader);

    // Assess
    const statements = statementsOf(template(), 'ReportReader');
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(resourcesFor(statements, 's3:GetObject').join()).toMatch(/\/report\/\*/);
    expect(resourcesFor(statements, 's3:GetObject').join()).not.toMatch(/metrics|staging|_runs/);
  });
});

describe('grantQuery', () => {
  let statements: Statement[];
  let lakeBucket: string;
  let resultsBucket: string;
  beforeAll(() => {
    const { lake, stack, extras: bi, template } = lakeIn((scope) => role(scope, 'BiTool'));
    lake.grantQuery(bi);
    statements = statementsOf(template(), 'BiTool');
    lakeBucket = stack.getLogicalId(lake.bucket.node.defaultChild as s3.CfnBucket);
    resultsBucket = stack.getLogicalId(lake.athenaResultsBucket.node.defaultChild as s3.CfnBucket);
  });
  const arn = (service: string, resource: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
  });
  const objects = (bucket: string, prefix: string) => JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]] });

  it('lets the grantee run, follow, stop and read queries in the workgroup only', () => {
    for (const action of ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup']) {
      expect(resourcesFor(statements, action), action).toEqual([JSON.stringify(arn('athena', 'workgroup/loyaltylake-test'))]);
    }
  });

  it('lets the grantee read the Glue catalog, database and tables', () => {
    const catalog = [arn('glue', 'catalog'), arn('glue', 'database/loyaltylake'), arn('glue', 'table/loyaltylake/*')];
    for (const action of ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions']) {
      expect(resourcesFor(statements, action), action).toEqual([JSON.stringify(catalog)]);
    }
  });

  it('lets the grantee read the published tables and their history, and nothing else of the lake', () => {
    expect(resourcesFor(statements, 's3:GetObject')).toEqual([objects(lakeBucket, 'metrics/'), objects(lakeBucket, 'history/'), objects(resultsBucket, 'results/')]);
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['metrics/*', 'history/*'] } } }),
    );
    expect(JSON.stringify(statements)).not.toMatch(/inbox|staging|_runs|rejects|quarantine|s3:DeleteObject|"s3:\*"/);
  });

  it('lets the grantee write and read query results in the results bucket', () => {
    expect(resourcesFor(statements, 's3:PutObject')).toEqual([objects(resultsBucket, 'results/')]);
    expect(resourcesFor(statements, 's3:GetBucketLocation')).toEqual([
      JSON.stringify([{ 'Fn::GetAtt': [lakeBucket, 'Arn'] }, { 'Fn::GetAtt': [resultsBucket, 'Arn'] }]),
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: ['s3:ListBucket', 's3:ListBucketMultipartUploads'], Condition: { StringLike: { 's3:prefix': ['results/*'] } } }),
    );
  });

  it('includes the lake bucket key when the lake is KMS-encrypted', () => {
    // Prepare
    const encrypted = lakeIn(
      (scope) => ({ bucket: s3.Bucket.fromBucketAttributes(scope, 'TheirLake', { bucketName: 'their-lake', encryptionKey: kms.Key.fromKeyArn(scope, 'TheirKey', THEIR_KEY) }), bi: role(scope, 'BiTool') }),
      ({ bucket }) => ({ bucket }),
    );

    // Act
    encrypted.lake.grantQuery(encrypted.extras.bi);

    // Assess
    expect(resourcesFor(statementsOf(encrypted.template(), 'BiTool'), 'kms:Decrypt')).toEqual([JSON.stringify(THEIR_KEY)]);
  });
});

describe('example queries', () => {
  it('puts each file of sql/queries in the workgroup as a named query over the Glue database', () => {
    // Prepare
    const queries = loadExampleQueries();
    expect(queries.length).toBeGreaterThan(0);

    // Act
    const synthesized = lakeIn(() => undefined).template();

    // Assess
    synthesized.resourceCountIs('AWS::Athena::NamedQuery', queries.length);
    for (const query of queries) {
      synthesized.hasResourceProperties('AWS::Athena::NamedQuery', {
        Name: query.name,
        Description: query.description,
        Database: 'loyaltylake',
        QueryString: query.sql,
        WorkGroup: Match.anyValue(),
      });
    }
  });
});
