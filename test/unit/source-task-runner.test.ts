/**
 * The source ack contract: an offset is committed only once its record and every record polled
 * before it are durable in the log, even when later appends finish first.
 */
import { describe, expect, it } from 'vitest';
import type { Log } from '../../src/log/log.js';
import { StringConverter } from '../../src/runtime/converters/string-converter.js';
import { SimpleHeaderConverter } from '../../src/runtime/converters/simple-header-converter.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { SourceTaskRunner } from '../../src/runtime/source-task-runner.js';
import { LogCompactedTopic } from '../../src/runtime/stores/log-compacted-topic.js';
import { OffsetStore } from '../../src/runtime/stores/offset-store.js';
import { TransformChain } from '../../src/runtime/task-plugins.js';
import { sourceRecord, type SourceRecord } from '../../src/sdk/records.js';
import type { SourceTask } from '../../src/sdk/source-task.js';
import { readAll, useLogHarness } from '../support/log.js';

const h = useLogHarness();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Holds appends to one topic until released; everything else goes straight to the real log. */
function gatedLog(log: Log, gatedTopic: string): { log: Log; release(): void; passed: () => number } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let passed = 0;
  const wrapped = Object.create(log) as Log;
  wrapped.append = async (topic, partition, records) => {
    if (topic === gatedTopic) await gate;
    const r = await log.append(topic, partition, records);
    if (topic !== gatedTopic) passed++;
    return r;
  };
  return { log: wrapped, release, passed: () => passed };
}

/** A source task that hands out the given batches, then nothing. */
function scriptedTask(batches: SourceRecord[][]): SourceTask & { committed: unknown[] } {
  const committed: unknown[] = [];
  return {
    committed,
    version: () => 'test',
    start() {},
    async poll(signal) {
      const next = batches.shift();
      if (next) return next;
      await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
      return [];
    },
    commit(c) {
      committed.push(c);
    },
    stop() {},
  };
}

const rec = (topic: string, n: number): SourceRecord =>
  sourceRecord({ topic, value: `v${n}`, sourcePartition: { file: 'f' }, sourceOffset: { position: n } });

describe('SourceTaskRunner offsets', () => {
  it('does not commit an offset while an earlier record is still in flight', async () => {
    const real = await h.open(await h.tempDir());
    await real.createTopic('slow');
    await real.createTopic('fast');
    const g = gatedLog(real, 'slow');
    const offsets = new OffsetStore(new LogCompactedTopic(real, { topic: 'connect-offsets', partitions: 1 }));
    await offsets.start();
    const task = scriptedTask([[rec('slow', 1)], [rec('fast', 2)]]);
    const key = new StringConverter();
    key.configure({}, true);
    const value = new StringConverter();
    value.configure({}, false);
    const runner = new SourceTaskRunner({
      id: { connector: 'c', task: 0 }, logger: quiet, report: () => {}, gracefulTimeoutMs: 5000,
      task, taskConfig: {}, log: g.log, offsets,
      converters: { key, value, header: new SimpleHeaderConverter() },
      transforms: TransformChain.build<SourceRecord>(new PluginRegistry(), {}),
      offsetFlushIntervalMs: 3_600_000, offsetFlushTimeoutMs: 5000, bufferBytes: 1 << 20,
      topicPartitions: async (t) => (await real.describeTopic(t)).partitions.length, topicUsed: () => {}, reportProgress: () => {},
    });
    runner.start('STARTED');
    for (let i = 0; i < 400 && g.passed() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(g.passed()).toBe(1); // the later record is durable...
    await runner.commitOffsets();
    expect(offsets.get('c', { file: 'f' })).toBeNull(); // ...but the earlier one is not, so nothing is committed
    expect(task.committed).toEqual([]);
    g.release();
    for (let i = 0; i < 400 && (await real.latestOffset('slow', 0)) === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await runner.commitOffsets();
    expect(offsets.get('c', { file: 'f' })).toEqual({ position: 2 });
    expect(task.committed).toEqual([[{ partition: { file: 'f' }, offset: { position: 2 } }]]);
    await runner.stop();
    expect((await readAll(real, 'slow')).map((r) => r.value!.toString())).toEqual(['v1']);
    await offsets.stop();
  });
});
