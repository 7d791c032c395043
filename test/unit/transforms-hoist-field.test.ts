import { describe, expect, it } from 'vitest';
import { DataError, SchemaBuilder, Schemas, sourceRecord, Struct } from '../../src/sdk/index.js';
import { HoistField } from '../../transforms/kafka/hoist-field.js';
import { KEY, VALUE } from '../../transforms/support/record-part.js';

function make(field: string, part = KEY): HoistField {
  const t = new HoistField(part);
  t.configure({ field });
  return t;
}

describe('HoistField', () => {
  it('requires field', () => {
    expect(() => new HoistField(KEY).configure({})).toThrow('Missing required configuration "field" which has no default value.');
  });

  it('wraps a schemaless key in a map', () => {
    const out = make('magic').apply(sourceRecord({ topic: 't', key: 42, value: 'v' }));
    expect(out.keySchema).toBeNull();
    expect(out.key).toEqual({ magic: 42 });
    expect(out.value).toBe('v');
  });

  it('wraps a schemaless null too', () => {
    expect(make('magic', VALUE).apply(sourceRecord({ topic: 't' })).value).toEqual({ magic: null });
  });

  it('wraps a value in a struct whose field has the original schema', () => {
    const t = make('magic');
    const out = t.apply(sourceRecord({ topic: 't', keySchema: Schemas.INT32, key: 42 }));
    expect(out.keySchema).toEqual(SchemaBuilder.struct().field('magic', Schemas.INT32).build());
    expect(out.keySchema!.fields![0]!.schema).toBe(Schemas.INT32);
    expect((out.key as Struct).schema).toBe(out.keySchema);
    expect((out.key as Struct).get('magic')).toBe(42);
    expect(t.apply(sourceRecord({ topic: 't', keySchema: Schemas.INT32, key: 1 })).keySchema).toBe(out.keySchema);
  });

  it('wraps structs (value variant)', () => {
    const inner = SchemaBuilder.struct().name('Inner').field('a', Schemas.STRING).build();
    const v = new Struct(inner).put('a', 'x');
    const out = make('payload', VALUE).apply(sourceRecord({ topic: 't', valueSchema: inner, value: v }));
    expect(out.valueSchema!.name).toBeUndefined();
    expect(out.valueSchema!.optional).toBe(false);
    expect((out.value as Struct).get('payload')).toBe(v);
  });

  it('wraps a null of an optional schema, refuses one of a required schema', () => {
    const ok = make('f', VALUE).apply(sourceRecord({ topic: 't', valueSchema: Schemas.OPTIONAL_STRING, value: null }));
    expect((ok.value as Struct).get('f')).toBeNull();
    expect(() => make('f', VALUE).apply(sourceRecord({ topic: 't', valueSchema: Schemas.STRING, value: null }))).toThrow(DataError);
  });

  it('refuses a value that does not match the schema', () => {
    expect(() => make('f').apply(sourceRecord({ topic: 't', keySchema: Schemas.INT32, key: 'nope' }))).toThrow(DataError);
  });
});
