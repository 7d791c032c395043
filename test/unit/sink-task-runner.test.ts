/**
 * Sink delivery contract: a RetriableError from put() redelivers the same batch; offsets are
 * committed only after flush() returned; any other error fails the task without a commit.
 */
import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../src/runtime/converters/json-converter.js';
import type { Converter } from '../../src/sdk/converter.js';
import { StringConverter } from '../../src/runtime/converters/string-converter.js';
import { SimpleHeaderConverter } from '../../src/runtime/converters/simple-header-converter.js';
import type { InstanceState } from '../../src/runtime/herder/herder.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { SinkTaskRunner } from '../../src/runtime/sink-task-runner.js';
import { TransformChain } from '../../src/runtime/task-plugins.js';
import { RetriableError } from '../../src/sdk/errors.js';
import type { SinkRecord } from '../../src/sdk/records.js';
import type { SinkTask } from '../../src/sdk/sink-task.js';
import { systemClock } from '../../src/util/clock.js';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { useLogHarness } from '../support/log.js';

const h = useLogHarness();
const traces: Array<string | undefined> = [];

function stringValue(): Converter {
  const c = new StringConverter();
  c.configure({}, false);
  return c;
}
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function runner(log: EmbeddedLog, task: SinkTask, states: InstanceState[], value: Converter = stringValue(), flushIntervalMs = 0, topicsRegex: RegExp | null = null): SinkTaskRunner {
  const key = new StringConverter();
  key.configure({}, true);
  return new SinkTaskRunner({
    id: { connector: 's', task: 0 }, logger: quiet, report: (s, trace) => { states.push(s); traces.push(trace); }, gracefulTimeoutMs: 5000,
    task, taskConfig: {}, log, clock: systemClock, converters: { key, value, header: new SimpleHeaderConverter() },
    transforms: TransformChain.build<SinkRecord>(new PluginRegistry(), {}), group: 'connect-s', topics: topicsRegex ? [] : ['t'], topicsRegex,
    taskCount: 1, offsetFlushIntervalMs: flushIntervalMs, fetchMaxBytes: 1 << 20, maxPollRecords: 500, topicUsed: () => {},
  });
}

async function logWithRecords(n: number): Promise<EmbeddedLog> {
  const log = await h.open(await h.tempDir());
  await log.createTopic('t');
  await log.append('t', 0, Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`r${i}`) })));
  return log;
}

describe('SinkTaskRunner', () => {
  it('redelivers the same batch after a RetriableError and commits only what flush made durable', async () => {
    const log = await logWithRecords(3);
    const puts: string[][] = [];
    const durable: string[] = [];
    let pending: string[] = [];
    let failures = 2;
    const task: SinkTask = {
      version: () => 't',
      start() {},
      put(records) {
        puts.push(records.map((r) => String(r.value)));
        if (records.length > 0 && failures-- > 0) throw new RetriableError('not now', { retryAfterMs: 1 });
        pending.push(...records.map((r) => String(r.value)));
      },
      flush() {
        durable.push(...pending);
        pending = [];
      },
      stop() {},
    };
    const states: InstanceState[] = [];
    const r = runner(log, task, states);
    r.start('STARTED');
    await until(async () => (await log.fetchOffsets('connect-s')).length > 0, 'a commit');
    expect(puts.slice(0, 3)).toEqual([['r0', 'r1', 'r2'], ['r0', 'r1', 'r2'], ['r0', 'r1', 'r2']]);
    expect(durable).toEqual(['r0', 'r1', 'r2']);
    expect(await log.fetchOffsets('connect-s')).toEqual([{ topic: 't', partition: 0, offset: 3, metadata: null }]);
    await r.stop();
    expect(states).toEqual(['RUNNING', 'UNASSIGNED']);
  });

  it('fails the task on a non-retriable put error and commits nothing', async () => {
    const log = await logWithRecords(2);
    let flushed = 0;
    const task: SinkTask = {
      version: () => 't',
      start() {},
      put(records) {
        if (records.length > 0) throw new Error('disk on fire');
      },
      flush() {
        flushed++;
      },
      stop() {},
    };
    const states: InstanceState[] = [];
    const r = runner(log, task, states);
    r.start('STARTED');
    await r.done();
    expect(states).toEqual(['RUNNING', 'FAILED']);
    expect(flushed).toBe(0);
    expect(await log.fetchOffsets('connect-s')).toEqual([]);
  });

  it('fails naming the record a converter cannot read, and commits nothing past it', async () => {
    const log = await h.open(await h.tempDir());
    await log.createTopic('t');
    const good = '{"schema":{"type":"string","optional":false},"payload":"ok"}';
    await log.append('t', 0, [good, '{"schema":', good].map((v) => ({ key: null, value: Buffer.from(v) })));
    const json = new JsonConverter();
    json.configure({}, false);
    const seen: unknown[] = [];
    const task: SinkTask = { version: () => 't', start() {}, put(records) { seen.push(...records.map((r) => r.value)); }, stop() {} };
    const states: InstanceState[] = [];
    traces.length = 0;
    const r = runner(log, task, states, json);
    r.start('STARTED');
    await r.done();
    expect(states).toEqual(['RUNNING', 'FAILED']);
    expect(traces[1]).toMatch(/Tolerance exceeded in error handler: the record at t-0 offset 1 failed in stage VALUE_CONVERTER \(JsonConverter\)/);
    expect(seen).toEqual([]);
    expect(await log.fetchOffsets('connect-s')).toEqual([]);
  });

  it('keeps flushing and committing what was put while the connector is paused', async () => {
    const log = await logWithRecords(3);
    const put: string[] = [];
    let flushed: string[] = [];
    const task: SinkTask = {
      version: () => 't',
      start() {},
      put(records) {
        put.push(...records.map((r) => String(r.value)));
      },
      flush() {
        flushed = [...put];
      },
      stop() {},
    };
    const states: InstanceState[] = [];
    const r = runner(log, task, states, stringValue(), 300);
    r.start('STARTED');
    await until(() => put.length === 3, 'the records to be put');
    r.setTargetState('PAUSED');
    await until(async () => (await log.fetchOffsets('connect-s')).length > 0, 'a commit while paused');
    expect(flushed).toEqual(['r0', 'r1', 'r2']);
    expect(states).toContain('PAUSED');
    await r.stop();
  });

  it('with topics.regex, reads topics that match, including ones created after it started', async () => {
    const log = await h.open(await h.tempDir());
    await log.createTopic('other');
    await log.append('other', 0, [{ key: null, value: Buffer.from('not mine') }]);
    const put: string[] = [];
    const task: SinkTask = { version: () => 't', start() {}, put(records) { put.push(...records.map((r) => `${r.topic}:${String(r.value)}`)); }, stop() {} };
    const r = runner(log, task, [], stringValue(), 0, /^(?:logs-.*)$/);
    r.start('STARTED');
    await log.createTopic('logs-a');
    await log.append('logs-a', 0, [{ key: null, value: Buffer.from('a1') }]);
    await until(() => put.includes('logs-a:a1'), 'the first matching topic');
    await log.createTopic('logs-b');
    await log.append('logs-b', 0, [{ key: null, value: Buffer.from('b1') }]);
    for (let i = 0; i < 150 && !put.includes('logs-b:b1'); i++) await new Promise((res) => setTimeout(res, 100));
    expect(put).toEqual(['logs-a:a1', 'logs-b:b1']);
    await r.stop();
  });
});
