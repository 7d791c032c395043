import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, LOGICAL, SchemaBuilder, Schemas, sourceRecord, Struct, type SinkRecord } from '../../src/sdk/index.js';
import { InsertField } from '../../transforms/kafka/insert-field.js';
import { KEY, VALUE } from '../../transforms/support/record-part.js';

const sink = (p: Partial<SinkRecord>): SinkRecord => ({
  topic: 'test', kafkaPartition: 0, keySchema: null, key: null, valueSchema: null, value: null, timestamp: null, headers: [],
  kafkaOffset: 0, timestampType: 'CreateTime', originalTopic: 'test', originalKafkaPartition: 0, originalKafkaOffset: 0, ...p,
});

const ALL = { 'topic.field': 'topic_field!', 'partition.field': 'partition_field', 'timestamp.field': 'timestamp_field?', 'static.field': 'instance_id', 'static.value': 'my-instance-id' };

function make(props: Record<string, string>, part = VALUE): InsertField {
  const t = new InsertField(part);
  t.configure(props);
  return t;
}

describe('InsertField config', () => {
  it('needs at least one field', () => {
    expect(() => make({})).toThrow(new ConfigError('No field insertion configured'));
  });

  it('needs static.value with static.field', () => {
    let err: unknown;
    try {
      make({ 'static.field': 'instance_id' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe('Invalid value null for configuration static.value: No value specified for static field: instance_id');
    expect((err as ConfigError).key).toBe('static.value');
  });

  it('rejects a non-boolean replace.null.with.default', () => {
    expect(() => make({ 'topic.field': 't', 'replace.null.with.default': 'maybe' })).toThrow(ConfigError);
  });

  it('declares Kafka\'s keys', () => {
    expect(new InsertField(VALUE).config().configKeys().map((k) => k.name)).toEqual([
      'topic.field', 'partition.field', 'offset.field', 'timestamp.field', 'static.field', 'static.value', 'replace.null.with.default',
    ]);
  });
});

describe('InsertField with schema', () => {
  const schema = SchemaBuilder.struct().name('name').version(1).doc('doc').parameter('p', 'v').field('magic', Schemas.OPTIONAL_INT64).build();

  it('copies the schema basics and appends the fields with their optionality', () => {
    const t = make(ALL);
    const out = t.apply(sourceRecord({ topic: 'test', kafkaPartition: 0, valueSchema: schema, value: new Struct(schema).put('magic', 42), timestamp: 789 }));
    const expected = SchemaBuilder.struct().name('name').version(1).doc('doc').parameter('p', 'v')
      .field('magic', Schemas.OPTIONAL_INT64)
      .field('topic_field', Schemas.STRING)
      .field('partition_field', Schemas.OPTIONAL_INT32)
      .field('timestamp_field', SchemaBuilder.timestamp().optional().build())
      .field('instance_id', Schemas.OPTIONAL_STRING)
      .build();
    expect(out.valueSchema).toEqual(expected);
    expect(out.valueSchema!.fields![3]!.schema.name).toBe(LOGICAL.TIMESTAMP);
    const v = out.value as Struct;
    expect(v.schema).toBe(out.valueSchema);
    expect(v.get('magic')).toBe(42);
    expect(v.get('topic_field')).toBe('test');
    expect(v.get('partition_field')).toBe(0);
    expect(v.get('timestamp_field')).toEqual(new Date(789));
    expect(v.get('instance_id')).toBe('my-instance-id');

    // The derived schema is cached per input schema.
    const again = t.apply(sourceRecord({ topic: 'test', kafkaPartition: 1, valueSchema: schema, value: new Struct(schema) }));
    expect(again.valueSchema).toBe(out.valueSchema);
    expect((again.value as Struct).get('timestamp_field')).toBeNull();
  });

  it('drops optionality of the input schema, as Kafka\'s copySchemaBasics does', () => {
    const optional = SchemaBuilder.struct().optional().field('a', Schemas.INT32).build();
    const out = make({ 'topic.field': 't' }).apply(sourceRecord({ topic: 'x', valueSchema: optional, value: new Struct(optional).put('a', 1) }));
    expect(out.valueSchema!.optional).toBe(false);
  });

  it('inserts the offset of a sink record and refuses a source record', () => {
    const s = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    const t = make({ 'offset.field': 'off!' });
    const out = t.apply(sink({ kafkaOffset: 1234, valueSchema: s, value: new Struct(s).put('a', 1) }));
    expect(out.valueSchema!.fields!.map((f) => [f.name, f.schema])).toEqual([['a', Schemas.INT32], ['off', Schemas.INT64]]);
    expect((out.value as Struct).get('off')).toBe(1234);
    expect(() => t.apply(sourceRecord({ topic: 'x', valueSchema: s, value: new Struct(s).put('a', 1) }))).toThrow(
      new DataError('Only SinkRecord supported for [field insertion], found: SourceRecord'),
    );
  });

  it('honours replace.null.with.default', () => {
    const fieldSchema = SchemaBuilder.int64().optional().defaultValue(42).build();
    const s = SchemaBuilder.struct().field('magic_with_default', fieldSchema).build();
    const record = sourceRecord({ topic: 'test', valueSchema: s, value: new Struct(s).put('magic_with_default', null), timestamp: 789 });
    for (const [flag, want] of [['true', 42], ['false', null]] as const) {
      const out = make({ ...ALL, 'replace.null.with.default': flag }).apply(record);
      expect(out.valueSchema!.fields![0]!.schema).toBe(fieldSchema);
      expect((out.value as Struct).getWithoutDefault('magic_with_default')).toBe(want);
    }
  });

  it('requires a struct', () => {
    expect(() => make({ 'topic.field': 't' }).apply(sourceRecord({ topic: 'x', valueSchema: Schemas.INT32, value: 42 }))).toThrow(
      'Only Struct objects supported for [field insertion], found: number',
    );
  });

  it('fails on a field name that already exists', () => {
    const s = SchemaBuilder.struct().field('t', Schemas.STRING).build();
    expect(() => make({ 'topic.field': 't' }).apply(sourceRecord({ topic: 'x', valueSchema: s, value: new Struct(s).put('t', 'a') }))).toThrow(DataError);
  });

  it('leaves a tombstone with a schema unchanged', () => {
    const record = sourceRecord({ topic: 'test', valueSchema: schema, value: null });
    expect(make(ALL).apply(record)).toBe(record);
  });

  it('works on the key (InsertField$Key)', () => {
    const s = SchemaBuilder.struct().field('id', Schemas.INT32).build();
    const out = make({ 'topic.field': 'topic' }, KEY).apply(sourceRecord({ topic: 'orders', keySchema: s, key: new Struct(s).put('id', 7), value: 'v' }));
    expect(out.keySchema!.fields!.map((f) => f.name)).toEqual(['id', 'topic']);
    expect((out.key as Struct).get('topic')).toBe('orders');
    expect(out.value).toBe('v');
  });
});

describe('InsertField schemaless', () => {
  it('adds entries, the timestamp as a number, without touching the input', () => {
    const value = { magic: 42 };
    const out = make(ALL).apply(sourceRecord({ topic: 'test', kafkaPartition: 0, value, timestamp: 123 }));
    expect(out.valueSchema).toBeNull();
    expect(out.value).toEqual({ magic: 42, topic_field: 'test', partition_field: 0, timestamp_field: 123, instance_id: 'my-instance-id' });
    expect(value).toEqual({ magic: 42 });
  });

  it('skips a null partition and timestamp', () => {
    const out = make(ALL).apply(sourceRecord({ topic: 'test', value: { magic: 42 } }));
    expect(out.value).toEqual({ magic: 42, topic_field: 'test', instance_id: 'my-instance-id' });
  });

  it('inserts into a key of a tombstone; leaves a null key alone', () => {
    const t = make(ALL, KEY);
    const out = t.apply(sourceRecord({ topic: 'test', kafkaPartition: 0, key: { magic: 42 } }));
    expect(out.key).toEqual({ magic: 42, topic_field: 'test', partition_field: 0, instance_id: 'my-instance-id' });
    expect(out.value).toBeNull();
    const nullKey = sourceRecord({ topic: 'test', value: { magic: 42 } });
    expect(t.apply(nullKey)).toBe(nullKey);
  });

  it('leaves a tombstone unchanged', () => {
    const record = sourceRecord({ topic: 'test' });
    expect(make(ALL).apply(record)).toBe(record);
  });

  it('accepts a Map and requires a map', () => {
    const out = make({ 'topic.field': 't' }).apply(sourceRecord({ topic: 'x', value: new Map([['a', 1]]) }));
    expect(out.value).toEqual({ a: 1, t: 'x' });
    expect(() => make({ 'topic.field': 't' }).apply(sourceRecord({ topic: 'x', value: 'text' }))).toThrow(
      'Only Map objects supported in absence of schema for [field insertion], found: string',
    );
  });

  it('keeps sink record fields', () => {
    const out = make({ 'offset.field': 'o' }).apply(sink({ kafkaOffset: 9, value: {}, originalKafkaOffset: 9 }));
    expect(out).toMatchObject({ kafkaOffset: 9, originalKafkaOffset: 9, timestampType: 'CreateTime', value: { o: 9 } });
  });
});
