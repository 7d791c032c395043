/**
 * `GET /connectors/{c}/dlq`, `POST /connectors/{c}/dlq/replay` and `tributary dlq show|replay`
 * against a real standalone worker (EmbeddedLog, built-in plugins, StandaloneHerder, REST on
 * 127.0.0.1). The dead letter queues are written into the worker's log with the contract's own
 * functions, as the task runners write them; a real FileStreamSink then takes the replayed records.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import type { LogRecord } from '../../src/log/log.js';
import { JsonConverter } from '../../src/runtime/converters/json-converter.js';
import {
  CONNECT_JSON_ENCODING, DLQ_MAX_MESSAGE_BYTES, ENCODING_HEADER, contextHeaders, sourceTargetHeaders, type DeadLetterContext,
} from '../../src/runtime/errors/dead-letter-format.js';
import { ConfigDef, Schemas, sourceRecord, type SourceRecord, type TransformationPlugin } from '../../src/sdk/index.js';
import { readAll } from '../support/log.js';
import { expectError, expectFile, useRestWorkers, waitForState, type RestWorker } from '../support/rest-harness.js';

const TS = 1_700_000_000_000;

/** Upper-cases string values: shows that a source replay runs the connector's current transformations. */
const upperPlugin: TransformationPlugin = {
  type: 'transformation',
  className: 'test.tributary.DlqUpper',
  aliases: [],
  version: '1',
  create: () => ({
    configure() {},
    config: () => new ConfigDef(),
    apply: (r) => ({ ...r, value: typeof r.value === 'string' ? r.value.toUpperCase() : r.value }),
    close() {},
  }),
};

const workers = useRestWorkers();
const tempDir = (): Promise<string> => workers.tempDir();

/** A standalone worker with the upper-casing transformation registered; `log` is its own log. */
function startWorker(): Promise<RestWorker> {
  return workers.start({ plugins: [upperPlugin] });
}

function sinkCtx(offset: number, over: Partial<DeadLetterContext> = {}): DeadLetterContext {
  return {
    topic: 'lines', partition: 0, offset, connector: 'sink', task: 0, stage: 'TASK_PUT', className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    exceptionClass: 'org.apache.kafka.connect.errors.ConnectException', message: `disk full at ${offset}`, stacktrace: null, ...over,
  };
}

function sinkDead(value: string, context: DeadLetterContext): LogRecord {
  return { key: null, value: Buffer.from(value), timestamp: TS, headers: contextHeaders(context, false) };
}

function sourceDead(r: SourceRecord): LogRecord {
  const enc = new JsonConverter();
  enc.configure({ 'schemas.enable': 'true' }, false);
  const context: DeadLetterContext = {
    topic: null, partition: null, offset: null, connector: 'src', task: 0, stage: 'KAFKA_PRODUCE', className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    exceptionClass: 'TributaryError', message: 'append failed', stacktrace: null,
  };
  return {
    key: enc.fromConnectData(r.topic, r.keySchema, r.key),
    value: enc.fromConnectData(r.topic, r.valueSchema, r.value),
    timestamp: TS,
    headers: [{ key: ENCODING_HEADER, value: Buffer.from(CONNECT_JSON_ENCODING) }, ...sourceTargetHeaders(r.topic, r.kafkaPartition), ...contextHeaders(context, false)],
  };
}

interface SinkSetup {
  readonly w: RestWorker;
  readonly output: string;
}

/** A running FileStreamSink `sink` on `lines` whose queue `dlq-sink` holds two of its records and one of another connector. */
async function sinkSetup(): Promise<SinkSetup> {
  const w = await startWorker();
  const output = join(await tempDir(), 'out.txt');
  await w.log.createTopic('lines');
  await w.log.createTopic('dlq-sink', { partitions: 1, configs: { 'max.message.bytes': DLQ_MAX_MESSAGE_BYTES } });
  await w.log.append('dlq-sink', 0, [sinkDead('first', sinkCtx(3)), sinkDead('theirs', sinkCtx(3, { connector: 'other' })), sinkDead('second', sinkCtx(4))]);
  const config = {
    'connector.class': 'FileStreamSink', file: output, topics: 'lines', 'key.converter': 'StringConverter', 'value.converter': 'StringConverter',
    'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq-sink',
  };
  expect((await w.call('POST', '/connectors', { name: 'sink', config })).status).toBe(201);
  await waitForState(w, 'sink', 'RUNNING', 'RUNNING', 1);
  return { w, output };
}

describe('GET /connectors/{c}/dlq and POST /connectors/{c}/dlq/replay', () => {
  it("lists a sink's failed records, replays them into its file and then shows them replayed", async () => {
    const { w, output } = await sinkSetup();
    const page = await w.call('GET', '/connectors/sink/dlq');
    expect(page.status).toBe(200);
    expect({ ...page.json, records: undefined }).toEqual({
      connector: 'sink', dlq_topic: 'dlq-sink', start_offset: 0, end_offset: 3, replayed_through: 0, unreplayed: { count: 2, exact: true }, next_offset: 3,
    });
    expect(page.json.records).toEqual([
      {
        offset: 0, timestamp: TS, format: 'raw', key: null, key_encoding: null, value: 'first', value_encoding: 'utf8', headers: [], replayed: false,
        error: {
          stage: 'TASK_PUT', class_name: 'org.apache.kafka.connect.file.FileStreamSinkConnector', exception_class: 'org.apache.kafka.connect.errors.ConnectException',
          message: 'disk full at 3', connector: 'sink', task: 0, topic: 'lines', partition: 0, offset: 3,
        },
      },
      expect.objectContaining({ offset: 2, value: 'second', replayed: false }),
    ]);

    const replay = await w.call('POST', '/connectors/sink/dlq/replay', { timeout_ms: 30_000 });
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual({
      connector: 'sink', dlq_topic: 'dlq-sink', replayed: 2, succeeded: 2, failed: 0, pending: 0, skipped: 0, replayed_through: 3,
      records: [
        { dlq_offset: 0, status: 'succeeded', topic: 'lines', partition: 0, offset: 0 },
        { dlq_offset: 2, status: 'succeeded', topic: 'lines', partition: 0, offset: 1 },
      ],
    });
    await expectFile(output, 'first\nsecond\n');

    const after = await w.call('GET', '/connectors/sink/dlq');
    expect(after.json).toMatchObject({ replayed_through: 3, unreplayed: { count: 0, exact: true }, records: [] });
    const history = await w.call('GET', '/connectors/sink/dlq?from=0&limit=1');
    expect(history.json.records.map((r: { offset: number; replayed: boolean }) => [r.offset, r.replayed])).toEqual([[0, true]]);
    expect(history.json.next_offset).toBe(1);
    // Nothing is replayed twice.
    expect((await w.call('POST', '/connectors/sink/dlq/replay', { timeout_ms: 0 })).json).toMatchObject({ replayed: 0, records: [], replayed_through: 3 });
  });

  it("replays a source's records through its current transformations and converters into its topic", async () => {
    const w = await startWorker();
    const input = join(await tempDir(), 'in.txt');
    await writeFile(input, '');
    await w.log.createTopic('dlq-src', { partitions: 1, configs: { 'max.message.bytes': DLQ_MAX_MESSAGE_BYTES } });
    await w.log.append('dlq-src', 0, [
      sourceDead(sourceRecord({ topic: 'words', valueSchema: Schemas.STRING, value: 'hello' })),
      sourceDead(sourceRecord({ topic: 'words', keySchema: Schemas.STRING, key: 'k', valueSchema: Schemas.STRING, value: 'world' })),
    ]);
    const config = {
      'connector.class': 'FileStreamSource', file: input, topic: 'words', 'key.converter': 'StringConverter', 'value.converter': 'StringConverter',
      transforms: 'up', 'transforms.up.type': 'test.tributary.DlqUpper', 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq-src',
    };
    expect((await w.call('POST', '/connectors', { name: 'src', config })).status).toBe(201);

    const page = await w.call('GET', '/connectors/src/dlq');
    expect(page.json.records[0]).toMatchObject({ format: 'connect-json', value: '{"schema":{"type":"string","optional":false},"payload":"hello"}', value_encoding: 'utf8' });
    expect(page.json.records[0].error).toMatchObject({ stage: 'KAFKA_PRODUCE', topic: null, partition: null, offset: null });

    const replay = await w.call('POST', '/connectors/src/dlq/replay');
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ replayed: 2, succeeded: 2, failed: 0, replayed_through: 2 });
    expect(replay.json.records.map((r: { topic: string; offset: number }) => [r.topic, r.offset])).toEqual([['words', 0], ['words', 1]]);
    // Plain strings by the connector's StringConverter, upper-cased by its transformation.
    expect((await readAll(w.log, 'words')).map((r) => [r.key?.toString() ?? null, r.value?.toString()])).toEqual([[null, 'HELLO'], ['k', 'WORLD']]);
  });

  it('answers 404 for an unknown connector and 400 for a connector without a queue or a malformed request', async () => {
    const { w } = await sinkSetup();
    expectError(await w.call('GET', '/connectors/nope/dlq'), 404, 'Connector nope not found');
    expectError(await w.call('POST', '/connectors/nope/dlq/replay'), 404, 'Connector nope not found');
    const plain = { 'connector.class': 'FileStreamSink', file: join(await tempDir(), 'x.txt'), topics: 'lines' };
    expect((await w.call('POST', '/connectors', { name: 'plain', config: plain })).status).toBe(201);
    expectError(await w.call('GET', '/connectors/plain/dlq'), 400, 'Connector plain has no dead letter queue: set errors.deadletterqueue.topic.name in its config');
    expectError(await w.call('POST', '/connectors/plain/dlq/replay'), 400, /^Connector plain has no dead letter queue/);
    expectError(await w.call('GET', '/connectors/sink/dlq?limit=abc'), 400, 'Query parameter limit must be a non-negative integer, got "abc"');
    expectError(await w.call('GET', '/connectors/sink/dlq?from=-1'), 400, 'Query parameter from must be a non-negative integer, got "-1"');
    expectError(await w.call('GET', '/connectors/sink/dlq?limit=1001'), 400, 'limit must be an integer from 1 to 1000, got 1001');
    expectError(await w.call('POST', '/connectors/sink/dlq/replay', { limit: 'ten' }), 400, 'limit must be an integer, got "ten"');
    expectError(await w.call('POST', '/connectors/sink/dlq/replay', { timeoutMs: 5 }), 400, /^Unknown field\(s\) in replay request: timeoutMs/);
    expectError(await w.call('POST', '/connectors/sink/dlq/replay', [1]), 400, 'Request body must be a JSON object');
    expectError(await w.call('POST', '/connectors/sink/dlq/replay', { limit: 0 }), 400, 'limit must be an integer from 1 to 10000, got 0');
    // None of that replayed anything.
    expect((await w.call('GET', '/connectors/sink/dlq')).json.replayed_through).toBe(0);
  });
});

/** Runs the CLI in this process against the worker, capturing its output. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io: CliIo = { stdin: Readable.from([]), stdout, stderr, onStopSignal: () => () => {} };
  const code = await main(['node', 'tributary', ...args], io);
  return { code, stdout: out, stderr: err };
}

describe('tributary dlq', () => {
  it('shows the queue one line per record, replays it, and prints the REST answer with --json', async () => {
    const { w, output } = await sinkSetup();
    const show = await cli('dlq', 'show', 'sink', '--url', w.base);
    expect(show).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'Topic: dlq-sink\tStartOffset: 0\tEndOffset: 3\tReplayedThrough: 0\tUnreplayed: 2\n' +
        'Offset: 0\tStage: TASK_PUT\tException: org.apache.kafka.connect.errors.ConnectException\tMessage: disk full at 3\tOrigin: lines-0@3\n' +
        'Offset: 2\tStage: TASK_PUT\tException: org.apache.kafka.connect.errors.ConnectException\tMessage: disk full at 4\tOrigin: lines-0@4\n',
    });
    const json = await cli('dlq', 'show', 'sink', '--url', `${w.base}/`, '--limit', '1', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual((await w.call('GET', '/connectors/sink/dlq?limit=1')).json);

    const replay = await cli('dlq', 'replay', 'sink', '--url', w.base, '--timeout-ms', '30000');
    expect(replay).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'Replayed 2 record(s) of connector sink from dlq-sink: 2 succeeded, 0 failed, 0 pending, 0 skipped; replayed through offset 3.\n' +
        'DlqOffset: 0\tStatus: succeeded\tTo: lines-0@0\n' +
        'DlqOffset: 2\tStatus: succeeded\tTo: lines-0@1\n',
    });
    await expectFile(output, 'first\nsecond\n');
    const again = await cli('dlq', 'replay', 'sink', '--url', w.base, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ replayed: 0, replayed_through: 3 });
    expect((await cli('dlq', 'show', 'sink', '--url', w.base, '--from', '0')).stdout.split('\n').filter((l) => l.endsWith('\tReplayed'))).toHaveLength(2);
  });

  it('reports errors in one line: exit 1 for what the worker says or an unreachable worker, 2 for bad options', async () => {
    const { w } = await sinkSetup();
    expect(await cli('dlq', 'show', 'nope', '--url', w.base)).toEqual({ code: 1, stdout: '', stderr: 'tributary: Connector nope not found (HTTP 404)\n' });
    expect(await cli('dlq', 'replay', 'sink', '--url', w.base, '--limit', '20000')).toEqual({
      code: 1, stdout: '', stderr: 'tributary: limit must be an integer from 1 to 10000, got 20000 (HTTP 400)\n',
    });
    // A port nothing listens on: the worker just stopped.
    const gone = await startWorker();
    await gone.stop();
    const unreachable = await cli('dlq', 'show', 'sink', '--url', gone.base);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(new RegExp(`^tributary: cannot reach the worker at ${gone.base.replace(/\./g, '\\.')}: \\S+\\n$`));
    const usage = await cli('dlq', 'show', 'sink', '--limit', '0');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^tributary: .*--limit.*at least 1/);
    expect((await cli('dlq', 'show', 'sink', '--url', 'ftp://x')).code).toBe(2);
  });
});
