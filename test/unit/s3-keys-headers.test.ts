/**
 * `store.kafka.keys`, `store.kafka.headers` and `behavior.on.null.values=write`, through the plan
 * the task builds (sink-plan.ts) and a PartitionWriter on the in-memory store: key and header files
 * beside each value file, aligned record for record, cut and completed with it, counted by the
 * commit rule and the memory budget; Confluent's views (JSON, ByteArray, Parquet with `RecordKey` /
 * `RecordHeaders` envelopes), its refusals (null key, no headers) and its tombstone folder.
 */
import { gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { CutJournal } from '../../connectors/s3/cut-journal.js';
import { MIN_PART_BYTES } from '../../connectors/s3/file-upload.js';
import { ParquetRecordWriters } from '../../connectors/s3/formats/parquet-record-writer.js';
import { headerText } from '../../connectors/s3/formats/record-views.js';
import { PartitionWriter } from '../../connectors/s3/partition-writer.js';
import { buildPlan } from '../../connectors/s3/sink-plan.js';
import { JsonConverter } from '../../src/runtime/converters/json-converter.js';
import { convertToString } from '../../src/runtime/converters/values-text.js';
import { DataError, Decimal, SchemaBuilder, Schemas, Struct, type ConnectHeader, type Schema, type SinkRecord } from '../../src/sdk/index.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';

const BASE = { 's3.bucket.name': 'b', 'format.class': 'json', 'flush.size': '3', 'timestamp.extractor': 'Record' };
const KEYS_JSON = { 'store.kafka.keys': 'true', 'keys.format.class': 'JsonFormat' };
const HEADERS_JSON = { 'store.kafka.headers': 'true', 'headers.format.class': 'JsonFormat' };

interface Rec {
  key?: unknown;
  keySchema?: Schema | null;
  value?: unknown;
  valueSchema?: Schema | null;
  headers?: ConnectHeader[];
}

function rec(offset: number, r: Rec = {}): SinkRecord {
  return {
    topic: 't', kafkaPartition: 0, kafkaOffset: offset, timestamp: 1_000 + offset, timestampType: 'CreateTime',
    keySchema: r.keySchema ?? null, key: 'key' in r ? r.key : `k${offset}`,
    valueSchema: r.valueSchema ?? null, value: 'value' in r ? r.value : { n: offset },
    headers: r.headers ?? [{ key: 'h', schema: Schemas.STRING, value: `v${offset}` }],
    originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: offset,
  };
}

function sink(props: Record<string, string>, store = new MemoryObjectStore()) {
  const plan = buildPlan({ ...BASE, ...props }, { newJsonConverter: () => new JsonConverter(), valuesText: convertToString, store: () => store, parquet: (s) => ParquetRecordWriters.factory(s) });
  const journal = new CutJournal(store, plan.journalKey('t', 0));
  const w = new PartitionWriter({ ...plan.partitionDeps, store, journal });
  return { store, w, plan, journal };
}

const file = (folder: string, start: number, ext: string): string => `topics/t/${folder}/t+0+${String(start).padStart(10, '0')}${ext}`;
const jsonLines = (store: MemoryObjectStore, key: string): unknown[] => store.text(key).trim().split('\n').map((l) => JSON.parse(l) as unknown);

async function parquetRows(store: MemoryObjectStore, key: string): Promise<Record<string, unknown>[]> {
  const b = store.objects.get(key)!;
  return parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer });
}

describe('key and header files (JSON)', () => {
  it('writes a key file and a header file beside each value file, same start offset, one line per record in order, cut with it', async () => {
    const { store, w } = sink({ ...KEYS_JSON, ...HEADERS_JSON, 'partitioner.class': 'FieldPartitioner', 'partition.field.name': 'f' });
    for (let i = 0; i < 7; i++) w.accept(rec(i, { value: { n: i, f: i % 2 } }));
    await w.io();
    // flush.size=3: segments [0..2] and [3..5] are cut; 6 stays open.
    expect(store.keys('topics/t/')).toEqual([
      file('f=0', 0, '.headers.json'), file('f=0', 0, '.json'), file('f=0', 0, '.keys.json'),
      file('f=0', 4, '.headers.json'), file('f=0', 4, '.json'), file('f=0', 4, '.keys.json'),
      file('f=1', 1, '.headers.json'), file('f=1', 1, '.json'), file('f=1', 1, '.keys.json'),
      file('f=1', 3, '.headers.json'), file('f=1', 3, '.json'), file('f=1', 3, '.keys.json'),
    ]);
    expect(jsonLines(store, file('f=0', 0, '.json'))).toEqual([{ n: 0, f: 0 }, { n: 2, f: 0 }]);
    expect(jsonLines(store, file('f=0', 0, '.keys.json'))).toEqual(['k0', 'k2']);
    expect(jsonLines(store, file('f=0', 0, '.headers.json'))).toEqual([{ headers: [{ key: 'h', value: 'v0' }] }, { headers: [{ key: 'h', value: 'v2' }] }]);
    expect(jsonLines(store, file('f=1', 3, '.keys.json'))).toEqual(['k3', 'k5']);
    expect(w.commitOffset()).toBe(6);
  });

  it('writes keys as JsonFormat writes values (struct keys as objects) and header values as text, Values.convertToString style', async () => {
    const { store, w } = sink({ ...KEYS_JSON, ...HEADERS_JSON, 'flush.size': '2' });
    const keySchema = SchemaBuilder.struct().name('Key').field('id', Schemas.INT64).field('region', Schemas.OPTIONAL_STRING).build();
    const point = SchemaBuilder.struct().field('x', Schemas.INT32).build();
    const headers: ConnectHeader[] = [
      { key: 'text', schema: Schemas.STRING, value: 'héllo "q"' },
      { key: 'int', schema: Schemas.INT8, value: 42 },
      { key: 'double', schema: Schemas.FLOAT64, value: 1 },
      { key: 'bool', schema: Schemas.BOOLEAN, value: true },
      { key: 'bytes', schema: Schemas.BYTES, value: Buffer.from([1, 2, 255]) },
      { key: 'decimal', schema: SchemaBuilder.decimal(2).build(), value: new Decimal(-1234n, 2) },
      { key: 'date', schema: SchemaBuilder.date().build(), value: new Date(Date.UTC(2024, 0, 31)) },
      { key: 'ts', schema: SchemaBuilder.timestamp().build(), value: new Date(Date.UTC(2024, 0, 31, 10, 0, 0, 5)) },
      { key: 'struct', schema: point, value: Struct.fromValues(point, [7]) },
      { key: 'list', schema: null, value: [1, 'a'] },
      { key: 'null', schema: null, value: null },
      { key: 'text', schema: Schemas.STRING, value: 'again' },
    ];
    w.accept(rec(0, { keySchema, key: Struct.fromValues(keySchema, [1n, 'eu']), headers }));
    w.accept(rec(1, { keySchema: Schemas.INT64, key: 99n }));
    await w.io();
    expect(jsonLines(store, file('partition=0', 0, '.keys.json'))).toEqual([{ id: 1, region: 'eu' }, 99]);
    expect(jsonLines(store, file('partition=0', 0, '.headers.json'))[0]).toEqual({
      headers: [
        { key: 'text', value: 'héllo "q"' }, { key: 'int', value: '42' }, { key: 'double', value: '1.0' }, { key: 'bool', value: 'true' },
        { key: 'bytes', value: 'AQL/' }, { key: 'decimal', value: '-12.34' }, { key: 'date', value: '2024-01-31' },
        { key: 'ts', value: '2024-01-31T10:00:00.005Z' }, { key: 'struct', value: '{"x":7}' }, { key: 'list', value: '[1,"a"]' },
        { key: 'null', value: null }, { key: 'text', value: 'again' },
      ],
    });
  });

  it('refuses a null key and a record without headers before any file takes it, as Confluent does', async () => {
    const { store, w } = sink({ ...KEYS_JSON, ...HEADERS_JSON });
    w.accept(rec(0));
    expect(() => w.accept(rec(1, { key: null }))).toThrow(DataError);
    expect(() => w.accept(rec(2, { key: null }))).toThrow(/Key cannot be null for the record at t-0 offset 2/);
    expect(() => w.accept(rec(3, { headers: [] }))).toThrow(/Headers cannot be empty for the record at t-0 offset 3/);
    w.accept(rec(4));
    w.accept(rec(5));
    await w.io();
    // The refused records left no line anywhere: the three files still line up.
    expect(jsonLines(store, file('partition=0', 0, '.json'))).toEqual([{ n: 0 }, { n: 4 }, { n: 5 }]);
    expect(jsonLines(store, file('partition=0', 0, '.keys.json'))).toEqual(['k0', 'k4', 'k5']);
    expect(jsonLines(store, file('partition=0', 0, '.headers.json'))).toHaveLength(3);
  });

  it('ByteArray keys: the key bytes and the separator; a key that is not bytes names key.converter', async () => {
    const { store, w } = sink({ 'store.kafka.keys': 'true', 'keys.format.class': 'ByteArrayFormat', 'format.bytearray.separator': '|', 's3.compression.type': 'gzip' });
    w.accept(rec(0, { key: Buffer.from([1, 2]) }));
    w.accept(rec(1, { key: 'é' }));
    expect(() => w.accept(rec(2, { key: 5 }))).toThrow(/the key at t-0 offset 2 is not bytes.*key\.converter=org\.apache\.kafka\.connect\.converters\.ByteArrayConverter/);
    w.accept(rec(3, { key: Buffer.from([9]) }));
    await w.io();
    expect(store.keys('topics/t/')).toEqual([file('partition=0', 0, '.json.gz'), file('partition=0', 0, '.keys.bin.gz')]);
    expect([...gunzipSync(store.objects.get(file('partition=0', 0, '.keys.bin.gz'))!)]).toEqual([1, 2, 0x7c, 0xc3, 0xa9, 0x7c, 9, 0x7c]);
  });
});

describe('the commit rule and memory with key and header files', () => {
  it('moves the offset past a segment only when its key and header files are complete too; a retry sends them, nothing twice', async () => {
    const { store, w, journal } = sink({ ...KEYS_JSON, ...HEADERS_JSON });
    for (let i = 0; i < 3; i++) w.accept(rec(i));
    await journal.save(); // the segment's high-water mark (`through`), saved before any of its files
    store.failNext('put', 2); // two of the segment's three puts fail
    await expect(w.io()).rejects.toThrow(/injected put failure/);
    expect(store.keys('topics/t/')).toHaveLength(1);
    expect(w.commitOffset()).toBe(0);
    for (let i = 0; i < 3; i++) w.accept(rec(i)); // the batch redelivered: skipped
    await w.io();
    expect(store.keys('topics/t/')).toEqual([file('partition=0', 0, '.headers.json'), file('partition=0', 0, '.json'), file('partition=0', 0, '.keys.json')]);
    expect(jsonLines(store, file('partition=0', 0, '.keys.json'))).toEqual(['k0', 'k1', 'k2']);
    expect(w.commitOffset()).toBe(3);
  });

  it('a replay from the committed offset writes the same keys with the same bytes', async () => {
    const props = { ...KEYS_JSON, ...HEADERS_JSON, 'keys.format.class': 'ParquetFormat', 'headers.format.class': 'ParquetFormat' };
    const keySchema = Schemas.STRING;
    const first = sink(props);
    for (let i = 0; i < 5; i++) first.w.accept(rec(i, { keySchema }));
    await first.w.io();
    const journal = first.plan.journalKey('t', 0);
    expect(first.store.keys('topics/_tributary/')).toEqual([journal]);
    const before = new Map([...first.store.objects].filter(([k]) => k !== journal));
    // A crash after the first segment: a new writer replays from offset 0 into a store holding only the journal.
    const replayed = new MemoryObjectStore();
    replayed.objects.set(journal, Buffer.from(first.store.objects.get(journal)!));
    const again = sink(props, replayed);
    await again.journal.load();
    for (let i = 0; i < 5; i++) again.w.accept(rec(i, { keySchema }));
    await again.w.io();
    expect(before.size).toBe(3);
    expect(replayed.keys('topics/t/')).toEqual([...before.keys()].sort());
    for (const [k, v] of before) expect(replayed.objects.get(k)!.equals(v), k).toBe(true);
  });

  it('counts key and header bytes in heldBytes, and sendParts sends a full key file as a part', async () => {
    const { store, w } = sink({ ...KEYS_JSON, 'flush.size': '100000', 's3.part.size': String(MIN_PART_BYTES) });
    const big = 'k'.repeat(64 * 1024);
    for (let i = 0; i < 100; i++) w.accept(rec(i, { key: `${i}:${big}`, value: i }));
    const held = w.heldBytes();
    expect(held).toBeGreaterThan(100 * big.length);
    const freed = await w.sendParts(1);
    expect(freed).toBeGreaterThan(MIN_PART_BYTES);
    expect([...store.uploads.values()].map((u) => u.key)).toEqual([file('partition=0', 0, '.keys.json')]);
    expect(w.heldBytes()).toBe(held - freed);
  });

  it('flush.size.bytes counts the key and header files too', async () => {
    const { store, w } = sink({ ...KEYS_JSON, 'flush.size': '1000', 'flush.size.bytes': '100' });
    for (let i = 0; i < 3; i++) w.accept(rec(i, { key: 'x'.repeat(60), value: i }));
    await w.io();
    // Each value line is 2 bytes; the key lines (63 bytes) reach 100 bytes at the second record.
    expect(store.keys('topics/t/')).toEqual([file('partition=0', 0, '.json'), file('partition=0', 0, '.keys.json')]);
    expect(jsonLines(store, file('partition=0', 0, '.json'))).toEqual([0, 1]);
  });
});

describe('behavior.on.null.values=write', () => {
  const WRITE = { ...KEYS_JSON, 'behavior.on.null.values': 'write', 'flush.size': '4' };

  it('puts tombstones in the tombstone folder with only their key (and header) files, cut with the segment', async () => {
    const { store, w } = sink({ ...WRITE, ...HEADERS_JSON, 'tombstone.encoded.partition': 'deleted' });
    w.accept(rec(0));
    w.accept(rec(1, { value: null }));
    w.accept(rec(2));
    w.accept(rec(3, { value: null }));
    w.accept(rec(4, { value: null }));
    await w.io();
    expect(store.keys('topics/t/')).toEqual([
      file('deleted', 1, '.headers.json'), file('deleted', 1, '.keys.json'),
      file('partition=0', 0, '.headers.json'), file('partition=0', 0, '.json'), file('partition=0', 0, '.keys.json'),
    ]);
    expect(jsonLines(store, file('deleted', 1, '.keys.json'))).toEqual(['k1', 'k3']);
    expect(jsonLines(store, file('partition=0', 0, '.keys.json'))).toEqual(['k0', 'k2']);
    expect(w.commitOffset()).toBe(4);
  });

  it('keeps records and tombstones that land in the same folder in separate, aligned file sets', async () => {
    const { store, w } = sink({ ...WRITE, 'tombstone.encoded.partition': 'partition=0' });
    for (const [o, v] of [[0, 'a'], [1, null], [2, 'b'], [3, null]] as const) w.accept(rec(o, { value: v }));
    await w.io();
    expect(store.keys('topics/t/')).toEqual([file('partition=0', 0, '.json'), file('partition=0', 0, '.keys.json'), file('partition=0', 1, '.keys.json')]);
    expect(jsonLines(store, file('partition=0', 0, '.keys.json'))).toEqual(['k0', 'k2']);
    expect(jsonLines(store, file('partition=0', 1, '.keys.json'))).toEqual(['k1', 'k3']);
  });

  it('still fails a tombstone with a null key, and cdc.flatten still drops tombstones', async () => {
    const { w } = sink(WRITE);
    expect(() => w.accept(rec(0, { value: null, key: null }))).toThrow(/Key cannot be null/);
    const flat = sink({ ...WRITE, 'cdc.flatten': 'true' });
    flat.w.accept(rec(0, { value: null }));
    await flat.w.io();
    expect(flat.store.keys('topics/t/')).toEqual([]);
    expect(flat.w.commitOffset()).toBe(1);
  });
});

describe('Parquet key and header files', () => {
  it('a primitive key is a one-column file (key), a struct key one struct column; headers are a list of {key, value}', async () => {
    const { store, w } = sink({ 'format.class': 'json', 'store.kafka.keys': 'true', 'keys.format.class': 'parquet', 'store.kafka.headers': 'true', 'headers.format.class': 'parquet', 'parquet.codec': 'none', 'flush.size': '2' });
    w.accept(rec(0, { keySchema: Schemas.STRING, key: 'a', headers: [{ key: 'x', schema: Schemas.STRING, value: '1' }, { key: 'y', schema: null, value: null }] }));
    w.accept(rec(1, { keySchema: Schemas.STRING, key: 'b' }));
    const keySchema = SchemaBuilder.struct().name('Key').field('id', Schemas.INT32).build();
    // A new key schema cannot join the file: the segment (all its files) is cut before the record.
    w.accept(rec(2, { keySchema, key: Struct.fromValues(keySchema, [7]) }));
    w.accept(rec(3, { keySchema, key: Struct.fromValues(keySchema, [8]) }));
    await w.io();
    expect(store.keys('topics/t/')).toEqual([
      file('partition=0', 0, '.headers.parquet'), file('partition=0', 0, '.json'), file('partition=0', 0, '.keys.parquet'),
      file('partition=0', 2, '.headers.parquet'), file('partition=0', 2, '.json'), file('partition=0', 2, '.keys.parquet'),
    ]);
    const k0 = store.objects.get(file('partition=0', 0, '.keys.parquet'))!;
    const meta = parquetMetadata(k0.buffer.slice(k0.byteOffset, k0.byteOffset + k0.length) as ArrayBuffer);
    expect(parquetSchema(meta).children.map((c) => c.element.name)).toEqual(['key']);
    expect(await parquetRows(store, file('partition=0', 0, '.keys.parquet'))).toEqual([{ key: 'a' }, { key: 'b' }]);
    expect(await parquetRows(store, file('partition=0', 2, '.keys.parquet'))).toEqual([{ key: { id: 7 } }, { key: { id: 8 } }]);
    expect(await parquetRows(store, file('partition=0', 0, '.headers.parquet'))).toEqual([
      { headers: [{ key: 'x', value: '1' }, { key: 'y', value: null }] },
      { headers: [{ key: 'h', value: 'v1' }] },
    ]);
  });

  it('a key without a schema cannot go to Parquet: a DataError naming the record and the fix', () => {
    const { w } = sink({ 'store.kafka.keys': 'true', 'keys.format.class': 'parquet' });
    expect(() => w.accept(rec(0, { key: 'schemaless' }))).toThrow(/the key at t-0 offset 0 has no schema.*key\.converter\.schemas\.enable=true/);
  });
});

describe('headerText', () => {
  it("writes header values as Kafka's Values.convertToString: numbers as Java does, decimals as BigDecimal.toString, dates as ISO", () => {
    const text = headerText(convertToString);
    const h = (schema: Schema | null, value: unknown): string | null => text('t', { key: 'k', schema, value });
    expect(h(Schemas.FLOAT64, 1e21)).toBe('1.0E21');
    expect(h(Schemas.INT64, 2n ** 63n - 1n)).toBe('9223372036854775807');
    expect(h(null, new Decimal(5n, 9))).toBe('5E-9');
    expect(h(null, new Date(5))).toBe('00:00:00.005Z');
    expect(h(null, new Map([['a', 1]]))).toBe('{"a":1}');
  });
});
