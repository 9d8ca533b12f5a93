import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { printAlerts } from '../../src/cli/run-report.js';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBridgeSender, sendTargetEvents, type EventSender, type TargetEvent } from '../../src/core/targets/target-events.js';
import { alertLine } from '../../src/core/targets/targets.js';
import { csv, readParquet, run, tempLake } from '../helpers/temp-lake.js';

// As of 2024-02-10 (the latest order): January is the latest complete month, February partial.
// loyalty_kpis_monthly: January 2 active customers (c1, c2), 2 orders, revenue 30; February 1, 1, 30.
const ORDERS = csv(
  'order_id,customer_id,ordered_at,amount,currency',
  'o1,c1,2024-01-05,10,EUR',
  'o2,c2,2024-01-20,20,EUR',
  'o3,c1,2024-02-10,30,EUR',
);
const SETTINGS = `
targets:
  - metric: loyalty_kpis_monthly.active_customers
    comparator: at_least
    value: 3
  - metric: loyalty_kpis_monthly_v1.revenue
    comparator: at_most
    value: 100
`;

describe('a run with KPI targets', () => {
  it('publishes kpi_targets_monthly and lists the targets missed in the latest complete month in its manifest and console', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    put('loyaltylake.yml', SETTINGS);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});

    // Act
    const manifest = await run(lake);
    printAlerts(manifest);

    // Assess
    expect(manifest.status).toBe('succeeded');
    expect(manifest.targets?.map((t) => t.metric)).toEqual(['loyalty_kpis_monthly.active_customers', 'loyalty_kpis_monthly_v1.revenue']);
    // January: 2 active < 3, missed; revenue 30 <= 100, met. February (partial): 1 < 3 missed, but not an alert.
    expect(manifest.alerts).toEqual([
      { target: 'loyalty_kpis_monthly.active_customers', month: '2024-01', value: 2, threshold: 3, comparator: 'at_least' },
    ]);
    const rows = await readParquet(dir, 'metrics/kpi_targets_monthly/v1/data.parquet', 'target, month');
    expect(rows.map((r) => [r.target, r.month, r.value, r.is_met, r.is_partial_period])).toEqual([
      ['loyalty_kpis_monthly.active_customers', '2024-01-01', 2, false, false],
      ['loyalty_kpis_monthly.active_customers', '2024-02-01', 1, false, true],
      ['loyalty_kpis_monthly_v1.revenue', '2024-01-01', 30, true, false],
      ['loyalty_kpis_monthly_v1.revenue', '2024-02-01', 30, true, true],
    ]);
    const printed = log.mock.calls.map((call) => String(call[0])).join('\n');
    log.mockRestore();
    expect(printed).toContain('1 of 2 KPI targets MISSED in 2024-01');
    expect(printed).toContain('loyalty_kpis_monthly.active_customers in 2024-01: 2, target at least 3');
    // a fraction is shown to 6 significant digits, not as its full double
    expect(alertLine({ target: 'retention_monthly.churn_rate', month: '2026-10', value: 0.14309459051072831, threshold: 0.12, comparator: 'at_most' })).toBe(
      'retention_monthly.churn_rate in 2026-10: 0.143095, target at most 0.12',
    );
  });

  it('fails before building anything when a target names a column that does not exist', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    put('loyaltylake.yml', 'targets:\n  - { metric: retention_monthly.churn_rat, comparator: at_most, value: 0.05 }\n');

    // Act
    const manifest = await run(lake);

    // Assess
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toContain("target 'retention_monthly.churn_rat' names column 'churn_rat', which retention_monthly_v1 does not have");
    expect(manifest.models).toEqual([]); // nothing built
    expect(manifest.ingest.files_loaded).toBe(0); // not even the inbox ingested
    expect(existsSync(join(dir, 'metrics'))).toBe(false);
  });

  it('publishes kpi_targets_monthly empty, and no alerts, without targets', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);

    // Act
    const manifest = await run(lake);

    // Assess
    expect(manifest).toMatchObject({ status: 'succeeded', targets: [], alerts: [] });
    expect(await readParquet(dir, 'metrics/kpi_targets_monthly/v1/data.parquet')).toEqual([]);
  });
});

describe('KPI target events', () => {
  // A test double stands in for EventBridge, which cannot run here: the SDK's PutEvents call
  // (eventBridgeSender in target-events.ts) is the one part not exercised for real.
  it('sends one event per missed target to the default bus, 10 per PutEvents call', async () => {
    // Prepare
    const calls: TargetEvent[][] = [];
    const sender: EventSender = {
      async putEvents(entries) {
        calls.push([...entries]);
        return { failed: 0 };
      },
    };
    const alerts = Array.from({ length: 11 }, (_, i) => ({
      target: `loyalty_kpis_monthly.active_customers`,
      month: '2024-01',
      value: i,
      threshold: 3,
      comparator: 'at_least' as const,
    }));

    // Act
    const result = await sendTargetEvents(sender, { run_id: 'r1', as_of: '2024-02-10', lake: 'file:///lake', alerts });

    // Assess
    expect(result).toEqual({ sent: 11, failed: 0 });
    expect(calls.map((c) => c.length)).toEqual([10, 1]);
    const [first] = calls[0]!;
    expect(first).toEqual({ Source: 'loyaltylake', DetailType: 'KPI target missed', Detail: expect.any(String) });
    expect(first).not.toHaveProperty('EventBusName'); // the default bus
    expect(JSON.parse(first!.Detail)).toEqual({
      target: 'loyalty_kpis_monthly.active_customers',
      month: '2024-01',
      value: 0,
      threshold: 3,
      comparator: 'at_least',
      run_id: 'r1',
      as_of: '2024-02-10',
      lake: 'file:///lake',
    });
  });

  it('sends nothing when no target is missed', async () => {
    const sender: EventSender = { putEvents: vi.fn(async () => ({ failed: 0 })) };
    expect(await sendTargetEvents(sender, { run_id: 'r1', as_of: '2024-02-10', lake: 'l', alerts: [] })).toEqual({ sent: 0, failed: 0 });
    expect(sender.putEvents).not.toHaveBeenCalled();
  });

  it('puts the entries with the SDK\'s PutEventsCommand on the default bus and counts the failed ones (the client is a double: EventBridge cannot run here)', async () => {
    // Prepare
    const sent: unknown[] = [];
    const client = {
      async send(command: PutEventsCommand) {
        sent.push(command);
        return { FailedEntryCount: 1, $metadata: {} };
      },
    };
    const entry: TargetEvent = { Source: 'loyaltylake', DetailType: 'KPI target missed', Detail: '{}' };

    // Act
    const result = await eventBridgeSender(client as never).putEvents([entry, entry]);

    // Assess: a real PutEventsCommand, with no EventBusName (the default bus)
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(PutEventsCommand);
    expect((sent[0] as PutEventsCommand).input).toEqual({ Entries: [entry, entry] });
    expect(result).toEqual({ failed: 1 });
  });
});
