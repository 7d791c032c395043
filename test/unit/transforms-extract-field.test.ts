import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, SchemaBuilder, Schemas, sourceRecord, Struct } from '../../src/sdk/index.js';
import { ExtractField } from '../../transforms/kafka/extract-field.js';
import { KEY, VALUE } from '../../transforms/support/record-part.js';

function make(props: Record<string, string>, part = KEY): ExtractField {
  const t = new ExtractField(part);
  t.configure(props);
  return t;
}

const V2 = { 'field.syntax.version': 'V2' };

describe('ExtractField config', () => {
  it('requires field and a known syntax version', () => {
    expect(() => make({})).toThrow('Missing required configuration "field" which has no default value.');
    expect(() => make({ field: 'a', 'field.syntax.version': 'V3' })).toThrow(
      new ConfigError('Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2', { key: 'field.syntax.version' }),
    );
    expect(() => make({ field: 'a', 'field.syntax.version': 'v2' })).not.toThrow();
  });

  it('refuses an unclosed backtick in a V2 path, naming the key', () => {
    let err: unknown;
    try {
      make({ field: 'foo.`bar', ...V2 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).key).toBe('field');
    expect((err as ConfigError).message).toBe('Incomplete backtick pair in path: [foo.`bar], consider adding a backslash before backtick at position 4 to escape it');
  });
});

describe('ExtractField schemaless', () => {
  it('extracts a top-level field', () => {
    const out = make({ field: 'magic' }).apply(sourceRecord({ topic: 't', key: { magic: 42 }, value: 'v' }));
    expect(out.keySchema).toBeNull();
    expect(out.key).toBe(42);
    expect(out.value).toBe('v');
  });

  it('extracts a nested field with V2, and a dotted name with V1', () => {
    const key = { magic: { foo: 42 }, 'magic.foo': 'flat' };
    expect(make({ field: 'magic.foo', ...V2 }).apply(sourceRecord({ topic: 't', key })).key).toBe(42);
    expect(make({ field: 'magic.foo' }).apply(sourceRecord({ topic: 't', key })).key).toBe('flat');
    expect(make({ field: '`magic.foo`', ...V2 }).apply(sourceRecord({ topic: 't', key })).key).toBe('flat');
  });

  it('gives null for a null value or a missing field', () => {
    expect(make({ field: 'magic' }).apply(sourceRecord({ topic: 't' })).key).toBeNull();
    expect(make({ field: 'nonexistent' }).apply(sourceRecord({ topic: 't', key: { magic: 42 } })).key).toBeNull();
    expect(make({ field: 'magic.nonexistent', ...V2 }).apply(sourceRecord({ topic: 't', key: { magic: { foo: 42 } } })).key).toBeNull();
  });

  it('requires a map', () => {
    expect(() => make({ field: 'a' }).apply(sourceRecord({ topic: 't', key: 5 }))).toThrow(
      'Only Map objects supported in absence of schema for [field extraction], found: number',
    );
  });
});

describe('ExtractField with schema', () => {
  const foo = SchemaBuilder.struct().field('foo', Schemas.INT32).build();
  const schema = SchemaBuilder.struct().field('magic', foo).field('n', Schemas.INT32).build();
  const key = new Struct(schema).put('magic', new Struct(foo).put('foo', 42)).put('n', 7);

  it('extracts a field and its schema', () => {
    const t = make({ field: 'n' });
    const out = t.apply(sourceRecord({ topic: 't', keySchema: schema, key }));
    expect(out.keySchema).toBe(Schemas.INT32);
    expect(out.key).toBe(7);
    expect(make({ field: 'magic' }).apply(sourceRecord({ topic: 't', keySchema: schema, key })).keySchema).toBe(foo);
  });

  it('extracts a nested field with V2', () => {
    const out = make({ field: 'magic.foo', ...V2 }).apply(sourceRecord({ topic: 't', keySchema: schema, key }));
    expect(out.keySchema).toBe(Schemas.INT32);
    expect(out.key).toBe(42);
  });

  it('keeps a null value, with the field schema', () => {
    const s = SchemaBuilder.struct().field('magic', Schemas.INT32).optional().build();
    const out = make({ field: 'magic' }).apply(sourceRecord({ topic: 't', keySchema: s, key: null }));
    expect(out.keySchema).toBe(Schemas.INT32);
    expect(out.key).toBeNull();
  });

  it('fails on an unknown field', () => {
    expect(() => make({ field: 'nonexistent' }).apply(sourceRecord({ topic: 't', keySchema: schema, key }))).toThrow(new DataError('Unknown field: nonexistent'));
    expect(() => make({ field: 'magic.nonexistent', ...V2 }).apply(sourceRecord({ topic: 't', keySchema: schema, key }))).toThrow(
      new DataError('Unknown field: magic.nonexistent'),
    );
  });

  it('fails on a non-struct schema or value', () => {
    expect(() => make({ field: 'a' }).apply(sourceRecord({ topic: 't', keySchema: Schemas.OPTIONAL_INT32, key: null }))).toThrow(
      new DataError('Cannot look up fields on non-struct type'),
    );
    expect(() => make({ field: 'a' }).apply(sourceRecord({ topic: 't', keySchema: Schemas.INT32, key: 4 }))).toThrow(
      'Only Struct objects supported for [field extraction], found: number',
    );
  });

  it('honours replace.null.with.default (key and value)', () => {
    const s = SchemaBuilder.struct().field('optional_with_default', SchemaBuilder.int32().optional().defaultValue(42).build()).build();
    const v = new Struct(s).put('optional_with_default', null);
    for (const [flag, want] of [['true', 42], ['false', null]] as const) {
      const props = { field: 'optional_with_default', 'replace.null.with.default': flag };
      expect(make(props).apply(sourceRecord({ topic: 't', keySchema: s, key: v })).key).toBe(want);
      expect(make(props, VALUE).apply(sourceRecord({ topic: 't', valueSchema: s, value: v })).value).toBe(want);
    }
  });
});
