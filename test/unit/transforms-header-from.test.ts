import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, SchemaBuilder, Schemas, Struct, sourceRecord, type ConnectHeader, type ConnectRecord, type Schema } from '../../src/sdk/index.js';
import { HeaderFrom } from '../../transforms/kafka/header-from.js';
import { KEY, VALUE, type RecordPart } from '../../transforms/support/record-part.js';

interface Field { name: string; schema: Schema; value: unknown }
const STRING = Schemas.STRING;
const OPT_DEFAULT = SchemaBuilder.string().defaultValue('default').optional().build();
const NESTED = SchemaBuilder.struct().field('foo', STRING).build();
const NESTED_VALUE = new Struct(NESTED).put('foo', 'foo-value');

function transform(part: RecordPart, fields: string, headers: string, operation: string, replace = true): HeaderFrom {
  const t = new HeaderFrom(part);
  t.configure({ fields, headers, operation, 'replace.null.with.default': String(replace) });
  return t;
}

/** A record holding `fields` as the key (or value) struct, or as a map when schemaless. */
function build(part: RecordPart, fields: Field[], headers: ConnectHeader[], withSchema: boolean): ConnectRecord {
  let schema: Schema | null = null;
  let value: unknown;
  if (withSchema) {
    const b = SchemaBuilder.struct();
    for (const f of fields) b.field(f.name, f.schema);
    schema = b.build();
    const s = new Struct(schema);
    for (const f of fields) s.put(f.name, f.value);
    value = s;
  } else {
    value = Object.fromEntries(fields.map((f) => [f.name, f.value]));
    headers = headers.map((h) => ({ ...h, schema: null }));
  }
  const base = sourceRecord({ topic: 'topic', kafkaPartition: 0, timestamp: 0, headers, sourcePartition: { foo: 'bar' }, sourceOffset: { baz: 'quxx' }, key: 'key', value: 'value' });
  return part.with(base, schema, value);
}

const f1 = { name: 'field1', schema: STRING, value: 'field1-value' };
const f2 = { name: 'field2', schema: STRING, value: 'field2-value' };
const existing = { key: 'header1', schema: STRING, value: 'existing-value' };
const cases: [string, Field[], ConnectHeader[], string, string, string, boolean, Field[], ConnectHeader[]][] = [
  ['basic copy', [f1, f2], [existing], 'field1', 'inserted1', 'copy', true, [f1, f2], [existing, { key: 'inserted1', schema: STRING, value: 'field1-value' }]],
  ['basic move', [f1, f2], [existing], 'field1', 'inserted1', 'move', true, [f2], [existing, { key: 'inserted1', schema: STRING, value: 'field1-value' }]],
  ['copy with preexisting header', [f1, f2], [{ ...existing, key: 'inserted1' }], 'field1', 'inserted1', 'copy', true, [f1, f2],
    [{ ...existing, key: 'inserted1' }, { key: 'inserted1', schema: STRING, value: 'field1-value' }]],
  ['move with struct value', [{ name: 'field1', schema: NESTED, value: NESTED_VALUE }, f2], [existing], 'field1', 'inserted1', 'move', true, [f2],
    [existing, { key: 'inserted1', schema: NESTED, value: NESTED_VALUE }]],
  ['two headers from same field', [f1, f2], [existing], 'field1,field1', 'inserted1,inserted2', 'move', true, [f2],
    [existing, { key: 'inserted1', schema: STRING, value: 'field1-value' }, { key: 'inserted2', schema: STRING, value: 'field1-value' }]],
  ['two fields to same header', [f1, f2], [existing], 'field1,field2', 'inserted1,inserted1', 'move', true, [],
    [existing, { key: 'inserted1', schema: STRING, value: 'field1-value' }, { key: 'inserted1', schema: STRING, value: 'field2-value' }]],
  ['copy null field without default', [{ ...f1, schema: OPT_DEFAULT }, { name: 'field2', schema: OPT_DEFAULT, value: null }], [existing], 'field1,field2', 'inserted1,inserted2', 'copy', false,
    [{ ...f1, schema: OPT_DEFAULT }, { name: 'field2', schema: OPT_DEFAULT, value: null }],
    [existing, { key: 'inserted1', schema: OPT_DEFAULT, value: 'field1-value' }, { key: 'inserted2', schema: OPT_DEFAULT, value: null }]],
  ['move null field with default', [{ ...f1, schema: OPT_DEFAULT }, { name: 'field2', schema: OPT_DEFAULT, value: null }], [existing], 'field2', 'inserted2', 'move', true,
    [{ ...f1, schema: OPT_DEFAULT }], [existing, { key: 'inserted2', schema: OPT_DEFAULT, value: 'default' }]],
];

describe.each([['key', KEY], ['value', VALUE]] as const)('HeaderFrom on the %s', (_name, part) => {
  it.each(cases)('%s, with schema', (_d, fields, headers, from, to, op, replace, expectedFields, expectedHeaders) => {
    const out = transform(part, from, to, op, replace).apply(build(part, fields, headers, true))!;
    const expected = build(part, expectedFields, expectedHeaders, true);
    expect(out).toEqual(expected);
    expect(part.schema(out)).toEqual(part.schema(expected));
  });

  it.each(cases.filter(([d]) => !d.includes('default')))('%s, schemaless', (_d, fields, headers, from, to, op, replace, expectedFields, expectedHeaders) => {
    const input = build(part, fields, headers, false);
    const out = transform(part, from, to, op, replace).apply(input)!;
    expect(out).toEqual(build(part, expectedFields, expectedHeaders, false));
    expect(part.value(input)).toEqual(Object.fromEntries(fields.map((f) => [f.name, f.value]))); // input untouched
  });

  it('returns the same key/value on copy and fails tombstones, as Kafka does', () => {
    const input = build(part, [f1], [], true);
    expect(part.value(transform(part, 'field1', 'h', 'copy').apply(input)!)).toBe(part.value(input));
    expect(() => transform(part, 'field1', 'h', 'copy').apply(part.with(input, part.schema(input), null))).toThrow('Only Struct objects supported for [header copy], found: null');
    expect(() => transform(part, 'field1', 'h', 'move').apply(part.with(input, null, null))).toThrow('Only Map objects supported in absence of schema for [header move], found: null');
  });

  it('refuses a field the schema lacks', () => {
    expect(() => transform(part, 'nope', 'h', 'copy').apply(build(part, [f1], [], true))).toThrow(DataError);
  });
});

describe('HeaderFrom schemas', () => {
  it('keeps the struct name, version, doc and parameters on move', () => {
    const schema = SchemaBuilder.struct().name('n').version(2).doc('d').parameter('p', 'v').field('a', STRING).field('b', Schemas.INT32).build();
    const out = transform(VALUE, 'a', 'h', 'move').apply(sourceRecord({ topic: 't', valueSchema: schema, value: new Struct(schema).put('a', 'x').put('b', 1) }))!;
    expect(out.valueSchema).toEqual(SchemaBuilder.struct().name('n').version(2).doc('d').parameter('p', 'v').field('b', Schemas.INT32).build());
  });
});

describe('HeaderFrom configuration', () => {
  it.each([
    [{ fields: 'foo,bar', headers: 'foo', operation: 'copy' }, "'fields' config must have the same number of elements as 'headers' config."],
    [{ fields: 'foo', headers: 'foo,bar', operation: 'copy' }, "'fields' config must have the same number of elements as 'headers' config."],
    [{ fields: '', headers: '', operation: 'copy' }, 'Empty list'],
    [{ fields: 'a', headers: 'b', operation: 'rename' }, 'String must be one of: move, copy'],
  ])('refuses %j', (props, message) => {
    const t = new HeaderFrom(VALUE);
    expect(() => t.configure(props)).toThrow(ConfigError);
    expect(() => t.configure(props)).toThrow(message);
  });
});
