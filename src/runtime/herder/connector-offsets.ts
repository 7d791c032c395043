/**
 * `GET/PATCH/DELETE /connectors/{c}/offsets` (KIP-875): reading and rewriting a connector's
 * offsets — source offsets in the offsets topic, sink offsets as the consumer group's positions.
 */
import { TributaryError } from '../../errors/codes.js';
import type { Log } from '../../log/log.js';
import type { Connector } from '../../sdk/connector.js';
import type { OffsetMap } from '../../sdk/records.js';
import { sinkGroup } from '../connector-config.js';
import type { OffsetStore } from '../stores/offset-store.js';
import type { ConnectorConfig, ConnectorOffsets } from './herder.js';

type Entry = { partition: OffsetMap; offset: OffsetMap | null };

export async function readOffsets(log: Log, offsets: OffsetStore, name: string, config: ConnectorConfig, type: string): Promise<ConnectorOffsets> {
  if (type === 'sink') {
    const committed = await log.fetchOffsets(sinkGroup(name, config));
    return {
      offsets: committed
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
        .map((c) => ({ partition: { kafka_topic: c.topic, kafka_partition: c.partition }, offset: { kafka_offset: c.offset } })),
    };
  }
  return { offsets: offsets.all(name).map((e) => ({ partition: { ...e.partition }, offset: { ...e.offset } })) };
}

/** Checks the PATCH body's shape; throws BAD_REQUEST naming the problem. */
export function parseOffsetsBody(body: ConnectorOffsets, type: string): Entry[] {
  if (!body || !Array.isArray(body.offsets) || body.offsets.length === 0) {
    throw new TributaryError('BAD_REQUEST', 'Partitions / offsets need to be provided for an alter offsets request');
  }
  return body.offsets.map((e, i) => {
    const partition = e?.partition;
    const offset = e?.offset ?? null;
    if (!partition || typeof partition !== 'object' || Array.isArray(partition)) throw new TributaryError('BAD_REQUEST', `offsets[${i}]: the partition must be a JSON object`);
    if (offset !== null && (typeof offset !== 'object' || Array.isArray(offset))) throw new TributaryError('BAD_REQUEST', `offsets[${i}]: the offset must be a JSON object or null`);
    if (type === 'sink') checkSinkEntry(partition, offset, i);
    return { partition: partition as OffsetMap, offset: offset as OffsetMap | null };
  });
}

function checkSinkEntry(partition: Record<string, unknown>, offset: Record<string, unknown> | null, i: number): void {
  if (typeof partition['kafka_topic'] !== 'string' || partition['kafka_topic'] === '') {
    throw new TributaryError('BAD_REQUEST', `offsets[${i}]: the partition must have a non-empty string "kafka_topic"`);
  }
  const p = partition['kafka_partition'];
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) {
    throw new TributaryError('BAD_REQUEST', `offsets[${i}]: the partition must have a non-negative integer "kafka_partition"`);
  }
  if (offset !== null) {
    const o = offset['kafka_offset'];
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
      throw new TributaryError('BAD_REQUEST', `offsets[${i}]: the offset must have a non-negative integer "kafka_offset", or be null`);
    }
  }
}

/** Applies the entries (null offset = reset); returns Kafka Connect's success message. */
export async function writeOffsets(
  log: Log, offsets: OffsetStore, name: string, config: ConnectorConfig, connector: Connector, entries: Entry[], reset: boolean,
): Promise<string> {
  let managedHere = false;
  if (connector.alterOffsets) {
    try {
      managedHere = await connector.alterOffsets(config, entries);
    } catch (err) {
      throw new TributaryError('BAD_REQUEST', `Failed to ${reset ? 'reset' : 'alter'} offsets for connector ${name}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (connector.type === 'sink') {
    const group = sinkGroup(name, config);
    const tp = (e: Entry): { topic: string; partition: number } => ({ topic: e.partition['kafka_topic'] as string, partition: e.partition['kafka_partition'] as number });
    const deletes = entries.filter((e) => e.offset === null).map(tp);
    const commits = entries.filter((e) => e.offset !== null).map((e) => ({ ...tp(e), offset: e.offset!['kafka_offset'] as number }));
    if (reset) await log.deleteOffsets(group);
    else {
      if (deletes.length > 0) await log.deleteOffsets(group, deletes);
      if (commits.length > 0) await log.commitOffsets(group, commits);
    }
  } else {
    await offsets.put(name, entries);
  }
  const verb = reset ? 'reset' : 'altered';
  return managedHere
    ? `The offsets for this connector have been ${verb} successfully`
    : `The Connect framework-managed offsets for this connector have been ${verb} successfully. However, if this connector manages offsets externally, they will need to be manually ${reset ? 'reset' : 'altered'} in the system that the connector uses.`;
}
