/**
 * The DLQ reader (`GET /connectors/{c}/dlq`'s answer) over a real EmbeddedLog holding records
 * written with the dead-letter contract's own functions.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../src/errors/codes.js';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { LogRecord, RecordHeader } from '../../src/log/log.js';
import { contextHeaders, replayGroup, type DeadLetterContext } from '../../src/runtime/errors/dead-letter-format.js';
import { readDeadLetters } from '../../src/runtime/errors/dlq-reader.js';
import { useLogHarness } from '../support/log.js';

const h = useLogHarness();
const DLQ = 'dlq';
const CONFIG = { 'connector.class': 'FileStreamSink', topics: 'lines', 'errors.deadletterqueue.topic.name': DLQ };

function ctx(over: Partial<DeadLetterContext> = {}): DeadLetterContext {
  return {
    topic: 'lines', partition: 0, offset: 7, connector: 'sink', task: 0, stage: 'TASK_PUT', className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    exceptionClass: 'org.apache.kafka.connect.errors.DataException', message: 'cannot write', stacktrace: null, ...over,
  };
}

function dead(value: Buffer | string | null, context: DeadLetterContext | null, opts: { key?: Buffer | string | null; headers?: RecordHeader[]; connect?: boolean } = {}): LogRecord {
  const b = (v: Buffer | string | null | undefined): Buffer | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v));
  return {
    key: b(opts.key),
    value: b(value),
    timestamp: 1_700_000_000_000,
    headers: [...(opts.headers ?? []), ...(context ? contextHeaders(context, opts.connect ?? false) : [])],
  };
}

async function freshLog(): Promise<EmbeddedLog> {
  const log = await h.open(join(await h.tempDir(), 'data'));
  await log.createTopic(DLQ);
  return log;
}

/** 0 sink, 1 other connector, 2 sink (binary), 3 no context, 4 sink. */
async function fiveRecords(log: EmbeddedLog): Promise<void> {
  await log.append(DLQ, 0, [
    dead('v0', ctx({ stacktrace: 'Error: cannot write\n    at put' }), { key: 'k0', headers: [{ key: 'trace-id', value: Buffer.from('abc') }], connect: true }),
    dead('theirs', ctx({ connector: 'other' })),
    dead(Buffer.from([0xff, 0xfe, 0x00]), ctx({ offset: 9, task: 1, stage: 'VALUE_CONVERTER', message: 'not JSON' })),
    dead('foreign', null),
    dead('v4', ctx({ offset: 11 })),
  ]);
}

describe('readDeadLetters', () => {
  it("shows the connector's records with their context, text or base64, from the replay cursor", async () => {
    const log = await freshLog();
    await fiveRecords(log);
    const page = await readDeadLetters(log, 'sink', CONFIG, {});
    expect({ ...page, records: page.records.map((r) => r.offset) }).toEqual({
      connector: 'sink', dlq_topic: DLQ, start_offset: 0, end_offset: 5, replayed_through: 0, unreplayed: { count: 4, exact: true }, next_offset: 5, records: [0, 2, 3, 4],
    });
    expect(page.records[0]).toEqual({
      offset: 0, timestamp: 1_700_000_000_000, format: 'raw', key: 'k0', key_encoding: 'utf8', value: 'v0', value_encoding: 'utf8',
      headers: [{ key: 'trace-id', value: 'abc', value_encoding: 'utf8' }],
      error: {
        stage: 'TASK_PUT', class_name: 'org.apache.kafka.connect.file.FileStreamSinkConnector', exception_class: 'org.apache.kafka.connect.errors.DataException',
        message: 'cannot write', stacktrace: 'Error: cannot write\n    at put', connector: 'sink', task: 0, topic: 'lines', partition: 0, offset: 7,
      },
      replayed: false,
    });
    // Tributary's own headers carry no stack trace; a binary value is base64.
    expect(page.records[1]).toMatchObject({ key: null, key_encoding: null, value: '//4A', value_encoding: 'base64', headers: [] });
    expect(page.records[1]!.error).toEqual({
      stage: 'VALUE_CONVERTER', class_name: 'org.apache.kafka.connect.file.FileStreamSinkConnector', exception_class: 'org.apache.kafka.connect.errors.DataException',
      message: 'not JSON', connector: 'sink', task: 1, topic: 'lines', partition: 0, offset: 9,
    });
    expect(page.records[2]).toMatchObject({ value: 'foreign', error: null });
  });

  it('starts at the replay cursor by default, marks replayed records and pages with limit and from', async () => {
    const log = await freshLog();
    await fiveRecords(log);
    await log.commitOffsets(replayGroup('sink'), [{ topic: DLQ, partition: 0, offset: 3 }]);

    const atCursor = await readDeadLetters(log, 'sink', CONFIG, {});
    expect(atCursor.records.map((r) => [r.offset, r.replayed])).toEqual([[3, false], [4, false]]);
    expect(atCursor).toMatchObject({ replayed_through: 3, unreplayed: { count: 2, exact: true }, next_offset: 5 });

    const all = await readDeadLetters(log, 'sink', CONFIG, { from: 0 });
    expect(all.records.map((r) => [r.offset, r.replayed])).toEqual([[0, true], [2, true], [3, false], [4, false]]);
    expect(all.unreplayed).toEqual({ count: 2, exact: true });

    const first = await readDeadLetters(log, 'sink', CONFIG, { from: 0, limit: 1 });
    expect(first.records.map((r) => r.offset)).toEqual([0]);
    expect(first.next_offset).toBe(1);
    const second = await readDeadLetters(log, 'sink', CONFIG, { from: first.next_offset, limit: 2 });
    expect(second.records.map((r) => r.offset)).toEqual([2, 3]);
    expect(second.next_offset).toBe(4);
    // The other connector sharing the queue sees only its own record (plus the one naming nobody).
    expect((await readDeadLetters(log, 'other', CONFIG, {})).records.map((r) => r.offset)).toEqual([1, 3]);
    // Past the end: nothing.
    expect((await readDeadLetters(log, 'sink', CONFIG, { from: 99 })).records).toEqual([]);
  });

  it('stops at its read budget with a lower-bound count and says where to go on', async () => {
    const log = await freshLog();
    // Records of 700 kB, one per batch: each 1 MiB read of the queue returns one.
    for (let i = 0; i < 6; i++) await log.append(DLQ, 0, [dead(`v${i}`.padEnd(700_000, '.'), ctx({ offset: i }))]);
    const page = await readDeadLetters(log, 'sink', CONFIG, { limit: 2 }, 1);
    expect(page.records.map((r) => r.offset)).toEqual([0]);
    expect(page.unreplayed).toEqual({ count: 1, exact: false });
    expect(page.next_offset).toBe(1);
    const full = await readDeadLetters(log, 'sink', CONFIG, { limit: 2 });
    expect(full.records.map((r) => r.offset)).toEqual([0, 1]);
    expect(full).toMatchObject({ unreplayed: { count: 6, exact: true }, next_offset: 2 });
  });

  it('answers an empty page while the queue topic does not exist', async () => {
    const log = await h.open(join(await h.tempDir(), 'data'));
    expect(await readDeadLetters(log, 'sink', CONFIG, {})).toEqual({
      connector: 'sink', dlq_topic: DLQ, start_offset: 0, end_offset: 0, replayed_through: 0, unreplayed: { count: 0, exact: true }, next_offset: 0, records: [],
    });
  });

  it('refuses a connector without a queue and out-of-range queries', async () => {
    const log = await freshLog();
    const bad = async (p: Promise<unknown>, message: RegExp): Promise<void> => {
      const err = await p.then(() => null, (e: unknown) => e);
      expect(isTributaryError(err, 'BAD_REQUEST'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(message);
    };
    await bad(readDeadLetters(log, 'sink', { 'connector.class': 'FileStreamSink', topics: 'lines' }, {}), /^Connector sink has no dead letter queue: set errors.deadletterqueue.topic.name/);
    await bad(readDeadLetters(log, 'sink', CONFIG, { limit: 0 }), /^limit must be an integer from 1 to 1000, got 0$/);
    await bad(readDeadLetters(log, 'sink', CONFIG, { limit: 1001 }), /^limit must be an integer from 1 to 1000/);
    await bad(readDeadLetters(log, 'sink', CONFIG, { from: -1 }), /^from must be a DLQ offset/);
  });
});
