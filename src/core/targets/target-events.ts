// Missed KPI targets as EventBridge events (metrics.md, "KPI targets"): one event per missed
// target on the default bus, so a team routes them with a rule of its own (README).
import { createRequire } from 'node:module';
import type { RunManifest } from '../pipeline/run-manifest.js';
import type { TargetAlert } from './targets.js';

export const TARGET_EVENT_SOURCE = 'loyaltylake';
export const TARGET_EVENT_DETAIL_TYPE = 'KPI target missed';
/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

/** One PutEvents entry, as the EventBridge API names its fields (no EventBusName: the default bus). */
export interface TargetEvent {
  readonly Source: typeof TARGET_EVENT_SOURCE;
  readonly DetailType: typeof TARGET_EVENT_DETAIL_TYPE;
  /** JSON: target, month, value, threshold, comparator (and dimension, segment_value for a segment target), run_id, as_of, lake. */
  readonly Detail: string;
}

/** Sends entries to EventBridge; returns how many it failed to put. The AWS one is eventBridgeSender. */
export interface EventSender {
  putEvents(entries: readonly TargetEvent[]): Promise<{ readonly failed: number }>;
}

/** The events of a run's missed targets: one per alert. */
export function targetEvents(manifest: Pick<RunManifest, 'run_id' | 'as_of' | 'lake' | 'alerts'>): TargetEvent[] {
  return (manifest.alerts ?? []).map((alert: TargetAlert) => ({
    Source: TARGET_EVENT_SOURCE,
    DetailType: TARGET_EVENT_DETAIL_TYPE,
    Detail: JSON.stringify({ ...alert, run_id: manifest.run_id, as_of: manifest.as_of, lake: manifest.lake }),
  }));
}

/** Sends one event per missed target, 10 per call; returns how many were sent and how many failed. */
export async function sendTargetEvents(
  sender: EventSender,
  manifest: Pick<RunManifest, 'run_id' | 'as_of' | 'lake' | 'alerts'>,
): Promise<{ sent: number; failed: number }> {
  const events = targetEvents(manifest);
  let failed = 0;
  for (let start = 0; start < events.length; start += ENTRIES_PER_CALL) {
    failed += (await sender.putEvents(events.slice(start, start + ENTRIES_PER_CALL))).failed;
  }
  return { sent: events.length - failed, failed };
}

/** The part of @aws-sdk/client-eventbridge the AWS sender uses. */
interface EventBridgeSdk {
  EventBridgeClient: new (config: object) => { send(command: unknown): Promise<{ FailedEntryCount?: number }> };
  PutEventsCommand: new (input: { Entries: readonly TargetEvent[] }) => unknown;
}

/**
 * The AWS sender: PutEvents of the SDK's EventBridge client on the default bus. The one part
 * not exercised by the tests (EventBridge cannot run locally).
 *
 * @aws-sdk/client-eventbridge is not yet a dependency, so it is loaded by name when the first
 * event is sent: from node_modules, or in Lambda from the runtime's SDK (require follows
 * NODE_PATH, an ESM import would not). Once the package is added (pinned to 3.1169.0, as
 * client-s3), import it statically instead, so that the tested version is bundled.
 */
export function eventBridgeSender(load: () => EventBridgeSdk = () => createRequire(import.meta.url)('@aws-sdk/client-eventbridge') as EventBridgeSdk): EventSender {
  let sdk: { client: InstanceType<EventBridgeSdk['EventBridgeClient']>; PutEventsCommand: EventBridgeSdk['PutEventsCommand'] } | undefined;
  return {
    async putEvents(entries) {
      if (!sdk) {
        const { EventBridgeClient, PutEventsCommand } = load();
        sdk = { client: new EventBridgeClient({}), PutEventsCommand };
      }
      const result = await sdk.client.send(new sdk.PutEventsCommand({ Entries: entries }));
      return { failed: result.FailedEntryCount ?? 0 };
    },
  };
}
