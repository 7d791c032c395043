import { describe, expect, it } from 'vitest';
import { DataError, SchemaBuilder, Schemas, sourceRecord, Struct } from '../../src/sdk/index.js';
import { ValueToKey } from '../../transforms/kafka/value-to-key.js';

function make(props: Record<string, string>): ValueToKey {
  const t = new ValueToKey();
  t.configure(props);
  return t;
}

describe('ValueToKey', () => {
  it('requires a non-empty fields list', () => {
    expect(() => make({})).toThrow('Missing required configuration "fields" which has no default value.');
    expect(() => make({ fields: '' })).toThrow('Invalid value [] for configuration fields: Empty list');
  });

  it('builds a map key from a schemaless value, absent fields as null', () => {
    const value = { a: 1, b: 2, c: 3 };
    const out = make({ fields: 'a,b,z' }).apply(sourceRecord({ topic: 't', keySchema: Schemas.STRING, key: 'old', value }));
    expect(out.keySchema).toBeNull();
    expect(out.key).toEqual({ a: 1, b: 2, z: null });
    expect(out.value).toBe(value);
  });

  it('builds a struct key with the fields\' schemas, in the listed order', () => {
    const valueSchema = SchemaBuilder.struct().name('V').field('a', Schemas.INT32).field('b', Schemas.OPTIONAL_STRING).field('c', Schemas.INT32).build();
    const value = new Struct(valueSchema).put('a', 1).put('b', 'two').put('c', 3);
    const t = make({ fields: 'b,a' });
    const out = t.apply(sourceRecord({ topic: 't', valueSchema, value }));
    const expectedSchema = SchemaBuilder.struct().field('b', Schemas.OPTIONAL_STRING).field('a', Schemas.INT32).build();
    expect(out.keySchema).toEqual(expectedSchema);
    expect((out.key as Struct).equals(new Struct(expectedSchema).put('b', 'two').put('a', 1))).toBe(true);
    expect((out.key as Struct).schema).toBe(out.keySchema);
    expect(out.valueSchema).toBe(valueSchema);
    expect(out.value).toBe(value);
    expect(t.apply(sourceRecord({ topic: 't', valueSchema, value })).keySchema).toBe(out.keySchema);
  });

  it('fails on a field the value schema lacks', () => {
    const valueSchema = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    expect(() => make({ fields: 'not_exist' }).apply(sourceRecord({ topic: 't', valueSchema, value: new Struct(valueSchema).put('a', 1) }))).toThrow(
      new DataError('Field does not exist: not_exist'),
    );
  });

  it('honours replace.null.with.default', () => {
    const valueSchema = SchemaBuilder.struct().field('optional_with_default', SchemaBuilder.int32().optional().defaultValue(42).build()).build();
    const value = new Struct(valueSchema).put('optional_with_default', null);
    for (const [flag, want] of [['true', 42], ['false', null]] as const) {
      const out = make({ fields: 'optional_with_default', 'replace.null.with.default': flag }).apply(sourceRecord({ topic: 't', valueSchema, value }));
      expect((out.key as Struct).getWithoutDefault('optional_with_default')).toBe(want);
    }
  });

  it('fails on a tombstone, as Kafka does', () => {
    expect(() => make({ fields: 'a' }).apply(sourceRecord({ topic: 't' }))).toThrow(
      'Only Map objects supported in absence of schema for [copying fields from value to key], found: null',
    );
    const s = SchemaBuilder.struct().optional().field('a', Schemas.INT32).build();
    expect(() => make({ fields: 'a' }).apply(sourceRecord({ topic: 't', valueSchema: s, value: null }))).toThrow(
      'Only Struct objects supported for [copying fields from value to key], found: null',
    );
  });
});
