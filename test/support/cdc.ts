/**
 * Helpers for Postgres CDC tests: a connector config against a test database, change events read
 * back from the log as JSON, and the table state they replay to.
 */
import { waitFor } from '../kit/checks.js';
import type { RunningWorker } from '../kit/worker-harness.js';
import type { TestPostgres } from './postgres.js';

/** A config for the connector under `name` (also the topic prefix; slot and publication derive from it). */
export function cdcConfig(pg: TestPostgres, name: string, extra: Record<string, string> = {}): Record<string, string> {
  const id = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    ...pg.connectorConfig(),
    'topic.prefix': name,
    'plugin.name': 'pgoutput',
    'slot.name': `slot_${id}`,
    'publication.name': `pub_${id}`,
    'publication.autocreate.mode': 'filtered',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter.schemas.enable': 'false',
    'heartbeat.interval.ms': '300',
    'errors.max.retries': '3',
    ...extra,
  };
}

export interface ChangeEvent {
  readonly partition: number;
  readonly offset: number;
  readonly key: any;
  /** The parsed value; null for a tombstone. */
  readonly value: any;
  readonly headers: ReadonlyArray<{ key: string; value: string | null }>;
}

/** Every record of `topic`, in log order per partition, JSON-parsed (JsonConverter without schemas). */
export async function readChanges(worker: RunningWorker, topic: string): Promise<ChangeEvent[]> {
  const parse = (b: Buffer | null): unknown => (b === null ? null : JSON.parse(b.toString('utf8')));
  return (await worker.read(topic)).map((r) => ({
    partition: r.partition,
    offset: r.offset,
    key: parse(r.key),
    value: parse(r.value),
    headers: (r.headers ?? []).map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('utf8') })),
  }));
}

/** Waits until connector `name` (also its topic prefix) streams: its first heartbeat is in the log. */
export async function waitForStreaming(worker: RunningWorker, name: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${name} to stream (a heartbeat)`, async () => (await worker.endOffsets(`__debezium-heartbeat.${name}`).catch(() => [0]))[0]! > 0, { timeoutMs });
}

/** Applies change events in order: key (JSON text) → the row's latest `after`; deletes remove it. */
export function replay(events: readonly ChangeEvent[]): Map<string, Record<string, unknown>> {
  const rows = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    if (e.value === null) continue;
    const k = JSON.stringify(e.key);
    switch (e.value.op) {
      case 'r':
      case 'c':
      case 'u':
        rows.set(k, e.value.after);
        break;
      case 'd':
        rows.delete(k);
        break;
      case 't':
        rows.clear();
        break;
    }
  }
  return rows;
}
