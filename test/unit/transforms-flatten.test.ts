import { describe, expect, it } from 'vitest';
import { DataError, Decimal, SchemaBuilder, Schemas, Struct, sourceRecord, type ConnectRecord, type Schema } from '../../src/sdk/index.js';
import { Flatten } from '../../transforms/kafka/flatten.js';
import { KEY, VALUE } from '../../transforms/support/record-part.js';

function flatten(props: Record<string, string> = {}, part = VALUE): Flatten {
  const t = new Flatten(part);
  t.configure(props);
  return t;
}
const record = (schema: Schema | null, v: unknown): ConnectRecord => sourceRecord({ topic: 't', key: 'k', valueSchema: schema, value: v });

describe('Flatten with schemas', () => {
  it('flattens two levels of nested structs, keeping every primitive type', () => {
    const leaf = SchemaBuilder.struct().field('int8', Schemas.INT8).field('int64', Schemas.INT64).field('float32', Schemas.FLOAT32)
      .field('boolean', Schemas.BOOLEAN).field('string', Schemas.STRING).field('bytes', Schemas.BYTES)
      .field('dec', SchemaBuilder.decimal(2).build()).build();
    const b = SchemaBuilder.struct().field('B', leaf).build();
    const a = SchemaBuilder.struct().name('outer').version(3).doc('d').parameter('p', 'v').field('A', b).build();
    const leafValue = new Struct(leaf).put('int8', 8).put('int64', 64).put('float32', 32).put('boolean', true).put('string', 'stringy')
      .put('bytes', Buffer.from('bytes')).put('dec', new Decimal(1234n, 2));
    const out = flatten().apply(record(a, new Struct(a).put('A', new Struct(b).put('B', leafValue))));
    expect(out.valueSchema).toEqual(SchemaBuilder.struct().name('outer').version(3).doc('d').parameter('p', 'v')
      .field('A.B.int8', Schemas.INT8).field('A.B.int64', Schemas.INT64).field('A.B.float32', Schemas.FLOAT32)
      .field('A.B.boolean', Schemas.BOOLEAN).field('A.B.string', Schemas.STRING).field('A.B.bytes', Schemas.BYTES)
      .field('A.B.dec', SchemaBuilder.decimal(2).build()).build());
    const v = out.value as Struct;
    expect(out.valueSchema!.fields!.map((f) => v.get(f.name))).toEqual([8, 64, 32, true, 'stringy', Buffer.from('bytes'), new Decimal(1234n, 2)]);
  });

  it('propagates optionality and defaults from ancestors', () => {
    const child = SchemaBuilder.struct().optional()
      .field('req_field', Schemas.STRING)
      .field('opt_field', SchemaBuilder.string().optional().defaultValue('child_default').build());
    const childDefault = new Struct(child.build()).put('req_field', 'req_default');
    const schema = child.defaultValue(childDefault).build();
    const out = flatten().apply(record(schema, new Struct(schema)));
    expect(out.valueSchema).toEqual(SchemaBuilder.struct()
      .field('req_field', SchemaBuilder.string().optional().defaultValue('req_default').build())
      .field('opt_field', SchemaBuilder.string().optional().defaultValue('child_default').build()).build());
  });

  it('makes the children of an optional nested struct optional, and null when it is null', () => {
    const inner = SchemaBuilder.struct().optional().field('n', Schemas.INT32).build();
    const schema = SchemaBuilder.struct().field('B', inner).field('c', Schemas.STRING).build();
    const out = flatten({ delimiter: '_' }).apply(record(schema, new Struct(schema).put('B', null).put('c', 'x')));
    expect(out.valueSchema).toEqual(SchemaBuilder.struct().field('B_n', Schemas.OPTIONAL_INT32).field('c', Schemas.STRING).build());
    expect((out.value as Struct).get('B_n')).toBeNull();
    expect((out.value as Struct).get('c')).toBe('x');
  });

  it('leaves arrays (even of structs) alone and equal', () => {
    const nested = SchemaBuilder.struct().field('lfg', Schemas.STRING).build();
    const inner = SchemaBuilder.struct().field('baz', nested).build();
    const schema = SchemaBuilder.struct().field('foo', SchemaBuilder.array(inner).doc('durk').build()).build();
    const value = new Struct(schema).put('foo', [new Struct(inner).put('baz', new Struct(nested).put('lfg', 'lfg'))]);
    const out = flatten().apply(record(schema, value));
    expect(out.valueSchema).toEqual(schema);
    expect((out.value as Struct).equals(value)).toBe(true);
  });

  it('keeps struct fields that are null or defaulted, as Kafka reads them', () => {
    const schema = SchemaBuilder.struct().field('a', Schemas.OPTIONAL_STRING).field('b', SchemaBuilder.int32().optional().defaultValue(5).build()).build();
    const out = flatten().apply(record(schema, new Struct(schema).put('a', null).put('b', null)));
    expect((out.value as Struct).getWithoutDefault('a')).toBeNull();
    expect((out.value as Struct).getWithoutDefault('b')).toBe(5);
  });

  it('passes tombstones through with their schema, and refuses maps and non-structs', () => {
    const schema = SchemaBuilder.struct().name('name').version(1).doc('doc').optional().field('magic', Schemas.OPTIONAL_INT64).build();
    const tombstone = record(schema, null);
    expect(flatten().apply(tombstone)).toBe(tombstone);
    const withMap = SchemaBuilder.struct().field('m', SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build()).build();
    expect(() => flatten().apply(record(withMap, new Struct(withMap).put('m', new Map())))).toThrow('Flatten transformation does not support MAP for record with schemas (for field m).');
    expect(() => flatten().apply(record(Schemas.INT32, 42))).toThrow(DataError);
  });

  it('derives the flat schema once per input schema', () => {
    const inner = SchemaBuilder.struct().field('n', Schemas.INT32).build();
    const schema = SchemaBuilder.struct().field('i', inner).build();
    const t = flatten();
    const first = t.apply(record(schema, new Struct(schema).put('i', new Struct(inner).put('n', 1))));
    const second = t.apply(record(schema, new Struct(schema).put('i', new Struct(inner).put('n', 2))));
    expect(second.valueSchema).toBe(first.valueSchema);
    expect((second.value as Struct).get('i.n')).toBe(2);
  });
});

describe('Flatten without schemas', () => {
  it('flattens nested maps with the delimiter', () => {
    const supported = { int8: 8, int64: 64n, float64: 64.5, boolean: true, string: 'stringy', bytes: Buffer.from('bytes'), list: [1, { x: 1 }] };
    const out = flatten({ delimiter: '#' }).apply(record(null, { A: { B: supported } }));
    expect(out.valueSchema).toBeNull();
    expect(out.value).toEqual({
      'A#B#int8': 8, 'A#B#int64': 64n, 'A#B#float64': 64.5, 'A#B#boolean': true, 'A#B#string': 'stringy',
      'A#B#bytes': Buffer.from('bytes'), 'A#B#list': [1, { x: 1 }],
    });
  });

  it('keeps null entries in order and reads Map values as maps', () => {
    const value = { firstNull: null, firstNonNull: 'nonNull', nested: new Map<string, unknown>([['x', 1], ['y', null]]), last: null };
    const out = flatten().apply(record(null, value));
    expect(Object.entries(out.value as object)).toEqual([['firstNull', null], ['firstNonNull', 'nonNull'], ['nested.x', 1], ['nested.y', null], ['last', null]]);
  });

  it('flattens the key with $Key', () => {
    const r = sourceRecord({ topic: 't', key: { A: { B: 12 } }, value: null });
    const out = flatten({}, KEY).apply(r);
    expect(out).toEqual({ ...r, key: { 'A.B': 12 } });
  });

  it('passes tombstones through and refuses non-maps and unknown values', () => {
    const tombstone = record(null, null);
    expect(flatten().apply(tombstone)).toBe(tombstone);
    expect(() => flatten().apply(record(null, 42))).toThrow('Only Map objects supported in absence of schema for [flattening], found: number');
    expect(() => flatten().apply(record(null, { d: new Date(0) }))).toThrow("Flatten transformation was passed a value of type Date which is not supported by Connect's data API");
    const s = SchemaBuilder.struct().field('a', Schemas.INT8).build();
    expect(() => flatten().apply(record(null, { s: new Struct(s).put('a', 1) }))).toThrow('Flatten transformation does not support Struct for record without schemas (for field s).');
  });
});
