/**
 * A graceful stop that arrives while a sink's `put` is being retried (RetriableError: the target is
 * briefly down) is a clean stop: no FAILED status, and what earlier puts delivered is flushed and
 * committed; the batch being retried is not.
 */
import { describe, expect, it } from 'vitest';
import { SimpleHeaderConverter } from '../../src/runtime/converters/simple-header-converter.js';
import { StringConverter } from '../../src/runtime/converters/string-converter.js';
import type { InstanceState } from '../../src/runtime/herder/herder.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { SinkTaskRunner } from '../../src/runtime/sink-task-runner.js';
import { TransformChain } from '../../src/runtime/task-plugins.js';
import { RetriableError } from '../../src/sdk/errors.js';
import type { SinkRecord } from '../../src/sdk/records.js';
import type { SinkTask } from '../../src/sdk/sink-task.js';
import { systemClock } from '../../src/util/clock.js';
import { useLogHarness } from '../support/log.js';

const h = useLogHarness();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('sink stopped while put is being retried', () => {
  it('stops cleanly: not FAILED, and what was delivered before is committed', async () => {
    const log = await h.open(await h.tempDir());
    await log.createTopic('t');
    await log.append('t', 0, [{ key: null, value: Buffer.from('r0') }]);
    let flushed = 0;
    let failing = false;
    let reachedRetry!: () => void;
    const inRetry = new Promise<void>((r) => (reachedRetry = r));
    const task: SinkTask = {
      version: () => 't',
      start() {},
      async put(records) {
        if (records.length === 0) return;
        if (failing) {
          reachedRetry();
          throw new RetriableError('target briefly down', { retryAfterMs: 60_000 });
        }
        failing = true; // r0 is taken; the next batch (r1) meets the outage
      },
      flush() {
        flushed++;
      },
      stop() {},
    };
    const key = new StringConverter();
    key.configure({}, true);
    const value = new StringConverter();
    value.configure({}, false);
    const states: InstanceState[] = [];
    const runner = new SinkTaskRunner({
      id: { connector: 's', task: 0 }, logger: quiet, report: (s) => states.push(s), gracefulTimeoutMs: 2000,
      task, taskConfig: {}, log, clock: systemClock, converters: { key, value, header: new SimpleHeaderConverter() },
      transforms: TransformChain.build<SinkRecord>(new PluginRegistry(), {}), group: 'connect-s', topics: ['t'], topicsRegex: null,
      // No periodic commit: only the final commit on stop can commit r0.
      taskCount: 1, offsetFlushIntervalMs: 3_600_000, fetchMaxBytes: 1 << 20, maxPollRecords: 500, topicUsed: () => {},
    });
    runner.start('STARTED');
    for (let i = 0; i < 300 && !failing; i++) await new Promise((r) => setTimeout(r, 10));
    await log.append('t', 0, [{ key: null, value: Buffer.from('r1') }]);
    await inRetry;
    expect(await runner.stop()).toBe(true);
    const committed = await log.fetchOffsets('connect-s');
    expect(states).not.toContain('FAILED');
    expect(flushed).toBeGreaterThan(0);
    expect(committed.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset }))).toEqual([{ topic: 't', partition: 0, offset: 1 }]);
  });
});
