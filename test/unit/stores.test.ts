/**
 * The three stores over both implementations of the compacted-topic primitive: the real one over
 * the embedded log (records read back from disk after a reopen) and the in-memory twin.
 */
import { describe, expect, it } from 'vitest';
import type { CompactedTopic } from '../../src/runtime/stores/compacted-topic.js';
import { ConfigStore } from '../../src/runtime/stores/config-store.js';
import { LogCompactedTopic } from '../../src/runtime/stores/log-compacted-topic.js';
import { MemoryCompactedTopic, MemoryTopicData } from '../../src/runtime/stores/memory-compacted-topic.js';
import { OffsetStore } from '../../src/runtime/stores/offset-store.js';
import { StatusStore } from '../../src/runtime/stores/status-store.js';
import { readAll, useLogHarness } from '../support/log.js';

const h = useLogHarness();

interface Backend {
  /** A topic handle; handles made for the same name share data (as two workers, or a restart). */
  topic(name: string, partitions: number): Promise<CompactedTopic>;
  /** Forget every open handle's in-memory state, as a process restart would. */
  restart(): Promise<void>;
}

async function logBackend(): Promise<Backend & { records(topic: string, partition?: number): Promise<Array<{ key: string; value: string | null }>> }> {
  const dir = await h.tempDir();
  let log = await h.open(dir);
  return {
    async topic(name, partitions) {
      return new LogCompactedTopic(log, { topic: name, partitions, exactPartitions: name === 'connect-configs' });
    },
    async restart() {
      await log.close();
      log = await h.open(dir);
    },
    async records(topic, partition = 0) {
      return (await readAll(log, topic, partition)).map((r) => ({ key: r.key!.toString(), value: r.value?.toString() ?? null }));
    },
  };
}

function memoryBackend(): Backend {
  const data = new Map<string, MemoryTopicData>();
  return {
    async topic(name, partitions) {
      if (!data.has(name)) data.set(name, new MemoryTopicData(partitions));
      return new MemoryCompactedTopic(name, data.get(name)!);
    },
    async restart() {},
  };
}

const backends: Array<[string, () => Promise<Backend>]> = [
  ['embedded log', logBackend],
  ['memory twin', async () => memoryBackend()],
];

describe.each(backends)('stores over the %s', (_, make) => {
  it('config store: configs, target states and committed task configs survive a restart', async () => {
    const b = await make();
    let store = new ConfigStore(await b.topic('connect-configs', 1));
    await store.start();
    await store.putConnectorConfig('a', { 'connector.class': 'X', name: 'a' }, 'PAUSED');
    await store.putConnectorConfig('b', { 'connector.class': 'Y', name: 'b' });
    await store.putTaskConfigs('a', [{ t: '0' }, { t: '1' }]);
    await store.putTargetState('b', 'STOPPED');
    await store.putTaskConfigs('b', []);
    await store.removeConnectorConfig('gone');
    await store.stop();
    await b.restart();
    store = new ConfigStore(await b.topic('connect-configs', 1));
    await store.start();
    expect(store.connectorNames()).toEqual(['a', 'b']);
    expect(store.connectorConfig('a')).toEqual({ 'connector.class': 'X', name: 'a' });
    expect(store.targetState('a')).toBe('PAUSED');
    expect(store.targetState('b')).toBe('STOPPED');
    expect(store.tasks('a')).toEqual([{ t: '0' }, { t: '1' }]);
    expect(store.tasks('b')).toEqual([]);
    await store.removeConnectorConfig('a');
    expect(store.connectorConfig('a')).toBeUndefined();
    expect(store.targetState('a')).toBeUndefined();
    expect(store.tasks('a')).toEqual([]);
    await store.stop();
  });

  it('config store: task records without their commit record are not applied', async () => {
    const b = await make();
    const topic = await b.topic('connect-configs', 1);
    const store = new ConfigStore(topic);
    await store.start();
    await store.putConnectorConfig('a', { name: 'a' });
    await store.putTaskConfigs('a', [{ v: 'old' }]);
    // A leader that died between its task records and the commit record.
    await topic.send([{ key: 'task-a-0', value: Buffer.from('{"properties":{"v":"new"}}') }]);
    await topic.readToEnd();
    expect(store.tasks('a')).toEqual([{ v: 'old' }]);
    await topic.send([{ key: 'commit-a', value: Buffer.from('{"tasks":1}') }]);
    await topic.readToEnd();
    expect(store.tasks('a')).toEqual([{ v: 'new' }]);
    await store.stop();
  });

  it('config store: a bad record is reported and skipped, later records still apply', async () => {
    const b = await make();
    const topic = await b.topic('connect-configs', 1);
    const bad: string[] = [];
    const store = new ConfigStore(topic, (m) => bad.push(m));
    await store.start();
    await topic.send([
      { key: 'connector-x', value: Buffer.from('not json') },
      { key: 'target-state-x', value: Buffer.from('{"state":"SLEEPING"}') },
      { key: 'connector-y', value: Buffer.from('{"properties":{"name":"y"}}') },
    ]);
    await topic.readToEnd();
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/connector-x/);
    expect(bad[1]).toMatch(/unknown target state SLEEPING/);
    expect(store.connectorNames()).toEqual(['y']);
    await store.stop();
  });

  it('offset store: latest offset per source partition, tombstones forget, survives a restart', async () => {
    const b = await make();
    let store = new OffsetStore(await b.topic('connect-offsets', 25));
    await store.start();
    await store.put('fs', [
      { partition: { filename: '/a' }, offset: { position: 10 } },
      { partition: { filename: '/b' }, offset: { position: 3 } },
    ]);
    await store.put('fs', [{ partition: { filename: '/a' }, offset: { position: 20 } }]);
    await store.put('other', [{ partition: { filename: '/a' }, offset: { position: 99 } }]);
    await store.put('fs', [{ partition: { filename: '/b' }, offset: null }]);
    await store.stop();
    await b.restart();
    store = new OffsetStore(await b.topic('connect-offsets', 25));
    await store.start();
    expect(store.get('fs', { filename: '/a' })).toEqual({ position: 20 });
    expect(store.get('fs', { filename: '/b' })).toBeNull();
    expect(store.all('fs')).toEqual([{ partition: { filename: '/a' }, offset: { position: 20 } }]);
    expect(store.get('other', { filename: '/a' })).toEqual({ position: 99 });
    await store.stop();
  });

  it('status store: own writes win over their echoes; tombstones remove; topics are tracked', async () => {
    const b = await make();
    let store = new StatusStore(await b.topic('connect-status', 5));
    await store.start();
    const s = (state: 'RUNNING' | 'FAILED' | 'PAUSED', trace: string | null = null) => ({ state, trace, workerId: 'w:1', generation: 0 });
    store.putConnector('c', s('RUNNING'));
    store.putTask('c', 0, s('FAILED', 'boom'));
    store.putTask('c', 0, s('RUNNING'));
    store.putTask('c', 1, s('PAUSED'));
    store.putTopic('c', 0, 't1', 5);
    store.putTopic('c', 0, 't2', 6);
    expect(store.task('c', 0)?.state).toBe('RUNNING');
    await store.flush();
    expect(store.task('c', 0)?.state).toBe('RUNNING');
    store.removeTask('c', 1);
    await store.stop();
    await b.restart();
    store = new StatusStore(await b.topic('connect-status', 5));
    await store.start();
    expect(store.connector('c')).toEqual(s('RUNNING'));
    expect(store.task('c', 0)).toEqual(s('RUNNING'));
    expect(store.task('c', 1)).toBeUndefined();
    expect(store.activeTopics('c')).toEqual(['t1', 't2']);
    store.resetTopics('c');
    store.remove('c', 2);
    await store.stop();
    await b.restart();
    store = new StatusStore(await b.topic('connect-status', 5));
    await store.start();
    expect(store.connector('c')).toBeUndefined();
    expect(store.taskStatuses('c').size).toBe(0);
    expect(store.activeTopics('c')).toEqual([]);
    await store.stop();
  });
});

describe('wire format (Kafka Connect compatible)', () => {
  it('writes Kafka Connect keys and plain-JSON values to the internal topics', async () => {
    const b = await logBackend();
    const configs = new ConfigStore(await b.topic('connect-configs', 1));
    await configs.start();
    await configs.putConnectorConfig('fs', { name: 'fs', file: '/x' }, 'STOPPED');
    await configs.putTaskConfigs('fs', [{ file: '/x' }]);
    await configs.stop();
    expect(await b.records('connect-configs')).toEqual([
      { key: 'target-state-fs', value: '{"state":"PAUSED","state.v2":"STOPPED"}' },
      { key: 'connector-fs', value: '{"properties":{"name":"fs","file":"/x"}}' },
      { key: 'task-fs-0', value: '{"properties":{"file":"/x"}}' },
      { key: 'commit-fs', value: '{"tasks":1}' },
    ]);
    const offsets = new OffsetStore(await b.topic('connect-offsets', 1));
    await offsets.start();
    await offsets.put('fs', [{ partition: { filename: '/var/data/in.txt' }, offset: { position: 1234 } }]);
    await offsets.stop();
    expect(await b.records('connect-offsets')).toEqual([{ key: '["fs",{"filename":"/var/data/in.txt"}]', value: '{"position":1234}' }]);
    const status = new StatusStore(await b.topic('connect-status', 1));
    await status.start();
    status.putTask('fs', 0, { state: 'FAILED', trace: 'x', workerId: 'h:8083', generation: 0 });
    status.putTopic('fs', 0, 'lines', 7);
    await status.stop();
    expect(await b.records('connect-status')).toEqual([
      { key: 'status-task-fs-0', value: '{"state":"FAILED","trace":"x","worker_id":"h:8083","generation":0}' },
      { key: 'status-topic-lines:connector-fs', value: '{"topic":{"name":"lines","connector":"fs","task":0,"discoverTimestamp":7}}' },
    ]);
  });

  it('refuses an existing internal topic that is not compacted, or a config topic with several partitions', async () => {
    const dir = await h.tempDir();
    const log = await h.open(dir);
    await log.createTopic('connect-configs', { partitions: 2, configs: { 'cleanup.policy': 'compact' } });
    await log.createTopic('connect-offsets', { partitions: 1 });
    await expect(new LogCompactedTopic(log, { topic: 'connect-configs', partitions: 1, exactPartitions: true }).start(() => {})).rejects.toThrow(
      /connect-configs' must have exactly 1 partition\(s\), but it has 2/,
    );
    await expect(new LogCompactedTopic(log, { topic: 'connect-offsets', partitions: 25 }).start(() => {})).rejects.toThrow(
      /connect-offsets' supplied via the worker config must have cleanup.policy=compact, but it has cleanup.policy=delete/,
    );
  });

  it('a second reader of the same topic sees the first one\'s writes (tailing)', async () => {
    const b = await logBackend();
    const a = new OffsetStore(await b.topic('connect-offsets', 3));
    const reader = new OffsetStore(await b.topic('connect-offsets', 3));
    await a.start();
    await reader.start();
    await a.put('c', [{ partition: { p: 1 }, offset: { o: 1 } }]);
    for (let i = 0; i < 200 && reader.get('c', { p: 1 }) === null; i++) await new Promise((r) => setTimeout(r, 25));
    expect(reader.get('c', { p: 1 })).toEqual({ o: 1 });
    await a.stop();
    await reader.stop();
  });
});
