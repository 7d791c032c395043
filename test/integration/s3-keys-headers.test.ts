/**
 * `store.kafka.keys` / `store.kafka.headers` end to end: a real worker (embedded log, the worker's
 * JsonConverter and SimpleHeaderConverter) runs the S3 sink against a real S3-compatible server
 * (s3rver, or S3_ENDPOINT); the key and header files are read back (DuckDB for Parquet) and must
 * line up record for record with the data files: same folder and start offset, one entry per row,
 * in offset order, and every record written exactly once.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaBuilder, Schemas, Struct } from '../../src/sdk/index.js';
import { expectNoErrorLogs, uniqueName, waitFor, waitForState } from '../kit/checks.js';
import { kitConverters } from '../kit/runtime.js';
import { useWorkerHarnesses } from '../kit/worker-harness.js';
import { useTestS3 } from '../support/s3/s3-server.js';
import { useTempDirs } from '../support/temp-dir.js';

const s3 = useTestS3();
const tempDir = useTempDirs('tributary-s3-keys-');
const harnesses = useWorkerHarnesses();
let db: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  duck = await db.connect();
});
afterAll(() => {
  duck.closeSync();
  db.closeSync();
});

const ROW = SchemaBuilder.struct().name('Row').field('id', Schemas.INT64).field('name', Schemas.STRING).build();
const KEY = SchemaBuilder.struct().name('Key').field('id', Schemas.INT64).build();

/** One record written to the topic; a null `name` is a tombstone. */
interface Sent {
  readonly partition: number;
  readonly offset: number;
  readonly id: number;
  readonly tombstone: boolean;
}

/** A data file and the key and header files beside it. */
interface FileSet {
  readonly folder: string;
  readonly partition: number;
  readonly start: number;
  readonly files: Map<string, string>;
}

async function start(config: Record<string, string>, partitions: number) {
  const harness = harnesses(await tempDir());
  const worker = await harness.start();
  const name = uniqueName('s3-keys');
  const topic = `${name}-in`;
  const dir = `keys-${name}`;
  await worker.createTopic(topic, partitions);
  const full = { 'connector.class': 'S3Sink', topics: topic, 'tasks.max': '1', ...s3.sinkConfig(), 'topics.dir': dir, 'timestamp.extractor': 'Record', 'rotate.interval.ms': '300', ...config };
  const converters = await kitConverters({ dataDir: harness.dataDir }, full);
  await worker.herder.putConnectorConfig(name, full, { allowReplace: false });
  await waitForState(worker, name, 'RUNNING');
  const sent: Sent[] = [];
  let next = 0;
  /** Appends `count` records to `partition` (every `tombstoneEvery`-th a tombstone), each with two headers. */
  const write = async (partition: number, count: number, tombstoneEvery = 0): Promise<void> => {
    const batch = Array.from({ length: count }, (_, i) => ({ id: next++, tombstone: tombstoneEvery > 0 && i % tombstoneEvery === tombstoneEvery - 1 }));
    const base = await worker.append(
      topic,
      partition,
      batch.map(({ id, tombstone }) => ({
        key: converters.key.fromConnectData(topic, KEY, Struct.fromValues(KEY, [id])),
        value: tombstone ? null : converters.value.fromConnectData(topic, ROW, Struct.fromValues(ROW, [id, `n${id}`])),
        headers: [
          { key: 'seq', value: Buffer.from(String(id)) },
          { key: 'src', value: Buffer.from(`p${partition}`) },
        ],
      })),
    );
    batch.forEach((b, i) => sent.push({ partition, offset: base + i, ...b }));
  };
  const delivered = async (): Promise<void> => {
    await waitFor('the sink group to commit every partition to its end', async () => {
      const ends = await worker.endOffsets(topic);
      const committed = await worker.groupOffsets(`connect-${name}`);
      return ends.every((e, p) => committed.find((c) => c.topic === topic && c.partition === p)?.offset === e);
    });
  };
  return { worker, topic, dir, sent, write, delivered };
}

/** Every object under `dir`, grouped by folder and start offset; `suffix` maps a file's extension to its role. */
async function fileSets(dir: string, topic: string, roles: Record<string, string>): Promise<FileSet[]> {
  const sets = new Map<string, FileSet>();
  const name = new RegExp(`^${dir}/${topic}/(.+)/${topic}\\+(\\d+)\\+(\\d{10})(\\..+)$`);
  for (const key of await s3.listKeys(`${dir}/`)) {
    if (key.startsWith(`${dir}/_tributary/`)) continue;
    const m = name.exec(key);
    expect(m, `an object key the sink writes: ${key}`).not.toBeNull();
    const role = roles[m![4]!];
    expect(role, `a known extension: ${key}`).toBeDefined();
    const id = `${m![1]}|${m![3]}`;
    let set = sets.get(id);
    if (!set) sets.set(id, (set = { folder: m![1]!, partition: Number(m![2]), start: Number(m![3]), files: new Map() }));
    expect(set.files.has(role!), `one ${role} file for ${id}`).toBe(false);
    set.files.set(role!, key);
  }
  return [...sets.values()];
}

/** A Parquet object copied to a local file (DuckDB has no S3 access offline). */
async function localCopy(key: string): Promise<string> {
  const path = join(await tempDir(), key.replaceAll('/', '_'));
  await writeFile(path, await s3.getObject(key));
  return path;
}

const query = async (sql: string): Promise<Record<string, unknown>[]> => (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];

/** The rows of a Parquet object in file order, read by DuckDB. */
async function parquetRows(key: string): Promise<Record<string, unknown>[]> {
  const path = await localCopy(key);
  const rows = (await duck.runAndReadAll(`SELECT * EXCLUDE (file_row_number) FROM read_parquet('${path}', file_row_number=true) ORDER BY file_row_number`)).getRowObjectsJson();
  return rows as Record<string, unknown>[];
}

async function jsonLines(key: string): Promise<unknown[]> {
  const text = (await s3.getObject(key)).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as unknown);
}

/** The records a file set must hold: those of its partition from its start offset on, in order, as many as it has rows. */
function expected(sent: readonly Sent[], set: FileSet, rows: number): Sent[] {
  const from = sent.filter((s) => s.partition === set.partition && s.offset >= set.start).sort((a, b) => a.offset - b.offset);
  return from.slice(0, rows);
}

describe('S3 sink key and header files (real worker, s3rver)', () => {
  it('Parquet data, keys and headers: three files per segment folder, aligned row for row (DuckDB)', async () => {
    const run = await start(
      {
        'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
        'flush.size': '4',
        'store.kafka.keys': 'true',
        'keys.format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
        'store.kafka.headers': 'true',
        'headers.format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
      },
      2,
    );
    await run.write(0, 10);
    await run.write(1, 7);
    await run.delivered();

    const sets = await fileSets(run.dir, run.topic, { '.snappy.parquet': 'value', '.keys.snappy.parquet': 'keys', '.headers.snappy.parquet': 'headers' });
    // flush.size=4: partition 0 in 3 segments (4, 4, 2 records), partition 1 in 2 (4, 3).
    expect(sets.length).toBeGreaterThanOrEqual(5);
    const seen: number[] = [];
    for (const set of sets) {
      expect([...set.files.keys()].sort(), `${set.folder} ${set.start}`).toEqual(['headers', 'keys', 'value']);
      expect(set.folder).toBe(`partition=${set.partition}`);
      const values = await parquetRows(set.files.get('value')!);
      const keys = await parquetRows(set.files.get('keys')!);
      const headers = await parquetRows(set.files.get('headers')!);
      expect(keys).toHaveLength(values.length);
      expect(headers).toHaveLength(values.length);
      const want = expected(run.sent, set, values.length);
      expect(want[0]?.offset).toBe(set.start);
      expect(values.map((v) => Number(v['id']))).toEqual(want.map((w) => w.id));
      // Confluent's RecordKey envelope: one column `key` holding the key struct.
      expect(keys).toEqual(want.map((w) => ({ key: { id: String(w.id) } })));
      expect(headers).toEqual(want.map((w) => ({ headers: [{ key: 'seq', value: String(w.id) }, { key: 'src', value: `p${set.partition}` }] })));
      seen.push(...want.map((w) => w.id));
    }
    expect(seen.sort((a, b) => a - b)).toEqual(run.sent.map((s) => s.id));
    // The key file's columns: the envelope's one top-level column `key`, a group holding `id`.
    const schema = await query(`SELECT name, num_children FROM parquet_schema('${await localCopy(sets[0]!.files.get('keys')!)}')`);
    expect(schema.slice(1).map((c) => [c['name'], Number(c['num_children'] ?? 0)])).toEqual([['key', 1], ['id', 0]]);
    await expectNoErrorLogs(run.worker);
  });

  it('JSON data, keys and headers with behavior.on.null.values=write: tombstones only in the tombstone folder, keys and headers aligned', async () => {
    const run = await start(
      {
        'format.class': 'JsonFormat',
        'flush.size': '5',
        'store.kafka.keys': 'true',
        'keys.format.class': 'JsonFormat',
        'store.kafka.headers': 'true',
        'headers.format.class': 'JsonFormat',
        'behavior.on.null.values': 'write',
      },
      1,
    );
    await run.write(0, 23, 3);
    await run.delivered();

    const sets = await fileSets(run.dir, run.topic, { '.json': 'value', '.keys.json': 'keys', '.headers.json': 'headers' });
    const seen: number[] = [];
    for (const set of sets) {
      const keys = (await jsonLines(set.files.get('keys')!)) as Array<{ id: number }>;
      const headers = (await jsonLines(set.files.get('headers')!)) as Array<{ headers: Array<{ key: string; value: string }> }>;
      expect(headers).toHaveLength(keys.length);
      // The records of this file set: those of its kind (tombstones or not) from its start offset, within its segment.
      const ofKind = run.sent.filter((s) => s.offset >= set.start && s.tombstone === (set.folder === 'tombstone'));
      const want = ofKind.slice(0, keys.length);
      expect(want[0]?.offset).toBe(set.start);
      if (set.folder === 'tombstone') {
        expect([...set.files.keys()].sort()).toEqual(['headers', 'keys']);
      } else {
        expect(set.folder).toBe('partition=0');
        expect([...set.files.keys()].sort()).toEqual(['headers', 'keys', 'value']);
        expect(((await jsonLines(set.files.get('value')!)) as Array<{ id: number }>).map((v) => v.id)).toEqual(want.map((w) => w.id));
      }
      expect(keys.map((k) => k.id)).toEqual(want.map((w) => w.id));
      expect(headers.map((h) => h.headers)).toEqual(want.map((w) => [{ key: 'seq', value: String(w.id) }, { key: 'src', value: 'p0' }]));
      seen.push(...want.map((w) => w.id));
    }
    expect(sets.some((s) => s.folder === 'tombstone')).toBe(true);
    expect(seen.sort((a, b) => a - b)).toEqual(run.sent.map((s) => s.id));
    await expectNoErrorLogs(run.worker);
  });
});
