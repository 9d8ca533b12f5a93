import { afterEach, expect, it, vi } from 'vitest';
import { cloudDemo } from '../../dev/cloud-demo.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('cloud-demo shows the flow through the handlers and ends with the triangle', async () => {
  // Prepare
  const output: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));

  // Act
  const succeeded = await cloudDemo();

  // Assess
  const text = output.join('\n');
  expect(succeeded).toBe(true);
  expect(text).toMatch(/dropped (\d+) files; S3 → SQS → ingest Lambda with \1 messages/);
  expect(text).toMatch(/"message":"transform published"/);
  expect(text).toMatch(/Retention: share of each cohort/);
});
