/**
 * A source task whose log append fails while the loop waits for in-flight bytes to drain
 * (`producer.buffer.memory` reached) fails (status FAILED) and stops cleanly, instead of hanging
 * RUNNING behind a batch that will never complete.
 */
import { describe, expect, it } from 'vitest';
import type { InstanceState } from '../../src/runtime/herder/herder.js';
import { StringConverter } from '../../src/runtime/converters/string-converter.js';
import { SimpleHeaderConverter } from '../../src/runtime/converters/simple-header-converter.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { SourceTaskRunner } from '../../src/runtime/source-task-runner.js';
import { LogCompactedTopic } from '../../src/runtime/stores/log-compacted-topic.js';
import { OffsetStore } from '../../src/runtime/stores/offset-store.js';
import { TransformChain } from '../../src/runtime/task-plugins.js';
import { sourceRecord, type SourceRecord } from '../../src/sdk/records.js';
import type { SourceTask } from '../../src/sdk/source-task.js';
import { useLogHarness } from '../support/log.js';

const h = useLogHarness();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('source append failure under backpressure', () => {
  it('reports FAILED when an append fails while the loop waits for the buffer to drain', async () => {
    const log = await h.open(await h.tempDir());
    await log.createTopic('t'); // max.message.bytes default 1,048,588
    const offsets = new OffsetStore(new LogCompactedTopic(log, { topic: 'connect-offsets', partitions: 1 }));
    await offsets.start();
    let stopped = false;
    let polls = 0;
    const task: SourceTask = {
      version: () => 't',
      start() {},
      async poll(signal) {
        if (polls++ === 0) {
          // One record above max.message.bytes: its append is refused (MESSAGE_TOO_LARGE).
          return [sourceRecord({ topic: 't', value: 'x'.repeat(2 << 20), sourcePartition: { f: 1 }, sourceOffset: { p: 1 } })];
        }
        await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
        return [];
      },
      stop() {
        stopped = true;
      },
    };
    const key = new StringConverter();
    key.configure({}, true);
    const value = new StringConverter();
    value.configure({}, false);
    const states: InstanceState[] = [];
    const runner = new SourceTaskRunner({
      id: { connector: 'c', task: 0 }, logger: quiet, report: (s) => states.push(s), gracefulTimeoutMs: 1000,
      task, taskConfig: {}, log, offsets,
      converters: { key, value, header: new SimpleHeaderConverter() },
      transforms: TransformChain.build<SourceRecord>(new PluginRegistry(), {}),
      // A small buffer, so the loop is waiting in waitBelow() when the append fails.
      offsetFlushIntervalMs: 3_600_000, offsetFlushTimeoutMs: 200, bufferBytes: 1024,
      topicPartitions: async (t) => (await log.describeTopic(t)).partitions.length, topicUsed: () => {}, reportProgress: () => {},
    });
    runner.start('STARTED');
    for (let i = 0; i < 300 && !states.includes('FAILED'); i++) await new Promise((r) => setTimeout(r, 10));
    const finished = await runner.stop();
    await offsets.stop();
    expect(states).toContain('FAILED');
    expect(finished).toBe(true);
    expect(stopped).toBe(true);
  });
});
