import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, Decimal, SchemaBuilder, Schemas, sourceRecord, Struct } from '../../src/sdk/index.js';
import { MaskField } from '../../transforms/kafka/mask-field.js';
import { KEY, VALUE } from '../../transforms/support/record-part.js';

function make(fields: string, replacement?: string, part = VALUE): MaskField {
  const t = new MaskField(part);
  t.configure({ fields, ...(replacement === undefined ? {} : { replacement }), 'replace.null.with.default': 'false' });
  return t;
}

const SCHEMA = SchemaBuilder.struct()
  .field('magic', Schemas.INT32)
  .field('bool', Schemas.BOOLEAN)
  .field('byte', Schemas.INT8)
  .field('short', Schemas.INT16)
  .field('int', Schemas.INT32)
  .field('long', Schemas.INT64)
  .field('float', Schemas.FLOAT32)
  .field('double', Schemas.FLOAT64)
  .field('string', Schemas.STRING)
  .field('date', SchemaBuilder.date().build())
  .field('time', SchemaBuilder.time().build())
  .field('timestamp', SchemaBuilder.timestamp().build())
  .field('decimal', SchemaBuilder.decimal(2).build())
  .field('array', SchemaBuilder.array(Schemas.INT32).build())
  .field('map', SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build())
  .field('bytes', Schemas.OPTIONAL_BYTES)
  .field('withDefault', SchemaBuilder.string().optional().defaultValue('default').build())
  .build();

const now = new Date(1_700_000_000_000);
const STRUCT = new Struct(SCHEMA)
  .put('magic', 42).put('bool', true).put('byte', 42).put('short', 42).put('int', 42).put('long', 42).put('float', 42.5).put('double', 42.5)
  .put('string', 'hmm').put('date', new Date(86_400_000)).put('time', new Date(1000)).put('timestamp', now)
  .put('decimal', new Decimal(4200n, 2)).put('array', [1, 2, 3]).put('map', new Map([['what', 'what']])).put('bytes', null).put('withDefault', null);

const VALUES = {
  magic: 42, bool: true, int: 42, double: 42.5, big: 42n, string: '55.121.20.20', date: now,
  decimal: new Decimal(420n, 1), list: [42], map: { key: 'value' }, jsmap: new Map([['k', 'v']]),
};

const withSchema = (t: MaskField) => t.apply(sourceRecord({ topic: 't', valueSchema: SCHEMA, value: STRUCT })).value as Struct;
const schemaless = (t: MaskField) => t.apply(sourceRecord({ topic: 't', value: VALUES })).value as Record<string, unknown>;

describe('MaskField config', () => {
  it('requires a non-empty fields list', () => {
    expect(() => new MaskField(VALUE).configure({})).toThrow('Missing required configuration "fields" which has no default value.');
    expect(() => new MaskField(VALUE).configure({ fields: '' })).toThrow('Invalid value [] for configuration fields: Empty list');
  });

  it('refuses an empty replacement', () => {
    expect(() => make('short', '')).toThrow(new ConfigError('Invalid value  for configuration replacement: String must be non-empty', { key: 'replacement' }));
  });
});

describe('MaskField with schema', () => {
  it('masks every type with its empty value; nulls stay null', () => {
    const names = SCHEMA.fields!.map((f) => f.name).filter((n) => n !== 'magic' && n !== 'bytes');
    const v = withSchema(make(names.join(',')));
    expect(v.schema).toBe(SCHEMA);
    expect(v.get('magic')).toBe(42);
    expect(v.get('bool')).toBe(false);
    for (const n of ['byte', 'short', 'int', 'long', 'float', 'double']) expect(v.get(n)).toBe(0);
    expect(v.get('string')).toBe('');
    for (const n of ['date', 'time', 'timestamp']) expect(v.get(n)).toEqual(new Date(0));
    expect(v.get('decimal')).toEqual(new Decimal(0n, 2));
    expect(v.get('array')).toEqual([]);
    expect(v.get('map')).toEqual(new Map());
    expect(v.getWithoutDefault('withDefault')).toBeNull();
  });

  it('gives each record its own empty array and map', () => {
    const t = make('array,map');
    const a = withSchema(t);
    const b = withSchema(t);
    expect(a.get('array')).not.toBe(b.get('array'));
    expect(a.get('map')).not.toBe(b.get('map'));
  });

  it('masks a null field whose default applies only with replace.null.with.default', () => {
    const t = new MaskField(VALUE);
    t.configure({ fields: 'withDefault' });
    expect(withSchema(t).getWithoutDefault('withDefault')).toBe('');
  });

  it('refuses bytes only when there is a value', () => {
    expect(withSchema(make('bytes')).get('bytes')).toBeNull();
    const s = SchemaBuilder.struct().field('b', Schemas.BYTES).build();
    expect(() => make('b').apply(sourceRecord({ topic: 't', valueSchema: s, value: new Struct(s).put('b', Buffer.from('x')) }))).toThrow(
      new DataError('Cannot mask value of type: bytes'),
    );
  });

  it('converts the replacement to the field type', () => {
    const cases: [string, string, unknown][] = [
      ['byte', '123', 123], ['short', '123', 123], ['int', '123', 123], ['long', '123', 123],
      ['float', '123.0', 123], ['double', '1.5', 1.5], ['string', '123', '123'],
      ['int', '123.9', 123], ['int', '-1e2', -100], ['byte', '300', 44], ['long', '9223372036854775807', 9223372036854775807n],
      ['float', '0.1', Math.fround(0.1)],
    ];
    for (const [field, replacement, want] of cases) expect(withSchema(make(field, replacement)).get(field)).toBe(want);
    expect(withSchema(make('decimal', '123.0')).get('decimal')).toEqual(new Decimal(12300n, 2));
    expect(withSchema(make('decimal', '1.234')).get('decimal')).toEqual(new Decimal(1234n, 3));
  });

  it('refuses a replacement for types that do not take one', () => {
    for (const [field, kind] of [['time', 'org.apache.kafka.connect.data.Time'], ['timestamp', 'org.apache.kafka.connect.data.Timestamp'], ['array', 'array'], ['bool', 'boolean']]) {
      expect(() => withSchema(make(field!, '123'))).toThrow(new DataError(`Cannot mask value of type ${kind} with custom replacement.`));
    }
  });

  it('refuses a replacement that is not a number for a numeric field', () => {
    for (const field of ['byte', 'short', 'int', 'long', 'float', 'double']) {
      expect(() => withSchema(make(field, 'foo'))).toThrow(new DataError('Unable to convert foo (string) to a number'));
    }
    expect(() => withSchema(make('decimal', 'foo'))).toThrow(new DataError('Unable to convert foo (string) to number'));
    expect(withSchema(make('string,int', '5')).get('int')).toBe(5);
    expect(() => withSchema(make('string,int', 'foo'))).toThrow(DataError);
  });

  it('fails on a tombstone, as Kafka does', () => {
    expect(() => make('int').apply(sourceRecord({ topic: 't', valueSchema: SCHEMA, value: null }))).toThrow(
      'Only Struct objects supported for [mask fields], found: null',
    );
  });

  it('works on the key', () => {
    const s = SchemaBuilder.struct().field('ssn', Schemas.STRING).build();
    const out = make('ssn', '***', KEY).apply(sourceRecord({ topic: 't', keySchema: s, key: new Struct(s).put('ssn', '123'), value: 'v' }));
    expect(out.keySchema).toBe(s);
    expect((out.key as Struct).get('ssn')).toBe('***');
    expect(out.value).toBe('v');
  });
});

describe('MaskField schemaless', () => {
  it('masks by JS type and adds absent fields as null', () => {
    const fields = Object.keys(VALUES).filter((k) => k !== 'magic');
    const v = schemaless(make([...fields, 'absent'].join(',')));
    expect(v).toEqual({
      magic: 42, bool: false, int: 0, double: 0, big: 0n, string: '', date: new Date(0),
      decimal: new Decimal(0n, 0), list: [], map: {}, jsmap: new Map(), absent: null,
    });
    expect(VALUES.bool).toBe(true);
  });

  it('converts the replacement: integral numbers as long, others as double', () => {
    const cases: [string, string, unknown][] = [
      ['int', '123', 123], ['int', '123.7', 123], ['double', '123.7', 123.7], ['big', '123', 123n], ['string', '123', '123'],
    ];
    for (const [field, replacement, want] of cases) expect(schemaless(make(field, replacement))[field]).toBe(want);
    expect(schemaless(make('decimal', '123.0')).decimal).toEqual(new Decimal(1230n, 1));
  });

  it('refuses unsupported replacements and types', () => {
    expect(() => schemaless(make('date', '1'))).toThrow(new DataError('Cannot mask value of type Date with custom replacement.'));
    expect(() => schemaless(make('int,date', '1'))).toThrow(DataError);
    expect(() => schemaless(make('bool', 'false'))).toThrow(new DataError('Cannot mask value of type boolean with custom replacement.'));
    expect(() => schemaless(make('list', '1'))).toThrow(new DataError('Cannot mask value of type array with custom replacement.'));
    expect(() => schemaless(make('map', '1'))).toThrow(new DataError('Cannot mask value of type Map with custom replacement.'));
    expect(() => schemaless(make('int', 'foo'))).toThrow(new DataError('Unable to convert foo (string) to a number'));
    expect(() => make('b').apply(sourceRecord({ topic: 't', value: { b: Buffer.from('x') } }))).toThrow(new DataError('Cannot mask value of type: bytes'));
  });

  it('fails on a tombstone, as Kafka does', () => {
    expect(() => make('a').apply(sourceRecord({ topic: 't' }))).toThrow('Only Map objects supported in absence of schema for [mask fields], found: null');
  });
});
