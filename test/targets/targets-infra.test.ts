import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoyaltyLake } from '../../infra/loyalty-lake.js';
import { tempDir } from '../helpers/temp-lake.js';

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
});
afterAll(() => {
  delete process.env.CDK_VALIDATION;
});

type Statement = { Action: string | string[]; Resource: unknown };

describe('LoyaltyLake KPI target events', () => {
  it('grants the transform events:PutEvents on the default bus only, and no other role', () => {
    // Prepare
    const app = new App({ outdir: tempDir(), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Test');
    new LoyaltyLake(stack, 'Lake');

    // Act
    const template = Template.fromStack(stack);

    // Assess
    const statements = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, policy]) =>
      (policy.Properties.PolicyDocument.Statement as Statement[]).map((s) => ({ id, ...s })),
    );
    const putEvents = statements.filter((s) => [s.Action].flat().includes('events:PutEvents'));
    expect(putEvents.map((s) => s.id.startsWith('LakeTransformServiceRole'))).toEqual([true]);
    expect(JSON.stringify(putEvents[0]!.Resource)).toMatch(/:event-bus\/default"/);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'events:PutEvents',
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':event-bus/default$')])] },
          }),
        ]),
      },
    });
  });
});
