/**
 * `SinkTaskContext.seek` (a rewind asked for from `put`) moves both what the runner commits and what
 * it delivers next, as Kafka Connect's WorkerSinkTask.rewind() does: nothing past the rewind point is
 * committed, and the rest of the fetched batch is not put before the rewound records.
 */
import { describe, expect, it } from 'vitest';
import { SimpleHeaderConverter } from '../../src/runtime/converters/simple-header-converter.js';
import { StringConverter } from '../../src/runtime/converters/string-converter.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { SinkTaskRunner } from '../../src/runtime/sink-task-runner.js';
import { TransformChain } from '../../src/runtime/task-plugins.js';
import type { SinkRecord } from '../../src/sdk/records.js';
import type { SinkTask, SinkTaskContext } from '../../src/sdk/sink-task.js';
import { systemClock } from '../../src/util/clock.js';
import { useLogHarness } from '../support/log.js';

const h = useLogHarness();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('sink seek (rewind) from put', () => {
  it('does not commit past a rewind, and delivers from the rewound offset next', async () => {
    const log = await h.open(await h.tempDir());
    await log.createTopic('t');
    await log.append('t', 0, ['r0', 'r1', 'r2'].map((v) => ({ key: null, value: Buffer.from(v) })));
    let ctx!: SinkTaskContext;
    const puts: string[] = [];
    let rewound = false;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let heldReached!: () => void;
    const reached = new Promise<void>((r) => (heldReached = r));
    const task: SinkTask = {
      version: () => 't',
      start(_p, c) {
        ctx = c;
      },
      async put(records) {
        for (const r of records) puts.push(String(r.value));
        if (records.length === 0) return;
        if (!rewound) {
          // The task could not write r0 and asks for it again from offset 0 (Kafka's context.offset()).
          rewound = true;
          ctx.seek({ topic: 't', partition: 0 }, 0);
          return;
        }
        if (puts.length >= 4) {
          heldReached();
          await held;
        }
      },
      flush() {},
      stop() {},
    };
    const key = new StringConverter();
    key.configure({}, true);
    const value = new StringConverter();
    value.configure({}, false);
    const runner = new SinkTaskRunner({
      id: { connector: 's', task: 0 }, logger: quiet, report: () => {}, gracefulTimeoutMs: 2000,
      task, taskConfig: {}, log, clock: systemClock, converters: { key, value, header: new SimpleHeaderConverter() },
      transforms: TransformChain.build<SinkRecord>(new PluginRegistry(), {}), group: 'connect-s', topics: ['t'], topicsRegex: null,
      // A commit after every loop; one record per put.
      taskCount: 1, offsetFlushIntervalMs: 0, fetchMaxBytes: 1 << 20, maxPollRecords: 1, topicUsed: () => {},
    });
    runner.start('STARTED');
    await reached;
    const committed = await log.fetchOffsets('connect-s');
    const order = [...puts];
    release();
    await runner.stop();
    // The rewound record is the next one delivered (Kafka: rewind happens before the next poll).
    expect.soft(order.slice(0, 2)).toEqual(['r0', 'r0']);
    // Nothing at or after the rewind point is committed while r0 is not yet processed.
    expect.soft(committed.filter((c) => c.offset > 0)).toEqual([]);
  });
});
