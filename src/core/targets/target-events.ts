// Missed KPI targets as EventBridge events (metrics.md, "KPI targets"): one event per missed
// target on the default bus, so a team routes them with a rule of its own (README).
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
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

/**
 * The AWS sender: PutEvents of the SDK's EventBridge client on the default bus. The one part
 * not exercised by the tests (EventBridge cannot run locally); `client` is for a test double.
 */
export function eventBridgeSender(client: Pick<EventBridgeClient, 'send'> = new EventBridgeClient({})): EventSender {
  return {
    async putEvents(entries) {
      const result = await client.send(new PutEventsCommand({ Entries: [...entries] }));
      return { failed: result.FailedEntryCount ?? 0 };
    },
  };
}
