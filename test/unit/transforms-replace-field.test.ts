import { describe, expect, it } from 'vitest';
import { ConfigError, SchemaBuilder, Schemas, sourceRecord, Struct } from '../../src/sdk/index.js';
import { ReplaceField } from '../../transforms/kafka/replace-field.js';
import { KEY, VALUE } from '../../transforms/support/record-part.js';

function make(props: Record<string, string>, part = VALUE): ReplaceField {
  const t = new ReplaceField(part);
  t.configure(props);
  return t;
}

const schema = SchemaBuilder.struct().name('n').version(3).doc('d')
  .field('dont', Schemas.STRING)
  .field('abc', Schemas.INT32)
  .field('foo', Schemas.BOOLEAN)
  .field('etc', Schemas.STRING)
  .build();
const struct = new Struct(schema).put('dont', 'whatever').put('abc', 42).put('foo', true).put('etc', 'etc');

describe('ReplaceField config', () => {
  it('defaults to no change', () => {
    const out = make({}).apply(sourceRecord({ topic: 't', value: { a: 1, b: 2 } }));
    expect(out.value).toEqual({ a: 1, b: 2 });
  });

  it('refuses a rename without exactly one colon, naming the key', () => {
    for (const bad of ['abc', 'a:b:c', 'a:']) {
      let err: unknown;
      try {
        make({ renames: `foo:bar,${bad}` });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toBe(`Invalid value [foo:bar, ${bad}] for configuration renames: Invalid rename mapping: ${bad}`);
    }
    // Java's split drops trailing empty strings only: a leading empty name is a (strange) valid mapping.
    expect(() => make({ renames: ':x' })).not.toThrow();
  });

  it('reports the rename error through validate()', () => {
    const report = new ReplaceField(VALUE).config().validate({ renames: 'nocolon' });
    expect(report.find((r) => r.name === 'renames')!.errors).toEqual(['Invalid value [nocolon] for configuration renames: Invalid rename mapping: nocolon']);
  });

  it('does not declare the blacklist / whitelist aliases Kafka 4.0 removed', () => {
    expect(new ReplaceField(VALUE).config().configKeys().map((k) => k.name)).toEqual(['exclude', 'include', 'renames', 'replace.null.with.default']);
  });
});

describe('ReplaceField with schema', () => {
  it('includes and renames, keeping schema basics', () => {
    const out = make({ include: 'abc,foo', renames: 'abc:xyz,foo:bar' }).apply(sourceRecord({ topic: 't', valueSchema: schema, value: struct }));
    const expected = SchemaBuilder.struct().name('n').version(3).doc('d').field('xyz', Schemas.INT32).field('bar', Schemas.BOOLEAN).build();
    expect(out.valueSchema).toEqual(expected);
    const v = out.value as Struct;
    expect(v.schema).toBe(out.valueSchema);
    expect(v.get('xyz')).toBe(42);
    expect(v.get('bar')).toBe(true);
  });

  it('lets exclude win over include and caches the schema', () => {
    const t = make({ include: 'abc,foo', exclude: 'foo' });
    const a = t.apply(sourceRecord({ topic: 't', valueSchema: schema, value: struct }));
    const b = t.apply(sourceRecord({ topic: 't', valueSchema: schema, value: struct }));
    expect(a.valueSchema!.fields!.map((f) => f.name)).toEqual(['abc']);
    expect(b.valueSchema).toBe(a.valueSchema);
    expect((b.value as Struct).get('abc')).toBe(42);
  });

  it('excludes and keeps the rest in order', () => {
    const out = make({ exclude: 'dont' }).apply(sourceRecord({ topic: 't', valueSchema: schema, value: struct }));
    expect(out.valueSchema!.fields!.map((f) => f.name)).toEqual(['abc', 'foo', 'etc']);
    expect((out.value as Struct).get('etc')).toBe('etc');
  });

  it('honours replace.null.with.default on value and key', () => {
    const s = SchemaBuilder.struct().field('abc', SchemaBuilder.int32().optional().defaultValue(42).build()).build();
    const v = new Struct(s).put('abc', null);
    for (const [flag, want] of [['true', 42], ['false', null]] as const) {
      const props = { include: 'abc', renames: 'abc:optional_with_default', 'replace.null.with.default': flag };
      const val = make(props).apply(sourceRecord({ topic: 't', valueSchema: s, value: v }));
      expect((val.value as Struct).getWithoutDefault('optional_with_default')).toBe(want);
      const key = make(props, KEY).apply(sourceRecord({ topic: 't', keySchema: s, key: v }));
      expect(key.keySchema!.fields!.length).toBe(1);
      expect((key.key as Struct).getWithoutDefault('optional_with_default')).toBe(want);
    }
  });

  it('leaves a tombstone (schema, null value) unchanged', () => {
    const r = sourceRecord({ topic: 't', valueSchema: schema, value: null });
    expect(make({ include: 'abc' }).apply(r)).toBe(r);
  });

  it('requires a Struct', () => {
    expect(() => make({}).apply(sourceRecord({ topic: 't', valueSchema: Schemas.STRING, value: 'x' }))).toThrow(
      'Only Struct objects supported for [field replacement], found: string',
    );
  });
});

describe('ReplaceField schemaless', () => {
  it('excludes and renames', () => {
    const value = { dont: 'whatever', abc: 42, foo: true, etc: 'etc' };
    const out = make({ exclude: 'dont', renames: 'abc:xyz,foo:bar' }).apply(sourceRecord({ topic: 't', value }));
    expect(out.valueSchema).toBeNull();
    expect(out.value).toEqual({ xyz: 42, bar: true, etc: 'etc' });
    expect(value.dont).toBe('whatever');
  });

  it('includes only the listed fields, on the key too', () => {
    const out = make({ include: 'a' }, KEY).apply(sourceRecord({ topic: 't', key: { a: 1, b: 2 }, value: 'v' }));
    expect(out.key).toEqual({ a: 1 });
    expect(out.value).toBe('v');
  });

  it('leaves a tombstone unchanged and requires a map', () => {
    const r = sourceRecord({ topic: 't' });
    expect(make({ include: 'abc' }).apply(r)).toBe(r);
    expect(() => make({}).apply(sourceRecord({ topic: 't', value: [1] }))).toThrow(
      'Only Map objects supported in absence of schema for [field replacement], found: array',
    );
  });
});
