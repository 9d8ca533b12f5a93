import { Stack, Token, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The cdk-nag (AwsSolutions) findings LoyaltyLake accepts, each with its reason. Everything
 * else cdk-nag finds fails synth.
 */

const BASIC_EXECUTION_POLICY = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

export function acknowledgeAccessLogBucket(bucket: s3.IBucket): void {
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it into itself would loop.' });
}

export function acknowledgeDeadLetterQueue(queue: sqs.IQueue): void {
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue.' });
}

export function acknowledgeLambdaFindings(scope: Construct, functions: lambda.IFunction[]): void {
  for (const fn of functions) {
    Validations.of(fn).acknowledge({ id: BASIC_EXECUTION_POLICY, reason: "AWS's basic execution policy only lets the function write its own CloudWatch logs." });
  }
  // S3 bucket notifications are configured by a CDK-provided custom resource function.
  for (const child of Stack.of(scope).node.findAll()) {
    if (!child.node.path.includes('BucketNotificationsHandler')) continue;
    Validations.of(child).acknowledge(
      { id: BASIC_EXECUTION_POLICY, reason: "CDK's bucket-notification custom resource; its basic execution policy only writes logs." },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: "CDK's bucket-notification custom resource must call s3:PutBucketNotification on the lake bucket; CDK scopes it this way." },
    );
  }
}

/**
 * cdk-nag reports each wildcard resource of a grant as its own finding; each one here is all
 * objects under one prefix of one bucket, whose keys are not known until files land.
 */
export function acknowledgePrefixWildcards(grantee: iam.IGrantable, bucket: s3.IBucket, prefixes: Iterable<string>): void {
  if (!(grantee instanceof Construct)) return;
  for (const prefix of new Set(prefixes)) {
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArnOf(bucket, prefix)}]`,
      reason: `Object actions on the ${prefix} prefix of ${bucket.node.path} only; object keys are not known until files land.`,
    });
  }
}

/** The Glue tables of one database: all of them are the construct's, and new model versions add more. */
export function acknowledgeGlueTablesWildcard(grantee: iam.IGrantable, databaseStack: Stack, databaseName: string): void {
  if (!(grantee instanceof Construct)) return;
  const literalOr = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
  const tablesArn = `arn:<AWS::Partition>:glue:${literalOr(databaseStack.region, 'AWS::Region')}:${literalOr(databaseStack.account, 'AWS::AccountId')}:table/${databaseName}/*`;
  Validations.of(grantee).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${tablesArn}]`,
    reason: 'Read-only catalog actions on the tables of the loyaltylake Glue database, which holds nothing else.',
  });
}

/** How cdk-nag writes the ARN of a bucket's objects under a prefix in a finding id. */
function nagArnOf(bucket: s3.IBucket, prefix: string): string {
  const bucketResource = bucket.node.defaultChild;
  if (bucketResource instanceof s3.CfnBucket) return `<${Stack.of(bucket).getLogicalId(bucketResource)}.Arn>/${prefix}*`;
  return `arn:<AWS::Partition>:s3:::${bucket.bucketName}/${prefix}*`;
}
