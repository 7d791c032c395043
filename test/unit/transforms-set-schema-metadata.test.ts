import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, SchemaBuilder, Schemas, sourceRecord, Struct, type Schema } from '../../src/sdk/index.js';
import { SetSchemaMetadata } from '../../transforms/kafka/set-schema-metadata.js';
import { KEY, VALUE } from '../../transforms/support/record-part.js';

function make(props: Record<string, string>, part = VALUE): SetSchemaMetadata {
  const t = new SetSchemaMetadata(part);
  t.configure(props);
  return t;
}

function expectMatchingSchema(value: Struct, schema: Schema): void {
  expect(value.schema).toBe(schema);
  for (const f of schema.fields!) expect(value.field(f.name)).toBe(f);
}

describe('SetSchemaMetadata', () => {
  it('needs a name or a version; the version must be an int', () => {
    expect(() => make({})).toThrow(new ConfigError('Neither schema name nor version configured'));
    expect(() => make({ 'schema.version': 'x' })).toThrow(ConfigError);
  });

  it('updates name, version or both, keeping everything else', () => {
    const base = SchemaBuilder.struct().name('orig').version(1).doc('doc').parameter('p', 'v').optional().field('a', Schemas.INT32).build();
    const rec = sourceRecord({ topic: 't', valueSchema: base, value: null });
    expect(make({ 'schema.name': 'foo' }).apply(rec).valueSchema).toEqual({ ...base, name: 'foo' });
    expect(make({ 'schema.version': '42' }).apply(rec).valueSchema).toEqual({ ...base, version: 42 });
    const both = make({ 'schema.name': 'foo', 'schema.version': '42' }).apply(rec);
    expect(both.valueSchema).toEqual({ ...base, name: 'foo', version: 42 });
    expect(both.valueSchema!.fields).toBe(base.fields);
    expect(both.value).toBeNull();
  });

  it('rebuilds a struct value against the new schema, cached per schema', () => {
    const schema = SchemaBuilder.struct().name('my.orig.SchemaDefn').field('f1', Schemas.STRING).field('f2', Schemas.INT32).build();
    const value = new Struct(schema).put('f1', 'value1').put('f2', 1);
    const t = make({ 'schema.name': 'foo', 'schema.version': '42' });
    const out = t.apply(sourceRecord({ topic: 't', valueSchema: schema, value }));
    expect(out.valueSchema!.name).toBe('foo');
    expect(out.valueSchema!.version).toBe(42);
    const v = out.value as Struct;
    expectMatchingSchema(v, out.valueSchema!);
    expect([v.get('f1'), v.get('f2')]).toEqual(['value1', 1]);
    expect(value.schema).toBe(schema);
    expect(t.apply(sourceRecord({ topic: 't', valueSchema: schema, value })).valueSchema).toBe(out.valueSchema);
  });

  it('honours replace.null.with.default when rebuilding', () => {
    const schema = SchemaBuilder.struct().name('my.orig.SchemaDefn')
      .field('f1', SchemaBuilder.string().defaultValue('default').optional().build()).field('f2', Schemas.INT32).build();
    const value = new Struct(schema).put('f1', null).put('f2', 1);
    for (const [flag, want] of [['true', 'default'], ['false', null]] as const) {
      const out = make({ 'schema.name': 'foo', 'schema.version': '42', 'replace.null.with.default': flag }).apply(sourceRecord({ topic: 't', valueSchema: schema, value }));
      expectMatchingSchema(out.value as Struct, out.valueSchema!);
      expect((out.value as Struct).getWithoutDefault('f1')).toBe(want);
    }
  });

  it('keeps a non-struct value as it is', () => {
    const out = make({ 'schema.name': 'foo' }).apply(sourceRecord({ topic: 't', valueSchema: Schemas.INT32, value: 1 }));
    expect(out.valueSchema).toEqual({ type: 'int32', optional: false, name: 'foo' });
    expect(out.value).toBe(1);
  });

  it('requires a schema for a value, ignores a schemaless null', () => {
    const t = make({ 'schema.name': 'foo' });
    expect(() => t.apply(sourceRecord({ topic: 't', value: 42 }))).toThrow(new DataError('Schema required for [updating schema metadata]'));
    const r = sourceRecord({ topic: 't' });
    expect(t.apply(r)).toBe(r);
  });

  it('works on the key', () => {
    const s = SchemaBuilder.struct().field('id', Schemas.INT32).build();
    const out = make({ 'schema.name': 'Key' }, KEY).apply(sourceRecord({ topic: 't', keySchema: s, key: new Struct(s).put('id', 1), value: 'v' }));
    expect(out.keySchema!.name).toBe('Key');
    expectMatchingSchema(out.key as Struct, out.keySchema!);
    expect(out.value).toBe('v');
  });
});
