// The CDK app of `cdk.json`: `npx cdk synth`, `npx cdk deploy`.
import { createApp } from './loyalty-lake-stack.js';

createApp();
