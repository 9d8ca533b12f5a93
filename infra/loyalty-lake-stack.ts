import { App, CfnOutput, RemovalPolicy, Stack, Validations, type AppProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LakeKeys } from '../src/core/lake/lake-layout.js';
import { LoyaltyLake, type LoyaltyLakeProps } from './loyalty-lake.js';

/**
 * The app `cdk.json` runs: one stack with one LoyaltyLake, set from context
 * (`npx cdk deploy -c churnWindowDays=60 -c architecture=x86_64 -c bucketName=my-bucket
 * -c removalPolicy=destroy -c pseudonymisationSecretArn=arn:aws:secretsmanager:… -c engine=athena -c athenaMaxDpuCount=16`),
 * checked by cdk-nag's AWS Solutions rules on every synth.
 */
export function createApp(props: AppProps = {}): { app: App; stack: Stack; lake: LoyaltyLake } {
  const app = new App(props);
  const context = (key: string): string | undefined => app.node.tryGetContext(key);
  const stack = new Stack(app, context('stackName') ?? 'LoyaltyLake', {
    description: 'loyaltylake: customer exports in, loyalty metric tables out',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  const lakeProps: LoyaltyLakeProps = {
    churnWindowDays: context('churnWindowDays') === undefined ? undefined : Number(context('churnWindowDays')),
    architecture: architectureFrom(context('architecture')),
    removalPolicy: context('removalPolicy') === 'destroy' ? RemovalPolicy.DESTROY : undefined,
    bucket: context('bucketName') ? s3.Bucket.fromBucketName(stack, 'ExistingLake', context('bucketName')!) : undefined,
    // The complete ARN (with its random suffix), so the grant names that secret only.
    pseudonymisationKey: context('pseudonymisationSecretArn')
      ? secretsmanager.Secret.fromSecretCompleteArn(stack, 'PseudonymisationKey', context('pseudonymisationSecretArn')!)
      : undefined,
    engine: engineFrom(context('engine')),
    athenaMaxDpuCount: context('athenaMaxDpuCount') === undefined ? undefined : Number(context('athenaMaxDpuCount')),
  };
  const lake = new LoyaltyLake(stack, 'LoyaltyLake', lakeProps);
  new CfnOutput(stack, 'LakeBucket', { value: lake.bucket.bucketName, description: `Drop exports under ${LakeKeys.inboxFolder('<dataset>')} here` });
  new CfnOutput(stack, 'AthenaWorkGroup', { value: lake.athenaWorkGroup.name, description: 'Query the tables in this workgroup' });
  new CfnOutput(stack, 'ReportCommand', {
    value: `aws s3 presign s3://${lake.bucket.bucketName}/${LakeKeys.report} --expires-in 3600`,
    description: 'Prints a link to the report of the latest successful run, valid for an hour',
  });
  new CfnOutput(stack, 'GlueDatabase', { value: lake.glueTables.database.ref, description: 'Database holding one table per model' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, lake };
}

function engineFrom(value: string | undefined): LoyaltyLakeProps['engine'] {
  if (value === undefined || value === 'lambda' || value === 'athena') return value;
  throw new Error(`engine must be lambda or athena, got '${value}'`);
}

function architectureFrom(value: string | undefined): lambda.Architecture | undefined {
  if (value === undefined) return undefined;
  if (value === 'arm64') return lambda.Architecture.ARM_64;
  if (value === 'x86_64') return lambda.Architecture.X86_64;
  throw new Error(`architecture must be arm64 or x86_64, got '${value}'`);
}
