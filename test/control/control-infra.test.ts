import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../infra/loyalty-lake-stack.js';
import { tempDir } from '../helpers/temp-lake.js';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:loyaltylake/pseudonymisation-AbCdEf';

type Statement = { Action: string | string[]; Resource: unknown };

function statementsOf(template: Template, rolePrefix: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(rolePrefix))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

describe('the deployed pseudonymisation key', () => {
  it('is read by the ingest function alone, from that one secret, and cdk-nag finds nothing', () => {
    // Prepare
    const outdir = tempDir();
    const { app, stack } = createApp({ outdir, context: { 'aws:cdk:bundling-stacks': [], pseudonymisationSecretArn: SECRET } });

    // Act: synth runs the cdk-nag checks (a finding throws) and writes their report
    app.synth();
    const template = Template.fromStack(stack);

    // Assess: the ingest function is told the secret and may read it; the transform function neither.
    const ingest = statementsOf(template, 'LoyaltyLakeIngestServiceRole');
    const secretStatements = ingest.filter((s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements).toEqual([{ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: SECRET }]);
    const transform = statementsOf(template, 'LoyaltyLakeTransformServiceRole');
    expect(JSON.stringify(transform)).not.toContain('secretsmanager:');
    const variables = Object.values(template.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Environment?.Variables ?? {});
    expect(variables.filter((v) => v.PSEUDONYMISATION_SECRET_ARN === SECRET)).toHaveLength(1);
    // The ingest function reads the tombstones and the key check under _control/.
    expect(JSON.stringify(ingest)).toContain('/_control/*');
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { conclusion: string }[] };
    expect(report.pluginReports.map((p) => p.conclusion)).toEqual(report.pluginReports.map(() => 'success'));
  });

  it('is not wired when no secret is given', () => {
    process.env.CDK_VALIDATION = 'false';
    try {
      const { stack } = createApp({ outdir: tempDir(), context: { 'aws:cdk:bundling-stacks': [] } });
      const template = Template.fromStack(stack);
      expect(JSON.stringify(template.toJSON())).not.toContain('secretsmanager');
      expect(JSON.stringify(template.toJSON())).not.toContain('PSEUDONYMISATION_SECRET_ARN');
    } finally {
      delete process.env.CDK_VALIDATION;
    }
  });
});
