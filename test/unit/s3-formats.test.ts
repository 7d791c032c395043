import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteArrayWriter } from '../../connectors/s3/formats/byte-array-writer.js';
import { JsonLinesWriter } from '../../connectors/s3/formats/json-lines-writer.js';
import { JsonConverter } from '../../src/runtime/converters/json-converter.js';
import { type SinkRecord, SchemaBuilder, Schemas, Struct } from '../../src/sdk/index.js';

function rec(offset: number, value: unknown, valueSchema: SinkRecord['valueSchema'] = null): SinkRecord {
  return {
    topic: 't', kafkaPartition: 0, kafkaOffset: offset, keySchema: null, key: null, valueSchema, value, timestamp: 0,
    timestampType: 'CreateTime', headers: [], originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: offset,
  };
}

function collect(): { out: (c: Uint8Array) => void; bytes: () => Buffer } {
  const chunks: Uint8Array[] = [];
  return { out: (c) => chunks.push(c), bytes: () => Buffer.concat(chunks) };
}

describe('S3 sink line formats', () => {
  it('JSON lines: each value as JsonConverter without schemas writes it, one per line; gzip reads back the same text', () => {
    const json = new JsonConverter();
    json.configure({ 'schemas.enable': 'false' }, false);
    const schema = SchemaBuilder.struct().field('id', Schemas.INT64).field('name', Schemas.OPTIONAL_STRING).build();
    const records = [rec(0, new Struct(schema).put('id', 1).put('name', 'ä'), schema), rec(1, { a: [1, 2] })];
    const plain = collect();
    const w = new JsonLinesWriter(json, plain.out, null);
    for (const r of records) w.append(r);
    w.finish();
    expect(plain.bytes().toString('utf8')).toBe('{"id":1,"name":"ä"}\n{"a":[1,2]}\n');
    expect(w.recordBytes).toBe(plain.bytes().length);
    const zipped = collect();
    const g = new JsonLinesWriter(json, zipped.out, 6);
    for (const r of records) g.append(r);
    expect(g.heldBytes()).toBeGreaterThan(0);
    g.finish();
    expect(gunzipSync(zipped.bytes()).toString('utf8')).toBe(plain.bytes().toString('utf8'));
  });

  it('ByteArray: value bytes as they are, with the separator; a value that is not bytes is a DataError naming the record', () => {
    const c = collect();
    const w = new ByteArrayWriter(c.out, null, Buffer.from('|'));
    w.append(rec(0, Buffer.from([1, 2])));
    w.append(rec(1, 'hé'));
    w.finish();
    expect([...c.bytes()]).toEqual([1, 2, 0x7c, 0x68, 0xc3, 0xa9, 0x7c]);
    expect(() => w.append(rec(7, 42))).toThrow(/t-0 offset 7 is not bytes \(number\).*ByteArrayConverter/);
  });
});
