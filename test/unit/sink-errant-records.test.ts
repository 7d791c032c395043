/**
 * The sink side of the error handler, through a real SinkTaskRunner on an EmbeddedLog: records a
 * task reports through `errantRecordReporter` (KIP-610), converters that throw RetriableError
 * (retried within errors.retry.timeout), and the retry delays Kafka Connect documents.
 */
import { describe, expect, it } from 'vitest';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { StoredRecord } from '../../src/log/log.js';
import { SimpleHeaderConverter } from '../../src/runtime/converters/simple-header-converter.js';
import { StringConverter } from '../../src/runtime/converters/string-converter.js';
import { DeadLetterQueue } from '../../src/runtime/errors/dead-letter-queue.js';
import { ErrorHandler } from '../../src/runtime/errors/error-handler.js';
import { errorPolicy } from '../../src/runtime/errors/error-policy.js';
import type { InstanceState } from '../../src/runtime/herder/herder.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { SinkTaskRunner } from '../../src/runtime/sink-task-runner.js';
import { TransformChain } from '../../src/runtime/task-plugins.js';
import type { Converter } from '../../src/sdk/converter.js';
import { RetriableError } from '../../src/sdk/errors.js';
import type { SinkRecord } from '../../src/sdk/records.js';
import type { SinkTask, SinkTaskContext } from '../../src/sdk/sink-task.js';
import { ManualClock, systemClock } from '../../src/util/clock.js';
import { useLogHarness } from '../support/log.js';

const h = useLogHarness();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const id = { connector: 's', task: 0 };

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function stringConverter(isKey: boolean): StringConverter {
  const c = new StringConverter();
  c.configure({}, isKey);
  return c;
}

function runner(log: EmbeddedLog, task: SinkTask, config: Record<string, string>, states: string[], value: Converter = stringConverter(false)): SinkTaskRunner {
  const policy = errorPolicy(config);
  const errors = new ErrorHandler({ policy, id, logger: quiet, clock: systemClock, dlq: policy.dlqTopic ? new DeadLetterQueue(log, policy.dlqTopic) : null });
  return new SinkTaskRunner({
    id, logger: quiet, report: (s: InstanceState, trace?: string) => void states.push(trace ? `${s}: ${trace}` : s), gracefulTimeoutMs: 5000,
    task, taskConfig: {}, log, clock: systemClock, converters: { key: stringConverter(true), value, header: new SimpleHeaderConverter() },
    transforms: TransformChain.build<SinkRecord>(new PluginRegistry(), {}), group: 'connect-s', topics: ['t'], topicsRegex: null,
    taskCount: 1, offsetFlushIntervalMs: 0, fetchMaxBytes: 1 << 20, maxPollRecords: 7, topicUsed: () => {},
    errors, connectorClass: 'com.example.OddSink',
  });
}

async function logWith(values: readonly string[]): Promise<EmbeddedLog> {
  const log = await h.open(await h.tempDir());
  await log.createTopic('t');
  await log.append('t', 0, values.map((v, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(v), headers: [{ key: 'h', value: Buffer.from(`v${i}`) }] })));
  return log;
}

async function readAll(log: EmbeddedLog, topic: string): Promise<StoredRecord[]> {
  if (!(await log.listTopics()).includes(topic)) return [];
  return [...(await log.read(topic, 0, 0, { maxBytes: 1 << 20 })).records];
}

const committed = async (log: EmbeddedLog): Promise<number> => (await log.fetchOffsets('connect-s'))[0]?.offset ?? 0;

/** Writes even numbers; reports odd ones as errant. */
function oddReportingTask(written: string[]): SinkTask {
  let context!: SinkTaskContext;
  return {
    version: () => '1',
    start(_p, c) {
      context = c;
    },
    put(records) {
      for (const r of records) {
        if (Number(r.value) % 2 === 1) void context.errantRecordReporter.report(r, new Error(`odd value ${String(r.value)}`));
        else written.push(String(r.value));
      }
    },
    stop() {},
  };
}

const numbers = Array.from({ length: 30 }, (_, i) => String(i));

describe('the errant record reporter', () => {
  it('with errors.tolerance=all sends each reported record, as consumed, to the dead letter queue and commits past it', async () => {
    const log = await logWith(numbers);
    const written: string[] = [];
    const states: string[] = [];
    const r = runner(log, oddReportingTask(written), { 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq', 'errors.deadletterqueue.context.headers.enable': 'true' }, states);
    r.start('STARTED');
    await until(async () => (await committed(log)) === 30, 'offsets committed to the end');
    await r.stop();
    expect(written).toEqual(numbers.filter((n) => Number(n) % 2 === 0));
    const dead = await readAll(log, 'dlq');
    expect(dead.map((d) => d.value!.toString())).toEqual(numbers.filter((n) => Number(n) % 2 === 1));
    const first = dead[0]!;
    expect(first.key!.toString()).toBe('k1');
    const headers = Object.fromEntries(first.headers.map((x) => [x.key, x.value!.toString()]));
    expect(headers).toMatchObject({
      h: 'v1',
      '__connect.errors.topic': 't',
      '__connect.errors.offset': '1',
      '__connect.errors.stage': 'TASK_PUT',
      '__connect.errors.class.name': 'com.example.OddSink',
      '__connect.errors.exception.class.name': 'Error',
      '__connect.errors.exception.message': 'odd value 1',
    });
    expect(states).toEqual(['RUNNING', 'UNASSIGNED']);
  });

  it('commits no offset past a reported record until its dead letter queue append is durable, even when it was reported during flush', async () => {
    const log = await logWith(numbers);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let dlqAppends = 0;
    // The log as the runner sees it: appends to the DLQ wait for the gate.
    const held = new Proxy(log, {
      get(target, prop, receiver) {
        if (prop === 'append') {
          return async (topic: string, partition: number, records: Parameters<EmbeddedLog['append']>[2]) => {
            if (topic === 'dlq') {
              dlqAppends++;
              await gate;
            }
            return target.append(topic, partition, records);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    let context!: SinkTaskContext;
    let flushes = 0;
    let pending: SinkRecord[] = [];
    const task: SinkTask = {
      version: () => '1',
      start(_p, c) {
        context = c;
      },
      put(records) {
        pending.push(...records);
      },
      // Reports odd values only when flushing: the runner must wait for those reports too.
      flush() {
        flushes++;
        for (const r of pending) if (Number(r.value) % 2 === 1) void context.errantRecordReporter.report(r, new Error('odd')).catch(() => {});
        pending = [];
      },
      stop() {},
    };
    const r = runner(held as EmbeddedLog, task, { 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq' }, []);
    r.start('STARTED');
    await until(() => dlqAppends > 0 && flushes > 0, 'a flush that reported records, and their DLQ append under way');
    expect(await committed(log)).toBe(0);
    release();
    await until(async () => (await committed(log)) === 30, 'offsets committed once the DLQ append is durable');
    await r.stop();
    expect((await readAll(log, 'dlq')).map((d) => d.value!.toString())).toEqual(numbers.filter((n) => Number(n) % 2 === 1));
  });

  it('finds the consumed record of a reported copy by its original coordinates; a record the task made is converted back', async () => {
    const log = await logWith(['0', '1', '2']);
    let context!: SinkTaskContext;
    const task: SinkTask = {
      version: () => '1',
      start(_p, c) {
        context = c;
      },
      put(records) {
        for (const r of records) {
          // A copy (not the record put) with another value: the queue gets the bytes consumed.
          if (r.value === '1') void context.errantRecordReporter.report({ ...r, value: 'changed' }, new Error('copy'));
          // Coordinates of no record in the batch: the record as the task made it.
          if (r.value === '2') void context.errantRecordReporter.report({ ...r, value: 'made', originalKafkaOffset: 99 }, new Error('made'));
        }
      },
      stop() {},
    };
    const r = runner(log, task, { 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq', 'errors.deadletterqueue.context.headers.enable': 'true' }, []);
    r.start('STARTED');
    await until(async () => (await committed(log)) === 3, 'offsets committed to the end');
    await r.stop();
    const dead = await readAll(log, 'dlq');
    const offsetOf = (d: StoredRecord): string | undefined => d.headers.find((x) => x.key === '__connect.errors.offset')?.value?.toString();
    expect(dead.map((d) => [d.key!.toString(), d.value!.toString(), offsetOf(d)])).toEqual([['k1', '1', '1'], ['k2', 'made', '2']]);
  });

  it('with errors.tolerance=none fails the task on the first report and commits nothing past it', async () => {
    const log = await logWith(numbers);
    const states: string[] = [];
    const r = runner(log, oddReportingTask([]), {}, states);
    r.start('STARTED');
    await r.done();
    expect(states[1]).toMatch(/^FAILED: ConnectError: Tolerance exceeded in error handler: the record at t-0 offset 1 failed in stage TASK_PUT \(com.example.OddSink\): odd value 1/);
    expect(await committed(log)).toBe(0);
  });
});

describe('a RetriableError from a converter', () => {
  it('is retried within errors.retry.timeout, then the record goes through', async () => {
    const log = await logWith(['a', 'b', 'c']);
    let failures = 2;
    const flaky = stringConverter(false);
    const toConnectData = flaky.toConnectData.bind(flaky);
    flaky.toConnectData = (topic: string, value: Buffer | null) => {
      if (value?.toString() === 'b' && failures-- > 0) throw new RetriableError('schema registry not reachable');
      return toConnectData(topic, value);
    };
    const written: string[] = [];
    const task: SinkTask = { version: () => '1', start() {}, put: (rs) => void written.push(...rs.map((x) => String(x.value))), stop() {} };
    const r = runner(log, task, { 'errors.retry.timeout': '60000', 'errors.retry.delay.max.ms': '1' }, [], flaky);
    r.start('STARTED');
    await until(async () => (await committed(log)) === 3, 'offsets committed');
    await r.stop();
    expect(written).toEqual(['a', 'b', 'c']);
    expect(failures).toBe(-1);
  });

  it('without a retry timeout fails the task at once (tolerance none)', async () => {
    const log = await logWith(['a']);
    const flaky = stringConverter(false);
    flaky.toConnectData = () => {
      throw new RetriableError('down');
    };
    const states: string[] = [];
    const r = runner(log, { version: () => '1', start() {}, put() {}, stop() {} }, {}, states, flaky);
    r.start('STARTED');
    await r.done();
    expect(states[1]).toMatch(/FAILED: .*Tolerance exceeded in error handler: the record at t-0 offset 0 failed in stage VALUE_CONVERTER \(StringConverter\): down/);
  });
});

describe('retry delays', () => {
  const handler = (config: Record<string, string>, clock: ManualClock, random = () => 0.5): ErrorHandler =>
    new ErrorHandler({ policy: errorPolicy(config), id, logger: quiet, dlq: null, clock, random });

  it('start at 300 ms and double, jittered ±20%, until errors.retry.timeout is used up', () => {
    const clock = new ManualClock(1000);
    const e = handler({ 'errors.retry.timeout': '10000' }, clock);
    expect([1, 2, 3, 4].map((a) => e.retryWait(a, 1000))).toEqual([300, 600, 1200, 2400]);
    expect(handler({ 'errors.retry.timeout': '10000' }, clock, () => 0).retryWait(1, 1000)).toBe(240);
    expect(handler({ 'errors.retry.timeout': '10000' }, clock, () => 1).retryWait(1, 1000)).toBe(360);
    clock.set(10_500);
    expect(e.retryWait(5, 1000)).toBe(500);
    clock.set(11_000);
    expect(e.retryWait(6, 1000)).toBeNull();
  });

  it('above errors.retry.delay.max.ms are random below it (Kafka Connect), and -1 retries forever', () => {
    const clock = new ManualClock(0);
    const e = handler({ 'errors.retry.timeout': '-1', 'errors.retry.delay.max.ms': '1000' }, clock, () => 0.25);
    expect(e.retryWait(2, 0)).toBe(540);
    expect(e.retryWait(3, 0)).toBe(250);
    clock.set(10 ** 12);
    expect(e.retryWait(40, 0)).toBe(250);
    expect(handler({}, clock).retryWait(1, 0)).toBeNull();
  });
});
