import { describe, expect, it } from 'vitest';
import { ConfigError, LOGICAL, SchemaBuilder, Schemas, sourceRecord, type ConnectHeader, type ConnectRecord } from '../../src/sdk/index.js';
import { InsertHeader } from '../../transforms/kafka/insert-header.js';

function insert(header: string, literal: string): InsertHeader {
  const t = new InsertHeader();
  t.configure({ header, 'value.literal': literal });
  return t;
}
const str = (key: string, value: string): ConnectHeader => ({ key, schema: Schemas.STRING, value });
const record = (headers: ConnectHeader[]): ConnectRecord => sourceRecord({ topic: 'topic', kafkaPartition: 0, key: 'key', value: 'value', timestamp: 0, headers, sourcePartition: { foo: 'bar' }, sourceOffset: { baz: 'quxx' } });

describe('InsertHeader', () => {
  it('appends after other headers and keeps the rest of the record', () => {
    const r = record([str('existing', 'existing-value')]);
    expect(insert('inserted', 'inserted-value').apply(r)).toEqual({ ...r, headers: [str('existing', 'existing-value'), str('inserted', 'inserted-value')] });
    expect(r.headers).toHaveLength(1);
  });

  it('appends even when the header exists', () => {
    const r = record([str('existing', 'preexisting-value')]);
    expect(insert('existing', 'inserted-value').apply(r)!.headers).toEqual([str('existing', 'preexisting-value'), str('existing', 'inserted-value')]);
  });

  it('infers the schema of the literal: 1 is an int8', () => {
    expect(insert('inserted', '1').apply(record([]))!.headers).toEqual([{ key: 'inserted', schema: Schemas.INT8, value: 1 }]);
    expect(insert('h', 'null').apply(record([]))!.headers).toEqual([{ key: 'h', schema: null, value: null }]);
  });

  it('infers containers and temporal literals with Kafka\'s Values.parseString', () => {
    expect(insert('h', '[1, 300]').apply(record([]))!.headers).toEqual([{ key: 'h', schema: SchemaBuilder.array(Schemas.INT16).build(), value: [1, 300] }]);
    const [date] = insert('h', '2024-01-31').apply(record([]))!.headers;
    expect([date!.schema!.name, date!.value]).toEqual([LOGICAL.DATE, new Date('2024-01-31T00:00:00Z')]);
  });

  it('refuses, as a config error, a literal Kafka\'s parser cannot read (a number Java cannot rescale)', () => {
    expect(() => insert('h', '1e999999999')).toThrow(ConfigError);
    expect(() => insert('h', '[1e999999999]')).toThrow('Invalid value [1e999999999] for configuration value.literal');
    expect(insert('h', '0e999999999').apply(record([]))!.headers).toEqual([{ key: 'h', schema: Schemas.INT8, value: 0 }]);
  });

  it('requires both settings', () => {
    expect(() => new InsertHeader().configure({ 'value.literal': '1' })).toThrow(ConfigError);
    expect(() => new InsertHeader().configure({ header: 'inserted' })).toThrow('Missing required configuration "value.literal"');
  });
});
