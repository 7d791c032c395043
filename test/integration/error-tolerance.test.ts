/**
 * Error tolerance and the dead letter queue through a real standalone worker (embedded log, REST,
 * FileStream connectors): a value the converter cannot read, a transformation that throws, and a
 * record bigger than its topic's max.message.bytes. Each case shows where the failed record went
 * (byte for byte, with its context headers) and that every other record arrived and was committed.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredRecord } from '../../src/log/log.js';
import { pollUntil, readText, useRestWorkers, waitForState, type RestWorker } from '../support/rest-harness.js';

const workers = useRestWorkers();

async function readAll(w: RestWorker, topic: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let offset = await w.log.earliestOffset(topic, 0);
  const end = await w.log.latestOffset(topic, 0);
  while (offset < end) {
    const res = await w.log.read(topic, 0, offset, { maxBytes: 1 << 20 });
    out.push(...res.records);
    offset = res.nextOffset;
  }
  return out;
}

function headerMap(r: StoredRecord): Record<string, string> {
  return Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? '']));
}

async function committed(w: RestWorker, group: string, topic: string): Promise<number> {
  return (await w.log.fetchOffsets(group, [{ topic, partition: 0 }]))[0]?.offset ?? 0;
}

async function topicHolds(w: RestWorker, topic: string, n: number): Promise<StoredRecord[]> {
  return pollUntil(`${n} records in ${topic}`, async () => ((await w.log.listTopics()).includes(topic) ? readAll(w, topic) : []), (rs) => rs.length >= n);
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** 40 JSON values `{"n":i}`; those at `bad` offsets are replaced by `badValue(i)`. */
async function produceOrders(w: RestWorker, bad: ReadonlyMap<number, string>): Promise<void> {
  await w.log.createTopic('orders', { partitions: 1 });
  const records = Array.from({ length: 40 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(bad.get(i) ?? JSON.stringify({ n: i })) }));
  await w.log.append('orders', 0, records);
}

function sinkConfig(output: string, extra: Record<string, string>): Record<string, string> {
  return {
    'connector.class': 'FileStreamSink',
    file: output,
    topics: 'orders',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    ...extra,
  };
}

const TOLERATE = {
  'errors.tolerance': 'all',
  'errors.deadletterqueue.topic.name': 'orders-dlq',
  'errors.deadletterqueue.context.headers.enable': 'true',
  'errors.log.enable': 'true',
  'errors.log.include.messages': 'true',
};

describe('a sink connector', () => {
  it('dead-letters a value its converter cannot read, byte for byte with Kafka Connect context headers, and delivers and commits every other record', async () => {
    const w = await workers.start();
    const output = join(await workers.tempDir(), 'out.txt');
    const bad = new Map([[7, '{"n":'], [23, 'not json at all']]);
    await produceOrders(w, bad);
    expect((await w.call('POST', '/connectors', { name: 'sink', config: sinkConfig(output, TOLERATE) })).status).toBe(201);

    await pollUntil('offsets committed to the end', () => committed(w, 'connect-sink', 'orders'), (o) => o === 40);
    // Committed means dead-lettered first: the queue holds exactly the two bad records.
    const dead = await readAll(w, 'orders-dlq');
    const good = Array.from({ length: 40 }, (_, i) => i).filter((i) => !bad.has(i));
    expect(lines(await readText(output))).toEqual(good.map((i) => `{n=${i}}`));

    expect(dead.map((r) => r.value!.toString())).toEqual(['{"n":', 'not json at all']);
    expect(dead.map((r) => r.key!.toString())).toEqual(['k7', 'k23']);
    const h = headerMap(dead[0]!);
    expect(h).toMatchObject({
      '__connect.errors.topic': 'orders',
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '7',
      '__connect.errors.connector.name': 'sink',
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.class.name': 'org.apache.kafka.connect.json.JsonConverter',
      '__connect.errors.exception.class.name': 'org.apache.kafka.connect.errors.DataException',
    });
    expect(h['__connect.errors.exception.message']).toMatch(/Converting byte\[\] to Kafka Connect data failed/);
    expect(h['__connect.errors.exception.stacktrace']).toMatch(/DataError/);
    expect(headerMap(dead[1]!)['__connect.errors.offset']).toBe('23');
    const status = (await w.call('GET', '/connectors/sink/status')).json;
    expect(status.tasks[0].state).toBe('RUNNING');
  });

  it('with errors.tolerance=none fails the task without committing past the bad record; fixed, it delivers everything', async () => {
    const w = await workers.start();
    const output = join(await workers.tempDir(), 'out.txt');
    await produceOrders(w, new Map([[12, '{"n":']]));
    expect((await w.call('POST', '/connectors', { name: 'sink', config: sinkConfig(output, {}) })).status).toBe(201);
    const status = await waitForState(w, 'sink', 'RUNNING', 'FAILED', 1);
    expect(status.tasks[0].trace).toMatch(/Tolerance exceeded in error handler: the record at orders-0 offset 12 failed in stage VALUE_CONVERTER/);
    expect(await committed(w, 'connect-sink', 'orders')).toBeLessThanOrEqual(12);

    // The fix: tolerate and dead-letter. The restarted task reads from the committed offset on.
    expect((await w.call('PUT', '/connectors/sink/config', sinkConfig(output, TOLERATE))).status).toBe(200);
    await w.call('POST', '/connectors/sink/restart?includeTasks=true&onlyFailed=true');
    await pollUntil('offsets committed to the end', () => committed(w, 'connect-sink', 'orders'), (o) => o === 40);
    const written = lines(await readText(output));
    const expected = Array.from({ length: 40 }, (_, i) => i).filter((i) => i !== 12).map((i) => `{n=${i}}`);
    // Nothing lost; anything written before the failure may be written again (at-least-once).
    expect(new Set(written)).toEqual(new Set(expected));
    expect(written.slice(-expected.length)).toEqual(expected);
    const dead = await readAll(w, 'orders-dlq');
    expect(dead.map((r) => [r.value!.toString(), headerMap(r)['__connect.errors.offset']])).toEqual([['{"n":', '12']]);
  });

  it('dead-letters a record a transformation throws on, naming the transformation (Tributary context headers when Kafka Connect\'s are off)', async () => {
    const w = await workers.start();
    const output = join(await workers.tempDir(), 'out.txt');
    // ExtractField needs a map: a JSON array at offset 5 makes it throw.
    await produceOrders(w, new Map([[5, '[5]']]));
    const config = sinkConfig(output, {
      ...TOLERATE,
      'errors.deadletterqueue.context.headers.enable': 'false',
      transforms: 'pick',
      'transforms.pick.type': 'org.apache.kafka.connect.transforms.ExtractField$Value',
      'transforms.pick.field': 'n',
    });
    expect((await w.call('POST', '/connectors', { name: 'sink', config })).status).toBe(201);
    await pollUntil('offsets committed to the end', () => committed(w, 'connect-sink', 'orders'), (o) => o === 40);
    const dead = await readAll(w, 'orders-dlq');
    expect(lines(await readText(output))).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => i !== 5).map(String));
    expect(dead.map((r) => r.value!.toString())).toEqual(['[5]']);
    const h = headerMap(dead[0]!);
    expect(h).toMatchObject({
      '__tributary.dlq.topic': 'orders',
      '__tributary.dlq.offset': '5',
      '__tributary.dlq.stage': 'TRANSFORMATION',
      '__tributary.dlq.class.name': 'org.apache.kafka.connect.transforms.ExtractField$Value',
      '__tributary.dlq.exception.class.name': 'org.apache.kafka.connect.errors.DataException',
      '__tributary.dlq.exception.message': expect.stringMatching(/Only Map objects supported in absence of schema/),
    });
    expect(Object.keys(h).some((k) => k.startsWith('__connect.errors.'))).toBe(false);
  });
});

describe('a source connector', () => {
  it('dead-letters a record bigger than its topic max.message.bytes, in connect-json, and appends and commits every other line', async () => {
    const w = await workers.start();
    const dir = await workers.tempDir();
    const input = join(dir, 'in.txt');
    const big = 'x'.repeat(5000);
    // The other 29 lines total ~3.5 KB: one poll, appended in batches under the topic's 2000 bytes.
    const line = (i: number): string => `line ${i} ${'p'.repeat(110)}`;
    const text = Array.from({ length: 30 }, (_, i) => (i === 11 ? big : line(i))).join('\n') + '\n';
    await writeFile(input, text);
    await w.log.createTopic('small', { partitions: 1, configs: { 'max.message.bytes': 2000 } });
    const config = {
      'connector.class': 'FileStreamSource', file: input, topic: 'small', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'src-dlq', 'errors.deadletterqueue.context.headers.enable': 'true',
    };
    expect((await w.call('POST', '/connectors', { name: 'src', config })).status).toBe(201);
    const delivered = await topicHolds(w, 'small', 29);
    expect(delivered.map((r) => r.value!.toString())).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 11).map(line));
    const dead = await topicHolds(w, 'src-dlq', 1);
    expect(dead).toHaveLength(1);
    // Created by the worker with room for records their own topic refuses.
    expect((await w.log.describeTopic('src-dlq')).configs['max.message.bytes']).toBe(64 * 1024 * 1024);
    expect(JSON.parse(dead[0]!.value!.toString())).toMatchObject({ schema: { type: 'string' }, payload: big });
    expect(headerMap(dead[0]!)).toMatchObject({
      '__tributary.dlq.encoding': 'connect-json',
      '__tributary.dlq.source.topic': 'small',
      '__connect.errors.stage': 'KAFKA_PRODUCE',
      '__connect.errors.class.name': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
      '__connect.errors.exception.class.name': 'org.apache.kafka.common.errors.RecordTooLargeException',
      '__connect.errors.exception.message': expect.stringMatching(/larger than max.message.bytes=2000 of topic small/),
    });
    expect(headerMap(dead[0]!)['__connect.errors.topic']).toBeUndefined();
    // The source offset passed the dead-lettered line: a restart would not read it again.
    await pollUntil('source offsets at the end', async () => (await w.call('GET', '/connectors/src/offsets')).json, (j) => j.offsets[0]?.offset.position === Buffer.byteLength(text));
  });

  it('with errors.tolerance=none fails on the oversized record and appends nothing of its batch', async () => {
    const w = await workers.start();
    const input = join(await workers.tempDir(), 'in.txt');
    await writeFile(input, `a\n${'y'.repeat(5000)}\nb\n`);
    await w.log.createTopic('small', { partitions: 1, configs: { 'max.message.bytes': 2000 } });
    const config = { 'connector.class': 'FileStreamSource', file: input, topic: 'small', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' };
    expect((await w.call('POST', '/connectors', { name: 'src', config })).status).toBe(201);
    const status = await waitForState(w, 'src', 'RUNNING', 'FAILED', 1);
    expect(status.tasks[0].trace).toMatch(/failed in stage KAFKA_PRODUCE .*larger than max.message.bytes=2000 of topic small/);
    expect(await w.log.latestOffset('small', 0)).toBe(0);
    expect((await w.call('GET', '/connectors/src/offsets')).json.offsets).toEqual([]);
  });
});
