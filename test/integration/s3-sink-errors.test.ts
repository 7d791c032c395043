/**
 * The S3 sink's refused records through a real standalone worker (embedded log, REST, s3rver): a
 * record the FieldPartitioner cannot place is reported to the runtime (KIP-610's errant record
 * reporter). Under errors.tolerance=all it lands in the dead letter queue with its context and every
 * other record is in the lake and committed; under none the task fails naming the record, and
 * nothing is committed past it.
 */
import { describe, expect, it } from 'vitest';
import type { StoredRecord } from '../../src/log/log.js';
import { getObjects, jsonLines, parseDataKey } from '../support/s3/lake-files.js';
import { useTestS3 } from '../support/s3/s3-server.js';
import { pollUntil, useRestWorkers, waitForState, type RestWorker } from '../support/rest-harness.js';

const workers = useRestWorkers();
const s3 = useTestS3();

const N = 30;
/** Values the FieldPartitioner cannot place on `region`: a fractional number, and a value that is not a map. */
const BAD = new Map([[6, '{"n":6,"region":1.5}'], [19, '"just text"']]);
const regionOf = (i: number): string => (i % 3 === 0 ? 'eu' : 'us');

async function produceOrders(w: RestWorker): Promise<void> {
  await w.log.createTopic('orders', { partitions: 1 });
  const records = Array.from({ length: N }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(BAD.get(i) ?? JSON.stringify({ n: i, region: regionOf(i) })) }));
  await w.log.append('orders', 0, records);
}

function sinkConfig(dir: string, extra: Record<string, string>): Record<string, string> {
  return {
    ...s3.sinkConfig(),
    'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
    topics: 'orders',
    'topics.dir': dir,
    'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
    'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner',
    'partition.field.name': 'region',
    'flush.size': '1',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    ...extra,
  };
}

async function committed(w: RestWorker, group: string): Promise<number> {
  return (await w.log.fetchOffsets(group, [{ topic: 'orders', partition: 0 }]))[0]?.offset ?? 0;
}

async function readAll(w: RestWorker, topic: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for (let offset = 0, end = await w.log.latestOffset(topic, 0); offset < end; ) {
    const res = await w.log.read(topic, 0, offset, { maxBytes: 1 << 20 });
    out.push(...res.records);
    offset = res.nextOffset;
  }
  return out;
}

/** Every record in the lake under `dir`: its `n`, the folder it is in. */
async function lake(dir: string): Promise<Array<{ n: number; folder: string }>> {
  const keys = (await s3.listKeys(`${dir}/`)).filter((k) => parseDataKey(dir, k) !== null);
  const bodies = await getObjects(s3, keys);
  return keys
    .flatMap((k) => jsonLines(k, bodies.get(k)!).map((v) => ({ n: (v as { n: number }).n, folder: parseDataKey(dir, k)!.encoded })))
    .sort((a, b) => a.n - b.n);
}

const headerMap = (r: StoredRecord): Record<string, string> => Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? '']));

describe('an S3 sink refusing records it cannot place', () => {
  it('with errors.tolerance=all: the refused records in the DLQ with their context, every other record in its folder, all committed', async () => {
    const w = await workers.start();
    const dir = `errors-all-${process.pid}`;
    await produceOrders(w);
    const config = sinkConfig(dir, {
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'orders-dlq',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    expect((await w.call('POST', '/connectors', { name: 'lake', config })).status).toBe(201);

    await pollUntil('offsets committed to the end', () => committed(w, 'connect-lake'), (o) => o === N);
    // (That the DLQ append is durable before the commit is shown with a gated append in sink-errant-records.test.ts.)
    const dead = await readAll(w, 'orders-dlq');
    expect(dead.map((r) => [r.key!.toString(), r.value!.toString()])).toEqual([...BAD].map(([i, v]) => [`k${i}`, v]));
    expect(headerMap(dead[0]!)).toMatchObject({
      '__connect.errors.topic': 'orders',
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '6',
      '__connect.errors.connector.name': 'lake',
      '__connect.errors.stage': 'TASK_PUT',
    });
    expect(headerMap(dead[0]!)['__connect.errors.exception.message']).toContain('Cannot partition on field region');
    expect(headerMap(dead[1]!)['__connect.errors.exception.message']).toContain('the value is not a Struct or a map');

    const good = Array.from({ length: N }, (_, i) => i).filter((i) => !BAD.has(i));
    expect(await lake(dir)).toEqual(good.map((n) => ({ n, folder: `region=${regionOf(n)}` })));
    expect((await w.call('GET', '/connectors/lake/status')).json.tasks[0].state).toBe('RUNNING');
  });

  it('with errors.tolerance=none: the task fails naming the record, and nothing past it is committed', async () => {
    const w = await workers.start();
    const dir = `errors-none-${process.pid}`;
    await produceOrders(w);
    expect((await w.call('POST', '/connectors', { name: 'lake', config: sinkConfig(dir, {}) })).status).toBe(201);

    const status = await waitForState(w, 'lake', 'RUNNING', 'FAILED', 1);
    expect(status.tasks[0].trace).toContain('Cannot partition on field region');
    expect(status.tasks[0].trace).toContain('offset 6');
    expect(await committed(w, 'connect-lake')).toBeLessThanOrEqual(6);
    expect((await lake(dir)).every(({ n }) => n < 6)).toBe(true);
  });
});
