/**
 * The DLQ replay over a real EmbeddedLog: queues written with the dead-letter contract's functions,
 * sinks' records sent back to their topics (a stand-in consumer plays the sink task: it dead-letters
 * what it cannot take and commits, as the sink runner does), sources' records decoded, transformed
 * and converted with the connector's current config.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../src/errors/codes.js';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { LogRecord, StoredRecord } from '../../src/log/log.js';
import { partitionForKey } from '../../src/log/partitioner.js';
import { builtinPlugins } from '../../src/runtime/builtin-plugins.js';
import { JsonConverter } from '../../src/runtime/converters/json-converter.js';
import {
  CONNECT_JSON_ENCODING, ENCODING_HEADER, contextHeaders, readContext, replayGroup, sourceTargetHeaders, type DeadLetterContext,
} from '../../src/runtime/errors/dead-letter-format.js';
import { DeadLetterQueue } from '../../src/runtime/errors/dead-letter-queue.js';
import { DlqReplayer } from '../../src/runtime/errors/dlq-replay.js';
import { ErrorHandler } from '../../src/runtime/errors/error-handler.js';
import { errorPolicy } from '../../src/runtime/errors/error-policy.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { DEFAULT_WORKER_SETTINGS } from '../../src/runtime/worker-settings.js';
import { ConfigDef, DataError, SchemaBuilder, Schemas, Struct, sourceRecord, type SourceRecord, type TaskLogger, type TransformationPlugin } from '../../src/sdk/index.js';
import { systemClock } from '../../src/util/clock.js';
import { readAll, useLogHarness } from '../support/log.js';

const h = useLogHarness();
const DLQ = 'dlq';
const TS = 1_700_000_000_000;

/** Upper-cases string values; refuses the value 'boom'. */
const upperPlugin: TransformationPlugin = {
  type: 'transformation',
  className: 'test.tributary.Upper',
  aliases: ['Upper'],
  version: '1',
  create: () => ({
    configure() {},
    config: () => new ConfigDef(),
    apply(r) {
      if (r.value === 'boom') throw new DataError('boom refused');
      return { ...r, value: typeof r.value === 'string' ? r.value.toUpperCase() : r.value };
    },
    close() {},
  }),
};

const registry = new PluginRegistry([...builtinPlugins, upperPlugin]);

async function setup(): Promise<{ log: EmbeddedLog; replayer: DlqReplayer }> {
  const log = await h.open(join(await h.tempDir(), 'data'));
  await log.createTopic(DLQ);
  return { log, replayer: new DlqReplayer({ log, registry, settings: DEFAULT_WORKER_SETTINGS, clock: systemClock }) };
}

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

function sinkCtx(over: Partial<DeadLetterContext> = {}): DeadLetterContext {
  return {
    topic: 'lines', partition: 0, offset: 7, connector: 'sink', task: 0, stage: 'TASK_PUT', className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    exceptionClass: 'org.apache.kafka.connect.errors.DataException', message: 'cannot write', stacktrace: null, ...over,
  };
}

function sinkDead(value: string, context: DeadLetterContext, key: string | null = null, headers: LogRecord['headers'] = []): LogRecord {
  return { key: key === null ? null : Buffer.from(key), value: Buffer.from(value), timestamp: TS, headers: [...headers!, ...contextHeaders(context, true)] };
}

function sourceCtx(over: Partial<DeadLetterContext> = {}): DeadLetterContext {
  return sinkCtx({ topic: null, partition: null, offset: null, connector: 'src', stage: 'KAFKA_PRODUCE', className: 'org.apache.kafka.connect.file.FileStreamSourceConnector', message: 'append failed', ...over });
}

/** A source record in the queue's connect-json form, as the source runner writes it. */
function sourceDead(r: SourceRecord, context: DeadLetterContext = sourceCtx()): LogRecord {
  const enc = new JsonConverter();
  enc.configure({ 'schemas.enable': 'true' }, false);
  return {
    key: enc.fromConnectData(r.topic, r.keySchema, r.key),
    value: enc.fromConnectData(r.topic, r.valueSchema, r.value),
    timestamp: r.timestamp ?? TS,
    headers: [
      ...r.headers.map((x) => ({ key: x.key, value: enc.fromConnectData(r.topic, x.schema, x.value) })),
      { key: ENCODING_HEADER, value: Buffer.from(CONNECT_JSON_ENCODING) },
      ...sourceTargetHeaders(r.topic, r.kafkaPartition),
      ...contextHeaders(context, false),
    ],
  };
}

/**
 * Plays the sink task of connector `sink` (group connect-sink) on `topic`: reads from the committed
 * offsets, dead-letters records whose value is 'bad' with their coordinates (durably, before
 * committing, as the runner does), then commits.
 */
function standInSink(log: EmbeddedLog, topic: string): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    const group = 'connect-sink';
    while (!stopped) {
      const partitions = (await log.describeTopic(topic)).partitions.length;
      for (let p = 0; p < partitions; p++) {
        const [c] = await log.fetchOffsets(group, [{ topic, partition: p }]);
        const pos = c?.offset ?? 0;
        if (pos >= (await log.latestOffset(topic, p))) continue;
        const read = await log.read(topic, p, pos);
        const bad = read.records.filter((r) => text(r.value) === 'bad');
        if (bad.length > 0) {
          await log.append(DLQ, 0, bad.map((r) => sinkDead('bad', sinkCtx({ topic, partition: p, offset: r.offset, message: 'bad is refused' }))));
        }
        await log.commitOffsets(group, [{ topic, partition: p, offset: read.nextOffset }]);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function committedCursor(log: EmbeddedLog, connector: string): Promise<number | undefined> {
  return (await log.fetchOffsets(replayGroup(connector)))[0]?.offset;
}

async function expectError(p: Promise<unknown>, code: 'BAD_REQUEST' | 'CONFLICT', message: RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(isTributaryError(err, code), String(err)).toBe(true);
  expect((err as Error).message).toMatch(message);
}

const SINK = { 'connector.class': 'FileStreamSink', topics: 'lines', 'errors.deadletterqueue.topic.name': DLQ };

describe('replaying a sink connector', () => {
  it('sends each record back where it was consumed and reports what the sink then did with it', async () => {
    const { log, replayer } = await setup();
    await log.createTopic('lines', { partitions: 2 });
    await log.append(DLQ, 0, [
      sinkDead('a', sinkCtx({ partition: 1, offset: 5 }), 'ka', [{ key: 'trace', value: Buffer.from('t1') }]),
      sinkDead('theirs', sinkCtx({ connector: 'other' })),
      sinkDead('bad', sinkCtx({ offset: 9 })),
      // No origin: the connector's only topic, partition by the key's hash.
      sinkDead('c', sinkCtx({ topic: null, partition: null, offset: null }), 'kc'),
    ]);
    const sink = standInSink(log, 'lines');
    const result = await replayer.replay('sink', SINK, 'sink', { timeoutMs: 30_000 });
    await sink.stop();

    const cPartition = partitionForKey(Buffer.from('kc'), 2);
    expect(result).toEqual({
      connector: 'sink', dlq_topic: DLQ, replayed: 3, succeeded: 2, failed: 1, pending: 0, skipped: 0, replayed_through: 4,
      records: [
        { dlq_offset: 0, status: 'succeeded', topic: 'lines', partition: 1, offset: 0 },
        {
          dlq_offset: 2, status: 'failed', topic: 'lines', partition: 0, offset: 0, new_dlq_offset: 4,
          error: { stage: 'TASK_PUT', class_name: 'org.apache.kafka.connect.file.FileStreamSinkConnector', exception_class: 'org.apache.kafka.connect.errors.DataException', message: 'bad is refused' },
        },
        { dlq_offset: 3, status: 'succeeded', topic: 'lines', partition: cPartition, offset: 1 },
      ],
    });
    // Bytes, timestamp and the record's own headers unchanged; the queue's context headers gone.
    const [back] = await readAll(log, 'lines', 1);
    expect({ key: text(back!.key), value: text(back!.value), timestamp: back!.timestamp, headers: back!.headers.map((x) => [x.key, text(x.value)]) })
      .toEqual({ key: 'ka', value: 'a', timestamp: TS, headers: [['trace', 't1']] });
    expect(await committedCursor(log, 'sink')).toBe(4);

    // The record that failed again is the next replay's, from its new coordinates.
    const again = standInSink(log, 'lines');
    const second = await replayer.replay('sink', SINK, 'sink', { timeoutMs: 30_000 });
    await again.stop();
    expect(second.records).toEqual([expect.objectContaining({ dlq_offset: 4, status: 'failed', new_dlq_offset: 5 })]);
    expect(second.replayed_through).toBe(5);
    expect(readContext((await readAll(log, DLQ))[5]!.headers)).toMatchObject({ topic: 'lines', partition: 0, offset: cPartition === 0 ? 2 : 1 });
  });

  it('reports records the sink has not committed within the timeout as pending, and moves the cursor past them', async () => {
    const { log, replayer } = await setup();
    await log.createTopic('lines');
    await log.append(DLQ, 0, [sinkDead('a', sinkCtx()), sinkDead('b', sinkCtx({ offset: 8 }))]);
    const result = await replayer.replay('sink', SINK, 'sink', { timeoutMs: 0 });
    expect(result).toMatchObject({ replayed: 2, pending: 2, succeeded: 0, replayed_through: 2 });
    expect(result.records.map((r) => [r.status, r.offset])).toEqual([['pending', 0], ['pending', 1]]);
    expect((await readAll(log, 'lines')).map((r) => text(r.value))).toEqual(['a', 'b']);
    // Nothing left to replay.
    expect(await replayer.replay('sink', SINK, 'sink', { timeoutMs: 0 })).toMatchObject({ replayed: 0, records: [], replayed_through: 2 });
  });

  it('stops at a record it cannot route, leaving the cursor on it until the config allows it', async () => {
    const { log, replayer } = await setup();
    await log.createTopic('lines');
    await log.createTopic('lines2');
    await log.append(DLQ, 0, [
      sinkDead('a', sinkCtx()),
      sinkDead('no-origin', sinkCtx({ topic: null, partition: null, offset: null })),
      sinkDead('b', sinkCtx({ offset: 8 })),
    ]);
    const regex = { ...SINK, topics: '', 'topics.regex': 'lines.*' };
    const first = await replayer.replay('sink', regex, 'sink', { timeoutMs: 0 });
    expect(first).toMatchObject({ replayed: 1, pending: 1, skipped: 1, replayed_through: 1 });
    expect(first.records[1]).toEqual({ dlq_offset: 1, status: 'skipped', reason: expect.stringMatching(/names no origin topic and connector sink consumes topics.regex/) });
    expect(first.records).toHaveLength(2);
    expect(await committedCursor(log, 'sink')).toBe(1);
    // Still stuck with the same config; nothing after it is sent.
    expect(await replayer.replay('sink', regex, 'sink', { timeoutMs: 0 })).toMatchObject({ replayed: 0, skipped: 1, replayed_through: 1 });
    expect(await log.latestOffset('lines', 0)).toBe(1);

    const fixed = await replayer.replay('sink', SINK, 'sink', { timeoutMs: 0 });
    expect(fixed.records.map((r) => [r.dlq_offset, r.status, r.topic, r.offset])).toEqual([[1, 'pending', 'lines', 1], [2, 'pending', 'lines', 2]]);
    expect(fixed.replayed_through).toBe(3);

    // A record from a topic the connector no longer consumes is stuck too.
    await log.append(DLQ, 0, [sinkDead('c', sinkCtx({ offset: 9 }))]);
    const other = await replayer.replay('sink', { ...SINK, topics: 'lines2' }, 'sink', { timeoutMs: 0 });
    expect(other).toMatchObject({ replayed: 0, skipped: 1, replayed_through: 3 });
    expect(other.records).toEqual([{ dlq_offset: 3, status: 'skipped', reason: 'connector sink no longer consumes topic lines, where the record came from' }]);
    expect(await log.latestOffset('lines2', 0)).toBe(0);
  });

  it('replays at most limit records, and refuses a second replay of the connector while one runs', async () => {
    const { log, replayer } = await setup();
    await log.createTopic('lines');
    await log.append(DLQ, 0, ['a', 'b', 'c'].map((v, i) => sinkDead(v, sinkCtx({ offset: i }))));
    const first = await replayer.replay('sink', SINK, 'sink', { limit: 2, timeoutMs: 0 });
    expect(first.records.map((r) => r.dlq_offset)).toEqual([0, 1]);
    expect(first.replayed_through).toBe(2);

    const running = replayer.replay('sink', SINK, 'sink', { timeoutMs: 30_000 });
    await expectError(replayer.replay('sink', SINK, 'sink', {}), 'CONFLICT', /^A replay of connector sink's dead letter queue is already running$/);
    const sink = standInSink(log, 'lines');
    expect((await running).records).toEqual([{ dlq_offset: 2, status: 'succeeded', topic: 'lines', partition: 0, offset: 2 }]);
    await sink.stop();
  });

  it('refuses a connector without a queue, an unknown connector class and out-of-range options', async () => {
    const { replayer } = await setup();
    await expectError(replayer.replay('sink', { ...SINK, 'errors.deadletterqueue.topic.name': '' }, 'sink', {}), 'BAD_REQUEST', /^Connector sink has no dead letter queue/);
    await expectError(replayer.replay('sink', SINK, 'unknown', {}), 'BAD_REQUEST', /is not installed/);
    await expectError(replayer.replay('sink', SINK, 'sink', { limit: 0 }), 'BAD_REQUEST', /^limit must be an integer from 1 to 10000/);
    await expectError(replayer.replay('sink', SINK, 'sink', { timeoutMs: 60_001 }), 'BAD_REQUEST', /^timeout_ms must be an integer from 0 to 60000/);
  });
});

const SOURCE = {
  'connector.class': 'FileStreamSource', file: '/nonexistent', topic: 'out', 'errors.deadletterqueue.topic.name': DLQ,
  'key.converter': 'StringConverter', 'value.converter': 'StringConverter', transforms: 'up', 'transforms.up.type': 'Upper',
};

const stored = (records: readonly StoredRecord[]): Array<[string | null, string | null]> => records.map((r) => [text(r.key), text(r.value)]);

describe('replaying a source connector', () => {
  it('decodes each record and sends it through the current transformations and converters to its topic', async () => {
    const { log, replayer } = await setup();
    await log.createTopic('out');
    await log.append(DLQ, 0, [
      sourceDead(sourceRecord({ topic: 'out', keySchema: Schemas.STRING, key: 'k1', valueSchema: Schemas.STRING, value: 'hello', headers: [{ key: 'h', schema: Schemas.STRING, value: 'x' }] })),
      sourceDead(sourceRecord({ topic: 'out', valueSchema: Schemas.STRING, value: 'boom' })),
      // A topic that does not exist yet is created, as the worker does.
      sourceDead(sourceRecord({ topic: 'fresh', valueSchema: Schemas.STRING, value: 'world' })),
      sourceDead(sourceRecord({ topic: 'out', kafkaPartition: 5, valueSchema: Schemas.STRING, value: 'p5' })),
      sourceDead(sourceRecord({ topic: 'out', valueSchema: Schemas.STRING, value: 'theirs' }), sourceCtx({ connector: 'other' })),
    ]);
    const result = await replayer.replay('src', SOURCE, 'source', {});
    expect(result).toEqual({
      connector: 'src', dlq_topic: DLQ, replayed: 4, succeeded: 2, failed: 2, pending: 0, skipped: 0, replayed_through: 5,
      records: [
        { dlq_offset: 0, status: 'succeeded', topic: 'out', partition: 0, offset: 0 },
        { dlq_offset: 1, status: 'failed', new_dlq_offset: 5, error: { stage: 'TRANSFORMATION', class_name: 'test.tributary.Upper', exception_class: 'org.apache.kafka.connect.errors.DataException', message: 'boom refused' } },
        { dlq_offset: 2, status: 'succeeded', topic: 'fresh', partition: 0, offset: 0 },
        {
          dlq_offset: 3, status: 'failed', new_dlq_offset: 6,
          error: { stage: 'KAFKA_PRODUCE', class_name: 'org.apache.kafka.connect.file.FileStreamSourceConnector', exception_class: 'Error', message: 'the record names partition 5 of topic out, which has 1 partition(s)' },
        },
      ],
    });
    // StringConverter bytes (not the queue's JSON envelopes), transformed; the header by the worker's SimpleHeaderConverter.
    const out = await readAll(log, 'out');
    expect(stored(out)).toEqual([['k1', 'HELLO']]);
    expect(out[0]!.headers.map((x) => [x.key, text(x.value)])).toEqual([['h', 'x']]);
    expect(stored(await readAll(log, 'fresh'))).toEqual([[null, 'WORLD']]);

    // Failed again: the same bytes back in the queue, with fresh context and the record's own headers kept.
    const dlq = await readAll(log, DLQ);
    expect([dlq[5]!.key, dlq[5]!.value]).toEqual([dlq[1]!.key, dlq[1]!.value]);
    expect(readContext(dlq[5]!.headers)).toMatchObject({ connector: 'src', stage: 'TRANSFORMATION', className: 'test.tributary.Upper', topic: null });
    expect(dlq[5]!.headers.filter((x) => x.key === ENCODING_HEADER || x.key.startsWith('__tributary.dlq.source.')).map((x) => [x.key, text(x.value)]))
      .toEqual([[ENCODING_HEADER, CONNECT_JSON_ENCODING], ['__tributary.dlq.source.topic', 'out']]);
    expect(await committedCursor(log, 'src')).toBe(5);

    // With the transformation removed, the refused record goes through; the bad partition fails again.
    const { transforms: _t, 'transforms.up.type': _u, ...plain } = SOURCE;
    const second = await replayer.replay('src', plain, 'source', {});
    expect(second.records.map((r) => [r.dlq_offset, r.status, r.new_dlq_offset])).toEqual([[5, 'succeeded', undefined], [6, 'failed', 7]]);
    expect(stored(await readAll(log, 'out'))).toEqual([['k1', 'HELLO'], [null, 'boom']]);
  });

  it("appends within the topic's max.message.bytes, and sends a record over it back to the queue as too large", async () => {
    const { log, replayer } = await setup();
    await log.createTopic('small', { configs: { 'max.message.bytes': 2000 } });
    // 8 records of ~600 bytes: together far over 2000, each within it; one of 3000 bytes is over it alone.
    const values = Array.from({ length: 8 }, (_, i) => `${i}`.repeat(600));
    values.splice(4, 0, 'x'.repeat(3000));
    await log.append(DLQ, 0, values.map((value) => sourceDead(sourceRecord({ topic: 'small', valueSchema: Schemas.STRING, value }))));
    const { transforms: _t, 'transforms.up.type': _u, ...plain } = SOURCE;
    const result = await replayer.replay('src', plain, 'source', {});
    expect(result.records.map((r) => r.status)).toEqual(values.map((v) => (v.length === 3000 ? 'failed' : 'succeeded')));
    expect(result.records[4]!.error).toEqual({
      stage: 'KAFKA_PRODUCE', class_name: 'org.apache.kafka.connect.file.FileStreamSourceConnector', exception_class: 'org.apache.kafka.common.errors.RecordTooLargeException',
      message: expect.stringMatching(/^The message is \d+ bytes when serialized which is larger than max.message.bytes=2000 of topic small$/),
    });
    expect((await readAll(log, 'small')).map((r) => text(r.value))).toEqual(values.filter((v) => v.length !== 3000));
  });

  it("keeps appends to a compressed topic under its max.message.bytes too (the log checks the compressed batch)", async () => {
    const { log, replayer } = await setup();
    await log.createTopic('zipped', { configs: { 'max.message.bytes': 2000, 'compression.type': 'gzip' } });
    // Random base64 barely compresses: 8 records of 600 characters make ~3.7 KB gzipped in one batch.
    const values = Array.from({ length: 8 }, () => randomBytes(450).toString('base64'));
    await log.append(DLQ, 0, values.map((value) => sourceDead(sourceRecord({ topic: 'zipped', valueSchema: Schemas.STRING, value }))));
    const { transforms: _t, 'transforms.up.type': _u, ...plain } = SOURCE;
    const result = await replayer.replay('src', plain, 'source', {});
    expect(result.records.map((r) => r.status)).toEqual(values.map(() => 'succeeded'));
    expect((await readAll(log, 'zipped')).map((r) => text(r.value))).toEqual(values);
  });

  it('reports a converter that refuses the record by its stage and class', async () => {
    const { log, replayer } = await setup();
    await log.append(DLQ, 0, [sourceDead(sourceRecord({ topic: 'out', keySchema: Schemas.STRING, key: 'k', valueSchema: Schemas.STRING, value: 'v' }))]);
    const result = await replayer.replay('src', { ...SOURCE, 'key.converter': 'ByteArrayConverter' }, 'source', {});
    expect(result.records).toEqual([{
      dlq_offset: 0, status: 'failed', new_dlq_offset: 1,
      error: { stage: 'KEY_CONVERTER', class_name: 'org.apache.kafka.connect.converters.ByteArrayConverter', exception_class: 'org.apache.kafka.connect.errors.DataException', message: expect.stringMatching(/^Invalid schema type for ByteArrayConverter: STRING/) },
    }]);
  });

  it('stops at a record that is not in connect-json form, leaving the cursor on it', async () => {
    const { log, replayer } = await setup();
    await log.append(DLQ, 0, [
      sourceDead(sourceRecord({ topic: 'out', valueSchema: Schemas.STRING, value: 'ok' })),
      sinkDead('raw bytes', sourceCtx()),
      sourceDead(sourceRecord({ topic: 'out', valueSchema: Schemas.STRING, value: 'after' })),
    ]);
    const result = await replayer.replay('src', SOURCE, 'source', {});
    expect(result.records).toEqual([
      { dlq_offset: 0, status: 'succeeded', topic: 'out', partition: 0, offset: 0 },
      { dlq_offset: 1, status: 'skipped', reason: expect.stringMatching(/not in connect-json form/) },
    ]);
    expect(result.replayed_through).toBe(1);
    expect(stored(await readAll(log, 'out'))).toEqual([[null, 'OK']]);
  });

  it('refuses a current config whose converters or transformations cannot be built', async () => {
    const { replayer } = await setup();
    await expectError(replayer.replay('src', { ...SOURCE, 'transforms.up.type': 'NoSuchTransform' }, 'source', {}), 'BAD_REQUEST', /^Connector src's current config cannot replay records: transforms.up.type/);
  });
});

describe("replaying what the runtime's own error handler dead-lettered", () => {
  const quiet: TaskLogger = { debug() {}, info() {}, warn() {}, error() {} };
  const handler = (log: EmbeddedLog, connector: string, config: Record<string, string>): { handler: ErrorHandler; dlq: DeadLetterQueue } => {
    const dlq = new DeadLetterQueue(log, DLQ);
    return { dlq, handler: new ErrorHandler({ policy: errorPolicy({ ...config, 'errors.tolerance': 'all' }), id: { connector, task: 0 }, logger: quiet, dlq, clock: systemClock }) };
  };

  it('a source record: struct value, headers and explicit partition come back as the task produced them', async () => {
    const { log, replayer } = await setup();
    await log.createTopic('orders', { partitions: 3 });
    const schema = SchemaBuilder.struct().name('order').field('id', Schemas.INT64).field('note', Schemas.OPTIONAL_STRING).build();
    const original = sourceRecord({
      topic: 'orders', kafkaPartition: 2, keySchema: Schemas.STRING, key: 'o-1', valueSchema: schema, value: new Struct(schema).put('id', 42n).put('note', 'é'),
      timestamp: TS, headers: [{ key: 'origin', schema: Schemas.STRING, value: 'web' }], sourcePartition: { f: 'x' }, sourceOffset: { p: 1 },
    });
    const config = { 'connector.class': 'FileStreamSource', file: '/nonexistent', topic: 'orders', 'errors.deadletterqueue.topic.name': DLQ, 'errors.deadletterqueue.context.headers.enable': 'true' };
    const { handler: h1, dlq } = handler(log, 'src', config);
    h1.sourceFailed(original, { stage: 'KAFKA_PRODUCE', className: 'org.apache.kafka.connect.file.FileStreamSourceConnector', error: new Error('the log said no') });
    await dlq.drain();

    const replayConfig = { ...config, 'key.converter': 'StringConverter', 'value.converter': 'JsonConverter', 'value.converter.schemas.enable': 'false' };
    const result = await replayer.replay('src', replayConfig, 'source', {});
    expect(result.records).toEqual([{ dlq_offset: 0, status: 'succeeded', topic: 'orders', partition: 2, offset: 0 }]);
    const [r] = await readAll(log, 'orders', 2);
    expect({ key: text(r!.key), value: text(r!.value), timestamp: r!.timestamp, headers: r!.headers.map((x) => [x.key, text(x.value)]) })
      .toEqual({ key: 'o-1', value: '{"id":42,"note":"é"}', timestamp: TS, headers: [['origin', 'web']] });
  });

  it('a sink record: the consumed bytes and headers go back unchanged', async () => {
    const { log, replayer } = await setup();
    await log.createTopic('lines');
    await log.append('lines', 0, [{ key: Buffer.from([0x00, 0xff]), value: Buffer.from('{"not":"what the sink wanted"}'), timestamp: TS, headers: [{ key: 'h', value: null }] }]);
    const [consumed] = await readAll(log, 'lines');
    const { handler: h1, dlq } = handler(log, 'sink', SINK);
    h1.consumedFailed({ topic: 'lines', partition: 0, record: consumed! }, { stage: 'VALUE_CONVERTER', className: 'org.apache.kafka.connect.json.JsonConverter', error: new DataError('bad') });
    await dlq.drain();

    const page = await replayer.replay('sink', SINK, 'sink', { timeoutMs: 0 });
    expect(page.records).toEqual([{ dlq_offset: 0, status: 'pending', topic: 'lines', partition: 0, offset: 1 }]);
    const [, back] = await readAll(log, 'lines');
    expect({ key: back!.key, value: back!.value, timestamp: back!.timestamp, headers: back!.headers })
      .toEqual({ key: consumed!.key, value: consumed!.value, timestamp: consumed!.timestamp, headers: consumed!.headers });
  });
});
