import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, Decimal, SchemaBuilder, Schemas, Struct, sourceRecord, type ConnectRecord, type Schema } from '../../src/sdk/index.js';
import { Cast } from '../../transforms/kafka/cast.js';
import { KEY, VALUE } from '../../transforms/support/record-part.js';

const DAY = 86_400_000;

function cast(spec: string, extra: Record<string, string> = {}, part = VALUE): Cast {
  const t = new Cast(part);
  t.configure({ spec, ...extra });
  return t;
}
const value = (schema: Schema | null, v: unknown): ConnectRecord => sourceRecord({ topic: 't', keySchema: Schemas.STRING, key: 'k', valueSchema: schema, value: v });

describe('Cast configuration', () => {
  it.each([
    ['', 'Must specify at least one field to cast.'],
    ['foo:faketype', 'Invalid type found in casting spec: faketype'],
    ['foo:array', 'Cast transformation does not support casting to ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]'],
    ['array', 'does not support casting to ARRAY'],
    ['foo:bytes', 'does not support casting to BYTES'],
    ['foo:int8:extra', 'Invalid rename mapping: foo:int8:extra'],
    ['foo:int8,int32', 'may only specify a single cast in their spec'],
  ])('refuses spec %j', (spec, message) => {
    expect(() => cast(spec)).toThrow(ConfigError);
    expect(() => cast(spec)).toThrow(message);
    expect(() => cast(spec)).toThrow('for configuration spec');
  });

  it('requires spec and accepts types in any case', () => {
    expect(() => new Cast(VALUE).configure({})).toThrow('Missing required configuration "spec"');
    expect(cast(' foo : INT16 ').apply(value(null, { foo: 5 })).value).toEqual({ foo: 5 });
  });
});

describe('Cast of the whole key or value', () => {
  it('passes null keys and values through untouched', () => {
    const r = value(Schemas.OPTIONAL_STRING, null);
    expect(cast('foo:int64').apply(r)).toBe(r);
    const k = sourceRecord({ topic: 't', keySchema: Schemas.OPTIONAL_STRING, key: null, value: 'v' });
    expect(cast('int64', {}, KEY).apply(k)).toBe(k);
  });

  it.each([
    ['int8', Schemas.INT8, 42], ['int16', Schemas.INT16, 42], ['int32', Schemas.INT32, 42], ['int64', Schemas.INT64, 42],
    ['float32', Schemas.FLOAT32, 42], ['float64', Schemas.FLOAT64, 42], ['boolean', Schemas.BOOLEAN, true], ['string', Schemas.STRING, '42'],
  ])('casts an int32 value to %s, with and without schema', (spec, schema, expected) => {
    const out = cast(spec).apply(value(Schemas.INT32, 42));
    expect(out.valueSchema).toEqual(schema);
    expect(out.value).toBe(expected);
    const schemaless = cast(spec).apply(value(null, 42));
    expect(schemaless.valueSchema).toBeNull();
    expect(schemaless.value).toBe(expected);
  });

  it('casts the key with $Key and leaves the value alone', () => {
    const r = sourceRecord({ topic: 't', keySchema: Schemas.INT32, key: 42, valueSchema: Schemas.STRING, value: 'bogus' });
    const out = cast('int8', {}, KEY).apply(r);
    expect(out).toEqual({ ...r, keySchema: Schemas.INT8, key: 42 });
  });

  it('keeps optionality, name and doc, and casts the default', () => {
    const schema = SchemaBuilder.float32().optional().name('my.Amount').doc('amount').defaultValue(-42.125).build();
    const out = cast('int32').apply(value(schema, 42.125));
    expect(out.value).toBe(42);
    expect(out.valueSchema).toEqual(SchemaBuilder.int32().optional().name('my.Amount').doc('amount').defaultValue(-42).build());
  });

  it('drops logical names when casting a logical value as a whole', () => {
    const out = cast('string').apply(value(SchemaBuilder.decimal(0).build(), new Decimal(42n, 0)));
    expect(out.valueSchema).toEqual(Schemas.STRING);
    expect(out.value).toBe('42');
    const ts = cast('string').apply(value(SchemaBuilder.timestamp().build(), new Date(DAY + 1)));
    expect(ts).toMatchObject({ valueSchema: Schemas.STRING, value: '1970-01-02T00:00:00.001Z' });
    expect(cast('int64').apply(value(SchemaBuilder.timestamp().build(), new Date(1234))).value).toBe(1234);
  });

  it('refuses values Connect has no type for, and containers', () => {
    expect(() => cast('int8').apply(value(null, ['foo']))).toThrow('Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]');
    expect(() => cast('int8').apply(value(null, new Date(0)))).toThrow("Cast transformation was passed a value of type Date which is not supported by Connect's data API");
    expect(() => cast('string').apply(value(SchemaBuilder.struct().field('a', Schemas.INT8).build(), new Struct(SchemaBuilder.struct().field('a', Schemas.INT8).build()).put('a', 1)))).toThrow('casting from STRUCT');
  });
});

describe('Java conversions', () => {
  const one = (spec: string, schema: Schema | null, v: unknown): unknown => cast(spec).apply(value(schema, v)).value;

  it('narrows integers by wrapping and floats by truncating and saturating', () => {
    expect(one('int8', Schemas.INT32, 300)).toBe(44);
    expect(one('int16', Schemas.INT64, 2 ** 40 + 5)).toBe(5);
    expect(one('int32', Schemas.INT64, 2 ** 31)).toBe(-(2 ** 31));
    expect(one('int32', Schemas.INT64, 2n ** 62n + 7n)).toBe(7);
    expect(one('int32', Schemas.FLOAT64, -42.9)).toBe(-42);
    expect(one('int32', Schemas.FLOAT64, 1e10)).toBe(2147483647);
    expect(one('int8', Schemas.FLOAT64, 1e10)).toBe(-1);
    expect(one('int64', Schemas.FLOAT64, 1e19)).toBe(2n ** 63n - 1n);
    expect(one('int64', Schemas.FLOAT64, Number.NaN)).toBe(0);
    expect(one('int32', SchemaBuilder.decimal(0).build(), new Decimal(2147483648n, 0))).toBe(-2147483648);
    expect(one('int64', SchemaBuilder.decimal(2).build(), new Decimal(-12345n, 2))).toBe(-123);
  });

  it('parses strings as Java does and throws DataError otherwise', () => {
    expect(one('int32', Schemas.STRING, '-42')).toBe(-42);
    expect(one('int64', Schemas.STRING, '9223372036854775807')).toBe(2n ** 63n - 1n);
    expect(one('float64', Schemas.STRING, ' 1.5e3d ')).toBe(1500);
    expect(one('float32', Schemas.STRING, '0.1')).toBe(Math.fround(0.1));
    expect(one('boolean', Schemas.STRING, 'TRUE')).toBe(true);
    expect(one('boolean', Schemas.STRING, 'yes')).toBe(false);
    for (const bad of ['abc', '1.5', ' 12', '128']) {
      expect(() => one('int8', Schemas.STRING, bad)).toThrow(DataError);
    }
    expect(() => one('int32', Schemas.STRING, 'abc')).toThrow('Value (abc) was out of range for requested data type');
    expect(() => one('float64', Schemas.STRING, 'one')).toThrow(DataError);
  });

  it('casts booleans to 1/0 and numbers to booleans by their long value', () => {
    expect(one('int8', Schemas.BOOLEAN, true)).toBe(1);
    expect(one('float64', Schemas.BOOLEAN, false)).toBe(0);
    expect(one('boolean', Schemas.FLOAT64, 0.5)).toBe(false);
    expect(one('boolean', Schemas.INT64, -3)).toBe(true);
  });

  it('writes strings as Java prints them', () => {
    expect(one('string', Schemas.FLOAT64, 42)).toBe('42.0');
    expect(one('string', Schemas.FLOAT64, 1e10)).toBe('1.0E10');
    expect(one('string', Schemas.FLOAT32, Math.fround(0.1))).toBe('0.1');
    expect(one('string', null, 0.5)).toBe('0.5');
    expect(one('string', Schemas.INT64, 2n ** 62n)).toBe('4611686018427387904');
    expect(one('string', Schemas.BOOLEAN, true)).toBe('true');
    expect(one('string', Schemas.BYTES, Buffer.from([0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10]))).toBe('/ty6mHZUMhA=');
    expect(one('string', SchemaBuilder.decimal(7).build(), new Decimal(1n, 7))).toBe('1E-7');
    expect(one('string', SchemaBuilder.decimal(2).build(), new Decimal(-1234n, 2))).toBe('-12.34');
  });

  it('refuses bytes to anything but string', () => {
    expect(() => one('int32', Schemas.BYTES, Buffer.from([1]))).toThrow('Unexpected type in Cast transformation: bytes');
  });
});

describe('Cast of fields', () => {
  it('casts struct fields with Kafka castFieldsWithSchema expectations', () => {
    const schema = SchemaBuilder.struct().name('rec').version(2)
      .field('int8', Schemas.INT8).field('int16', Schemas.OPTIONAL_INT16).field('int32', SchemaBuilder.int32().defaultValue(2).build())
      .field('int64', Schemas.INT64).field('float32', Schemas.FLOAT32).field('float64', SchemaBuilder.float64().defaultValue(-1.125).build())
      .field('boolean', Schemas.BOOLEAN).field('string', Schemas.STRING).field('bigdecimal', SchemaBuilder.decimal(0).build())
      .field('date', SchemaBuilder.date().build()).field('optional', Schemas.OPTIONAL_FLOAT32).field('timestamp', SchemaBuilder.timestamp().build())
      .field('bytes', Schemas.BYTES).build();
    const struct = new Struct(schema).put('int8', 8).put('int16', 16).put('int32', 32).put('int64', 64).put('float32', 32)
      .put('float64', -64).put('boolean', true).put('string', '42').put('bigdecimal', new Decimal(42n, 0)).put('date', new Date(DAY))
      .put('timestamp', new Date(0)).put('bytes', Buffer.from([0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10]));
    const t = cast('int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,bigdecimal:string,date:string,optional:int32,bytes:string');
    const out = t.apply(value(schema, struct));
    const expected = SchemaBuilder.struct().name('rec').version(2)
      .field('int8', Schemas.INT16).field('int16', Schemas.OPTIONAL_INT32).field('int32', SchemaBuilder.int64().defaultValue(2).build())
      .field('int64', Schemas.BOOLEAN).field('float32', Schemas.FLOAT64).field('float64', SchemaBuilder.bool().defaultValue(true).build())
      .field('boolean', Schemas.INT8).field('string', Schemas.INT32).field('bigdecimal', Schemas.STRING).field('date', Schemas.STRING)
      .field('optional', Schemas.OPTIONAL_INT32).field('timestamp', SchemaBuilder.timestamp().build()).field('bytes', Schemas.STRING).build();
    expect(out.valueSchema).toEqual(expected);
    const v = out.value as Struct;
    expect(v.schema).toBe(out.valueSchema);
    expect(expected.fields!.map((f) => v.get(f.name))).toEqual([8, 16, 32, true, 32, true, 1, 42, '42', '1970-01-02', null, new Date(0), '/ty6mHZUMhA=']);
    expect(t.apply(value(schema, struct)).valueSchema).toBe(out.valueSchema); // derived once per schema
  });

  it('casts logical fields to their int representation', () => {
    const schema = SchemaBuilder.struct().field('date', SchemaBuilder.date().build()).field('time', SchemaBuilder.time().build())
      .field('ts', SchemaBuilder.timestamp().optional().build()).field('dec', SchemaBuilder.decimal(0).build()).build();
    const struct = new Struct(schema).put('date', new Date(DAY)).put('time', new Date(1)).put('ts', null).put('dec', new Decimal(2147483648n, 0));
    const out = cast('date:int32,time:int64,ts:int32,dec:int32').apply(value(schema, struct));
    expect((out.value as Struct).valueAt(0)).toBe(1);
    expect([1, 2, 3].map((i) => (out.value as Struct).valueAt(i))).toEqual([1, null, -2147483648]);
    expect(out.valueSchema!.fields!.map((f) => [f.schema.type, f.schema.optional, f.schema.name])).toEqual([['int32', false, undefined], ['int64', false, undefined], ['int32', true, undefined], ['int32', false, undefined]]);
  });

  it.each([[true, '10'], [false, null]])('replace.null.with.default=%s', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('magic', SchemaBuilder.int32().optional().defaultValue(10).build()).build();
    const out = cast('magic:string', { 'replace.null.with.default': String(replace) }).apply(value(schema, new Struct(schema).put('magic', null)));
    expect(out.valueSchema!.fields![0]!.schema).toEqual(SchemaBuilder.string().optional().defaultValue('10').build());
    expect((out.value as Struct).getWithoutDefault('magic')).toBe(expected);
  });

  it('casts the default struct of an optional struct schema field by field', () => {
    const base = SchemaBuilder.struct().optional().field('n', Schemas.INT32);
    const dflt = new Struct(base.build()).put('n', 7);
    const schema = base.defaultValue(dflt).build();
    const out = cast('n:string').apply(value(schema, new Struct(schema).put('n', 1)));
    expect(out.valueSchema!.optional).toBe(true);
    expect((out.valueSchema!.defaultValue as Struct).get('n')).toBe('7');
    expect((out.value as Struct).get('n')).toBe('1');
  });

  it('casts map entries without a schema, adding a null for a missing field', () => {
    const input = { int8: 8, int64: 64, float64: -64, boolean: true, string: '42', other: 'x' };
    const out = cast('int8:int16,int64:boolean,float64:boolean,boolean:int8,string:int32,missing:int8').apply(value(null, input));
    expect(out.value).toEqual({ int8: 8, int64: true, float64: true, boolean: 1, string: 42, other: 'x', missing: null });
    expect(input.int8).toBe(8);
    expect(() => cast('a:int8').apply(value(null, 'text'))).toThrow('Only Map objects supported in absence of schema for [cast types], found: string');
  });

  it('requires a struct when a schema is present', () => {
    expect(() => cast('a:int8').apply(value(Schemas.INT32, 5))).toThrow(DataError);
  });
});
