import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Schema,
  ConfigError,
  DataError,
  Decimal,
  SchemaBuilder,
  Schemas,
  Struct,
  valuesEqual,
} from '../../src/sdk/index.js';
import { ENVELOPE_REQUIRED_MESSAGE, JsonConverter } from '../../src/runtime/converters/index.js';

const T = 'orders';
const DAY = 86_400_000;

function converter(settings: Record<string, string> = {}, isKey = false): JsonConverter {
  const c = new JsonConverter();
  c.configure(settings, isKey);
  return c;
}

const write = (c: JsonConverter, schema: Schema | null, value: unknown): string | null => c.fromConnectData(T, schema, value)?.toString('utf8') ?? null;
const read = (c: JsonConverter, text: string) => c.toConnectData(T, Buffer.from(text, 'utf8'));

function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('JsonConverter golden bytes (literal Kafka Connect output)', () => {
  it('writes the string record of the Kafka quickstart (docs/quickstart.html)', () => {
    expect(write(converter(), Schemas.STRING, 'foo')).toBe('{"schema":{"type":"string","optional":false},"payload":"foo"}');
  });

  it('writes a Debezium key struct exactly as Kafka Connect does', () => {
    const s = SchemaBuilder.struct().name('dbserver1.inventory.customers.Key').field('id', Schemas.INT32).build();
    const golden = '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"dbserver1.inventory.customers.Key"},"payload":{"id":1004}}';
    const c = converter({}, true);
    expect(write(c, s, new Struct(s).put('id', 1004))).toBe(golden);
    const back = read(c, golden);
    expect((back.value as Struct).get('id')).toBe(1004);
    expect(back.schema?.name).toBe('dbserver1.inventory.customers.Key');
  });

  // A record captured from kafka-console-consumer behind Kafka Connect + Debezium (Postgres).
  const ORDERS_GOLDEN =
    '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"order_id"},{"type":"string","optional":false,"field":"customer_name"},{"type":"string","optional":false,"field":"product"},{"type":"int32","optional":false,"field":"quantity"},{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"price"},{"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"default":0,"field":"order_date"},{"type":"string","optional":true,"default":"PENDING","field":"status"},{"type":"string","optional":true,"field":"__deleted"}],"optional":false,"name":"postgres.public.orders.Value"},"payload":{"order_id":2,"customer_name":"Jane Smith","product":"Mouse","quantity":2,"price":"CfY=","order_date":1767610078945635,"status":"PENDING","__deleted":"false"}}';

  function ordersSchema(): Schema {
    return SchemaBuilder.struct().name('postgres.public.orders.Value')
      .field('order_id', SchemaBuilder.int32().defaultValue(0).build())
      .field('customer_name', Schemas.STRING)
      .field('product', Schemas.STRING)
      .field('quantity', Schemas.INT32)
      .field('price', SchemaBuilder.decimal(2).parameter('connect.decimal.precision', '10').build())
      .field('order_date', SchemaBuilder.int64().optional().name('io.debezium.time.MicroTimestamp').version(1).defaultValue(0).build())
      .field('status', SchemaBuilder.string().optional().defaultValue('PENDING').build())
      .field('__deleted', Schemas.OPTIONAL_STRING)
      .build();
  }

  it('writes a Debezium change row with decimals, defaults and parameters byte for byte', () => {
    const s = ordersSchema();
    const v = new Struct(s).put('order_id', 2).put('customer_name', 'Jane Smith').put('product', 'Mouse').put('quantity', 2)
      .put('price', new Decimal(2550n, 2)).put('order_date', 1767610078945635).put('status', 'PENDING').put('__deleted', 'false');
    expect(write(converter(), s, v)).toBe(ORDERS_GOLDEN);
  });

  it('reads that record back into the same schema and values, and re-writes it unchanged', () => {
    const c = converter();
    const r = read(c, ORDERS_GOLDEN);
    const v = r.value as Struct;
    expect(v.get('price')).toEqual(new Decimal(2550n, 2));
    expect(v.get('order_date')).toBe(1767610078945635);
    expect(r.schema!.fields!.map((f) => f.name)).toEqual(['order_id', 'customer_name', 'product', 'quantity', 'price', 'order_date', 'status', '__deleted']);
    expect(r.schema!.fields![0]!.schema.defaultValue).toBe(0);
    expect(r.schema!.fields![4]!.schema.parameters).toEqual({ scale: '2', 'connect.decimal.precision': '10' });
    expect(write(c, r.schema, r.value)).toBe(ORDERS_GOLDEN);
  });

  it('orders schema members as Kafka: type, items/keys/values, optional, name, version, doc, parameters, default', () => {
    const c = converter();
    expect(write(c, SchemaBuilder.array(Schemas.INT32).build(), [1, 2, 3]))
      .toBe('{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}');
    expect(write(c, SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build(), new Map([['key1', 12], ['key2', 15]])))
      .toBe('{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}');
    expect(write(c, SchemaBuilder.map(Schemas.INT32, Schemas.INT32).build(), new Map([[1, 12], [2, 15]])))
      .toBe('{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}');
    const full = SchemaBuilder.bool().name('bool').version(3).doc('the documentation').parameter('foo', 'bar').defaultValue(true).build();
    expect(write(c, full, true))
      .toBe('{"schema":{"type":"boolean","optional":false,"name":"bool","version":3,"doc":"the documentation","parameters":{"foo":"bar"},"default":true},"payload":true}');
  });

  it('encodes logical types as Kafka (values from Kafka\'s JsonConverterTest)', () => {
    const c = converter();
    expect(write(c, SchemaBuilder.decimal(2).build(), new Decimal(156n, 2)))
      .toBe('{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}');
    expect(write(c, SchemaBuilder.date().build(), new Date(10000 * DAY)))
      .toBe('{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}');
    expect(write(c, SchemaBuilder.time().build(), new Date(14400000)))
      .toBe('{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}');
    expect(write(c, SchemaBuilder.timestamp().build(), new Date(4000000000)))
      .toBe('{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}');
  });

  it('writes floats as Java does (Double/Float.toString) and bytes as base64', () => {
    const c = converter({ 'schemas.enable': 'false' });
    expect(write(c, Schemas.FLOAT64, 1)).toBe('1.0');
    expect(write(c, Schemas.FLOAT64, 12.34)).toBe('12.34');
    expect(write(c, Schemas.FLOAT64, 1e7)).toBe('1.0E7');
    expect(write(c, Schemas.FLOAT64, 0.0001)).toBe('1.0E-4');
    expect(write(c, Schemas.FLOAT64, -0)).toBe('-0.0');
    expect(write(c, Schemas.FLOAT64, Number.MIN_VALUE)).toBe('4.9E-324');
    expect(write(c, Schemas.FLOAT32, Math.fround(12.34))).toBe('12.34');
    expect(write(c, Schemas.FLOAT32, 0.1)).toBe('0.1');
    expect(write(c, Schemas.FLOAT64, NaN)).toBe('"NaN"');
    expect(write(c, Schemas.FLOAT64, -Infinity)).toBe('"-Infinity"');
    expect(write(c, Schemas.BYTES, Buffer.from('test-string'))).toBe('"dGVzdC1zdHJpbmc="');
  });

  it('escapes strings as Jackson: short escapes, upper-case \\u00XX, non-ASCII verbatim', () => {
    const c = converter({ 'schemas.enable': 'false' });
    expect(write(c, Schemas.STRING, 'a"b\\c\n\t\u0001\u001f/é€😀')).toBe('"a\\"b\\\\c\\n\\t\\u0001\\u001F/é€😀"');
    expect(read(c, '"a\\"b\\\\c\\n\\t\\u0001\\u001F\\/é€😀"').value).toBe('a"b\\c\n\t\u0001\u001f/é€😀');
  });
});

describe('JsonConverter reading Kafka Connect input', () => {
  const c = converter();

  it.each([
    ['{ "schema": { "type": "boolean" }, "payload": true }', Schemas.BOOLEAN, true],
    ['{ "schema": { "type": "int8" }, "payload": 12 }', Schemas.INT8, 12],
    ['{ "schema": { "type": "int16" }, "payload": 000123 }', Schemas.INT16, 123],
    ['{ "schema": { "type": "int32" }, "payload": 000012345 }', Schemas.INT32, 12345],
    ['{ "schema": { "type": "int64" }, "payload": 4398046511104 }', Schemas.INT64, 4398046511104],
    ['{ "schema": { "type": "float" }, "payload": 12.34 }', Schemas.FLOAT32, Math.fround(12.34)],
    ['{ "schema": { "type": "double" }, "payload": 12.34 }', Schemas.FLOAT64, 12.34],
    ['{ "schema": { "type": "double" }, "payload": "NaN" }', Schemas.FLOAT64, NaN],
    ['{ "schema": { "type": "string" }, "payload": "foo-bar-baz" }', Schemas.STRING, 'foo-bar-baz'],
    ['{ "schema": { "type": "bytes" }, "payload": "dGVzdC1zdHJpbmc=" }', Schemas.BYTES, Buffer.from('test-string')],
    ['{ "schema": { "type": "boolean", "optional": true }, "payload": null }', Schemas.OPTIONAL_BOOLEAN, null],
  ])('%s', (text, schema, value) => {
    const r = read(c, text);
    expect(r.schema).toEqual(schema);
    if (typeof value === 'number' && Number.isNaN(value)) expect(r.value).toBeNaN();
    else expect(valuesEqual(r.value, value)).toBe(true);
  });

  it('reads schema metadata, arrays, maps in both encodings and structs', () => {
    const meta = read(c, '{ "schema": { "type": "boolean", "optional": false, "name": "bool", "version": 2, "doc": "the documentation", "parameters": { "foo": "bar" }}, "payload": true }');
    expect(meta.schema).toEqual(SchemaBuilder.bool().name('bool').version(2).doc('the documentation').parameter('foo', 'bar').build());
    expect(read(c, '{ "schema": { "type": "array", "items": { "type" : "int32" } }, "payload": [1, 2, 3] }').value).toEqual([1, 2, 3]);
    expect(read(c, '{ "schema": { "type": "map", "keys": { "type" : "string" }, "values": { "type" : "int32" } }, "payload": { "key1": 12, "key2": 15} }').value)
      .toEqual(new Map([['key1', 12], ['key2', 15]]));
    expect(read(c, '{ "schema": { "type": "map", "keys": { "type" : "int32" }, "values": { "type" : "int32" } }, "payload": [ [1, 12], [2, 15] ] }').value)
      .toEqual(new Map([[1, 12], [2, 15]]));
    const r = read(c, '{ "schema": { "type": "struct", "fields": [{ "field":"optional", "type": "string", "optional": true }, {  "field": "required", "type": "string" }] }, "payload": { "required": "required" } }');
    const expected = SchemaBuilder.struct().field('optional', Schemas.OPTIONAL_STRING).field('required', Schemas.STRING).build();
    expect(r.schema).toEqual(expected);
    expect((r.value as Struct).equals(new Struct(expected).put('required', 'required'))).toBe(true);
  });

  it('reads decimals in either encoding whatever decimal.format says, at the schema scale', () => {
    const schema = '"type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "%s" }';
    const msg = (scale: number, payload: string) => `{ "schema": { ${schema.replace('%s', String(scale))} }, "payload": ${payload} }`;
    expect(read(c, msg(2, '"AJw="')).value).toEqual(new Decimal(156n, 2));
    expect(read(c, msg(2, '1.56')).value).toEqual(new Decimal(156n, 2));
    expect(read(c, msg(4, '1.5600')).value).toEqual(new Decimal(15600n, 4));
    expect(read(c, msg(17, '1.23456789123456789')).value).toEqual(new Decimal(123456789123456789n, 17));
    expect(read(c, msg(2, '3')).value).toEqual(new Decimal(300n, 2));
    expect(read(converter({ 'decimal.format': 'NUMERIC' }), msg(2, '"AJw="')).value).toEqual(new Decimal(156n, 2));
    expect(read(c, msg(2, '"/w=="')).value).toEqual(new Decimal(-1n, 2));
  });

  it('reads defaults for null payloads, converted to their logical type', () => {
    expect(read(c, '{ "schema": { "type": "boolean", "default": true }, "payload": null }').value).toBe(true);
    expect(read(c, '{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "default": "AJw=", "parameters": { "scale": "2" } }, "payload": null }').value)
      .toEqual(new Decimal(156n, 2));
    expect(read(c, '{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1, "default": 0 }, "payload": null }').value).toEqual(new Date(0));
    expect(read(c, '{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1, "default": 42 }, "payload": null }').value).toEqual(new Date(42));
  });

  it('caches schemas read, keyed by their text, up to schemas.cache.size', () => {
    const small = converter({ 'schemas.cache.size': '2' });
    read(small, '{ "schema": { "type": "boolean" }, "payload": true }');
    read(small, '{ "schema": { "type": "boolean" }, "payload": false }');
    expect(small.schemaCacheSizes().toConnect).toBe(1);
    read(small, '{ "schema": { "type": "boolean", "optional": true }, "payload": true }');
    read(small, '{ "schema": { "type": "boolean", "optional": false }, "payload": true }');
    expect(small.schemaCacheSizes().toConnect).toBe(2);
    write(small, Schemas.BOOLEAN, true);
    write(small, Schemas.BOOLEAN, false);
    expect(small.schemaCacheSizes().fromConnect).toBe(1);
  });
});

describe('JsonConverter int64 precision', () => {
  const c = converter();
  const i64 = (payload: string) => read(c, `{"schema":{"type":"int64","optional":false},"payload":${payload}}`).value;

  it('writes bigint int64 values exactly', () => {
    expect(write(c, Schemas.INT64, 9223372036854775807n)).toBe('{"schema":{"type":"int64","optional":false},"payload":9223372036854775807}');
    expect(write(c, Schemas.INT64, -9223372036854775808n)).toBe('{"schema":{"type":"int64","optional":false},"payload":-9223372036854775808}');
  });

  it('reads integers beyond 2^53 as exact bigints and smaller ones as numbers', () => {
    expect(i64('9223372036854775807')).toBe(9223372036854775807n);
    expect(i64('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(i64('9007199254740993')).toBe(9007199254740993n);
    expect(i64('9007199254740991')).toBe(9007199254740991);
    expect(i64('-42')).toBe(-42);
  });

  it('rejects int64 values out of range, on read and write', () => {
    expect(dataError(() => i64('9223372036854775808')).message).toBe('value on topic "orders": 9223372036854775808 is out of the range of int64');
    expect(() => write(c, Schemas.INT64, 2n ** 63n)).toThrow(DataError);
    expect(() => write(c, Schemas.INT64, 2 ** 60)).toThrow(/does not match schema type int64/);
  });

  it('keeps big integers exact in schemaless mode too', () => {
    const plain = converter({ 'schemas.enable': 'false' });
    expect(read(plain, '{"id":12345678901234567890,"n":7}').value).toEqual({ id: 12345678901234567890n, n: 7 });
    expect(write(plain, null, { id: 12345678901234567890n })).toBe('{"id":12345678901234567890}');
  });
});

describe('JsonConverter decimal.format', () => {
  const s = SchemaBuilder.decimal(2).build();
  const numeric = converter({ 'decimal.format': 'numeric', 'schemas.enable': 'false' });
  const base64 = converter({ 'schemas.enable': 'false' });

  it('writes NUMERIC decimals as exact JSON numbers, in BigDecimal.toString form', () => {
    expect(write(numeric, s, new Decimal(156n, 2))).toBe('1.56');
    expect(write(numeric, SchemaBuilder.decimal(4).build(), new Decimal(15600n, 4))).toBe('1.5600');
    expect(write(numeric, SchemaBuilder.decimal(20).build(), new Decimal(12345678901234567890123n, 20))).toBe('123.45678901234567890123');
    expect(write(numeric, SchemaBuilder.decimal(10).build(), new Decimal(123n, 10))).toBe('1.23E-8');
    expect(write(numeric, SchemaBuilder.decimal(2).build(), new Decimal(-5n, 2))).toBe('-0.05');
  });

  it('writes BASE64 decimals as minimal two\'s-complement bytes', () => {
    expect(write(base64, s, new Decimal(156n, 2))).toBe('"AJw="');
    expect(write(base64, s, new Decimal(-1n, 2))).toBe('"/w=="');
    expect(write(base64, s, new Decimal(0n, 2))).toBe('"AA=="');
    expect(write(base64, s, new Decimal(-129n, 2))).toBe('"/38="');
  });

  it('rescales a decimal to the schema when no digits are lost, and fails otherwise', () => {
    expect(write(base64, s, new Decimal(15n, 1))).toBe('"AJY="');
    expect(dataError(() => write(base64, s, new Decimal(1234n, 3))).message)
      .toBe('value on topic "orders": Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 3.');
    const enveloped = converter();
    expect(dataError(() => read(enveloped, '{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":1.234}')).message)
      .toBe('value on topic "orders": Decimal value 1.234 has more fraction digits than the schema\'s scale 2');
  });

  it('reads numbers with hostile exponents and scales as clear errors or exact values, without expanding them', () => {
    // Each of these once made the reader compute 10^(exponent): minutes of CPU and gigabytes for one record.
    const c = converter();
    const env = (schema: string, payload: string) => `{"schema":${schema},"payload":${payload}}`;
    const dec = (scale: string) => `{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"${scale}"}}`;
    expect(dataError(() => read(c, env('{"type":"int32"}', '1e398748891'))).message)
      .toBe('value on topic "orders": decimal number "1e398748891" moves its point more than 16383 places');
    expect(dataError(() => read(c, env('{"type":"int64"}', '-7E-999999999'))).message)
      .toBe('value on topic "orders": decimal number "-7E-999999999" moves its point more than 16383 places');
    expect(read(c, env('{"type":"int64"}', '0e999999999')).value).toBe(0);
    expect(read(c, env('{"type":"int64"}', '-0.0E-999999999')).value).toBe(0);
    expect(dataError(() => read(c, env('{"type":"int64"}', '1e16383'))).message).toBe('value on topic "orders": 1e16383 is out of the range of int64');
    expect(dataError(() => read(c, env(dec('2'), '5e-999999999'))).message)
      .toBe('value on topic "orders": decimal number "5e-999999999" moves its point more than 16383 places');
    expect(read(c, env(dec('2'), '5e100')).value).toEqual(new Decimal(5n * 10n ** 102n, 2));
    expect(dataError(() => read(c, env(dec('2147483647'), '1'))).message)
      .toBe('value on topic "orders": Decimal schemas with a scale beyond ±16383 (2147483647) are not supported');
    expect(dataError(() => c.fromConnectData(T, SchemaBuilder.decimal(2).build(), new Decimal(1n, 1_000_000))).message)
      .toBe('value on topic "orders": Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 1000000.');
    expect(read(converter({ 'schemas.enable': 'false' }), '1e398748891').value).toBe(Infinity);
  });

  it('writes and reads a Decimal with a negative scale, as Kafka does (the scale parameter is negative)', () => {
    for (const format of ['BASE64', 'NUMERIC']) {
      const c = converter({ 'decimal.format': format });
      const schema = SchemaBuilder.decimal(-400).build();
      const bytes = c.fromConnectData(T, schema, new Decimal(15n, -400))!;
      expect(bytes.toString()).toContain('"scale":"-400"');
      expect(bytes.toString()).toContain(format === 'NUMERIC' ? '"payload":1.5E+401' : '"payload":"Dw=="');
      expect(c.toConnectData(T, bytes).value).toEqual(new Decimal(15n, -400));
    }
  });

  it.each([['BASE64'], ['NUMERIC']])('round-trips decimals beyond double precision (%s)', (format) => {
    const c = converter({ 'decimal.format': format });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), (scale, unscaled) => {
        const schema = SchemaBuilder.decimal(scale).build();
        expect(c.toConnectData(T, c.fromConnectData(T, schema, new Decimal(unscaled, scale))).value).toEqual(new Decimal(unscaled, scale));
      }),
    );
  });
});

describe('JsonConverter schemaless mode and tombstones', () => {
  const plain = converter({ 'schemas.enable': 'false' });

  it('writes plain JS values as plain JSON', () => {
    const v = { a: 1, b: 'x', c: [true, null, 1.5], d: Buffer.from([1, 2, 3]), e: new Map([['k', 1]]), f: { g: null } };
    expect(write(plain, null, v)).toBe('{"a":1,"b":"x","c":[true,null,1.5],"d":"AQID","e":{"k":1},"f":{"g":null}}');
    expect(write(plain, null, new Map<unknown, unknown>([['string', 12], [52, 'string']]))).toBe('[["string",12],[52,"string"]]');
    const s = SchemaBuilder.struct().field('id', Schemas.INT32).build();
    expect(write(plain, null, new Struct(s).put('id', 7))).toBe('{"id":7}');
    expect(() => write(plain, null, () => 1)).toThrow(/does not have a corresponding schema type/);
  });

  it('reads plain JSON as plain JS values', () => {
    expect(read(plain, '{ "a": "", "b": null}')).toEqual({ schema: null, value: { a: '', b: null } });
    expect(read(plain, 'true')).toEqual({ schema: null, value: true });
    expect(read(plain, '[1, "2", 12.24]').value).toEqual([1, '2', 12.24]);
    const odd = read(plain, '{"__proto__":{"polluted":1}}').value as object;
    expect(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('wraps schemaless data in an envelope with a null schema when schemas are enabled', () => {
    const c = converter();
    expect(write(c, null, [1, 'string', true])).toBe('{"schema":null,"payload":[1,"string",true]}');
    expect(read(c, '{ "schema": null, "payload": { "field1": 1, "field2": 2} }')).toEqual({ schema: null, value: { field1: 1, field2: 2 } });
    expect(read(c, '{ "schema": null, "payload": null }')).toEqual({ schema: null, value: null });
  });

  it('keeps tombstones tombstones in both directions', () => {
    for (const c of [converter(), plain]) {
      expect(c.fromConnectData(T, null, null)).toBeNull();
      expect(c.fromConnectData(T, Schemas.OPTIONAL_STRING, null)).toBeNull();
      expect(c.toConnectData(T, null)).toEqual({ schema: null, value: null });
    }
    expect(plain.toConnectData(T, Buffer.alloc(0))).toEqual({ schema: null, value: null });
  });
});

describe('JsonConverter defaults (replace.null.with.default)', () => {
  const s = SchemaBuilder.struct().field('field1', SchemaBuilder.string().optional().defaultValue('default').build()).build();
  const nullField = '{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":null}}';

  it('writes the default for a null field by default, and null when disabled', () => {
    expect(write(converter(), s, new Struct(s))).toBe('{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":"default"}}');
    expect(write(converter({ 'replace.null.with.default': 'false' }), s, new Struct(s))).toBe(nullField);
  });

  it('reads a null field as the default by default, and as null when disabled', () => {
    expect((read(converter(), nullField).value as Struct).getWithoutDefault('field1')).toBe('default');
    expect((read(converter({ 'replace.null.with.default': 'false' }), nullField).value as Struct).getWithoutDefault('field1')).toBeNull();
  });

  it('fails a required field with a default that is null when replacing is disabled', () => {
    const c = converter({ 'replace.null.with.default': 'false' });
    expect(dataError(() => read(c, '{"schema":{"type":"struct","fields":[{"type":"int32","default":5,"field":"n"}]},"payload":{"n":null}}')).message)
      .toBe('value.n on topic "orders": Invalid null value for required INT32 field');
  });
});

describe('JsonConverter errors name the field path and topic', () => {
  const c = converter();
  const structMsg = (fields: string, payload: string) => `{"schema":{"type":"struct","fields":[${fields}],"optional":false},"payload":${payload}}`;

  it('rejects malformed JSON', () => {
    const e = dataError(() => read(c, '{"schema": {"type": "int32"}, "payload": 1'));
    expect(e.message).toMatch(/^Converting byte\[\] to Kafka Connect data failed due to serialization error: Unexpected end-of-input .* \(topic "orders"\)$/);
    expect(dataError(() => read(c, '{"schema":null,"payload":tru}')).message).toContain("Unrecognized token 'tru'");
    expect(dataError(() => read(c, '{"schema":null,"payload":1} x')).message).toContain("Unexpected character 'x' after the root value");
    expect(dataError(() => c.toConnectData(T, Buffer.from([0x22, 0xff, 0x22]))).message).toContain('invalid UTF-8');
  });

  it.each([
    ['{"payload": 1}'],
    ['{"schema": null}'],
    ['{"schema": null, "payload": 1, "extra": true}'],
    ['[1, 2]'],
    ['12'],
    [''],
  ])('requires exactly the envelope: %s', (text) => {
    expect(dataError(() => read(c, text)).message).toBe(ENVELOPE_REQUIRED_MESSAGE);
  });

  it('matches Kafka\'s envelope message word for word', () => {
    expect(ENVELOPE_REQUIRED_MESSAGE).toBe(
      'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.',
    );
  });

  it('reports type mismatches on input with the path', () => {
    const nested = '{"type":"struct","fields":[{"type":"array","items":{"type":"int16"},"field":"codes"}],"field":"address"}';
    expect(dataError(() => read(c, structMsg(nested, '{"address":{"codes":[1,2,"x"]}}'))).message)
      .toBe('value.address.codes[2] on topic "orders": Invalid value for INT16 field: expected an integer but was STRING');
    expect(dataError(() => read(c, structMsg('{"type":"int8","field":"n"}', '{"n":200}'))).message)
      .toBe('value.n on topic "orders": 200 is out of the range of int8');
    expect(dataError(() => read(c, structMsg('{"type":"int32","field":"n"}', '{"n":1.5}'))).message)
      .toBe('value.n on topic "orders": Invalid value for INT32 field: expected an integer but was a number with a fraction (1.5)');
    expect(dataError(() => read(c, structMsg('{"type":"string","field":"s"}', '{"s":5}'))).message)
      .toBe('value.s on topic "orders": Invalid value for STRING field: expected a string but was NUMBER');
    expect(dataError(() => read(c, structMsg('{"type":"bytes","field":"b"}', '{"b":"@@"}'))).message)
      .toBe('value.b on topic "orders": Invalid bytes field: expected base64 text but was other text');
    expect(dataError(() => read(c, '{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"boolean"}},"payload":{"k":1}}')).message)
      .toBe('value["k"] on topic "orders": Invalid value for BOOLEAN field: expected a boolean but was NUMBER');
    expect(dataError(() => read(c, '{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":{"k":1}}')).message)
      .toBe('value on topic "orders": Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT');
    expect(dataError(() => read(c, '{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":[[1,2,3]]}')).message)
      .toBe('value[0] on topic "orders": Found invalid map entry, expected length 2 but found :3');
    expect(dataError(() => read(c, '{"schema":{"type":"struct","fields":[]},"payload":[]}')).message)
      .toBe('value on topic "orders": Structs should be encoded as JSON objects, but found ARRAY');
  });

  it('reports a required field that is null or missing', () => {
    expect(dataError(() => read(c, structMsg('{"type":"int32","field":"id"}', '{}'))).message)
      .toBe('value.id on topic "orders": Invalid null value for required INT32 field');
    expect(dataError(() => read(c, '{"schema":{"type":"string"},"payload":null}')).message)
      .toBe('value on topic "orders": Invalid null value for required STRING field');
    const key = converter({}, true);
    expect(dataError(() => read(key, structMsg('{"type":"int32","field":"id"}', '{"id":null}'))).message)
      .toBe('key.id on topic "orders": Invalid null value for required INT32 field');
  });

  it('reports bad logical values on input', () => {
    const logical = (type: string, name: string, payload: string) => `{"schema":{"type":"${type}","name":"org.apache.kafka.connect.data.${name}"},"payload":${payload}}`;
    expect(dataError(() => read(c, logical('int32', 'Date', '"2024-01-01"'))).message)
      .toBe('value on topic "orders": Invalid type for Date, underlying representation should be integer but was STRING');
    expect(dataError(() => read(c, logical('int32', 'Time', '86400001'))).message)
      .toBe('value on topic "orders": Time values must use number of milliseconds greater than 0 and less than 86400000');
    expect(dataError(() => read(c, logical('bytes', 'Decimal', 'true'))).message)
      .toBe('value on topic "orders": Invalid Decimal schema: scale parameter not found.');
    expect(dataError(() => read(c, '{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":true}')).message)
      .toBe('value on topic "orders": Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN');
  });

  it('reports bad schemas', () => {
    expect(dataError(() => read(c, '{"schema":{"type":"int128"},"payload":1}')).message).toBe('schema on topic "orders": Unknown schema type: int128');
    expect(dataError(() => read(c, '{"schema":{"optional":true},"payload":1}')).message).toBe('schema on topic "orders": Schema must contain \'type\' field');
    expect(dataError(() => read(c, '{"schema":{"type":"array"},"payload":[]}')).message).toBe('schema on topic "orders": Array schema did not specify the element type');
    expect(dataError(() => read(c, '{"schema":{"type":"struct","fields":{}},"payload":{}}')).message)
      .toBe('schema on topic "orders": Struct schema\'s "fields" argument is not an array.');
    expect(dataError(() => read(c, '{"schema":{"type":"struct","fields":[{"type":"int8","field":"a"},{"type":"int8","field":"a"}]},"payload":{}}')).message)
      .toBe('schema on topic "orders": duplicate field a');
    expect(dataError(() => read(c, '{"schema":{"type":"string","parameters":{"a":1}},"payload":"x"}')).message)
      .toBe('schema on topic "orders": Schema parameters must have string values.');
  });

  it('validates values against the schema on output', () => {
    const s = SchemaBuilder.struct().name('x')
      .field('id', Schemas.INT32)
      .field('tags', SchemaBuilder.array(Schemas.STRING).build())
      .field('when', SchemaBuilder.date().optional().build())
      .build();
    const v = new Struct(s).put('id', 1).put('tags', ['a', 7]);
    expect(dataError(() => write(c, s, v)).message).toBe('value.tags[1] on topic "orders": number 7 does not match schema type string');
    expect(dataError(() => write(c, s, new Struct(s).put('tags', []))).message)
      .toBe('value.id on topic "orders": Conversion error: null value for field that is required and has no default value');
    expect(dataError(() => write(c, s, new Struct(s).put('id', 1).put('tags', []).put('when', new Date(5)))).message)
      .toBe('value.when on topic "orders": Kafka Connect Date type should not have any time fields set to non-zero values.');
    expect(dataError(() => write(c, Schemas.INT32, 'x')).message).toBe('value on topic "orders": string x does not match schema type int32');
    expect(dataError(() => write(c, Schemas.INT32, 2n)).message).toBe('value on topic "orders": bigint 2 does not match schema type int32');
    const other = SchemaBuilder.struct().name('y').field('id', Schemas.INT32).build();
    expect(dataError(() => write(c, s, new Struct(other).put('id', 1))).message).toBe('value on topic "orders": Mismatching schema.');
  });
});

describe('JsonConverter configuration', () => {
  it('declares Kafka\'s settings with their defaults', () => {
    const def = new JsonConverter().config();
    const keys = Object.fromEntries(def.configKeys().map((k) => [k.name, [k.type, k.default]]));
    expect(keys).toEqual({
      'converter.type': ['STRING', null],
      'schemas.enable': ['BOOLEAN', true],
      'schemas.cache.size': ['INT', 1000],
      'decimal.format': ['STRING', 'BASE64'],
      'replace.null.with.default': ['BOOLEAN', true],
    });
  });

  it('rejects invalid settings with a ConfigError', () => {
    expect(() => converter({ 'decimal.format': 'HEX' })).toThrow(ConfigError);
    expect(() => converter({ 'schemas.enable': 'maybe' })).toThrow(/schemas.enable/);
    expect(() => converter({ 'converter.type': 'body' })).toThrow(ConfigError);
  });

  it('names the part of the record by converter.type, else by isKey', () => {
    const c = converter({ 'converter.type': 'key' }, false);
    expect(dataError(() => write(c, Schemas.INT8, 'x')).message).toMatch(/^key on topic/);
    expect(dataError(() => c.fromConnectHeader(T, 'h1', Schemas.INT8, 'x')).message).toMatch(/^header "h1" on topic/);
    expect(c.toConnectHeader(T, 'h', c.fromConnectHeader(T, 'h', Schemas.STRING, 'v'))).toEqual({ schema: Schemas.STRING, value: 'v' });
  });
});

// ---------------------------------------------------------------- property tests

interface Gen {
  readonly schema: Schema;
  readonly value: fc.Arbitrary<unknown>;
}

const INT64_MAX = 2n ** 63n - 1n;
const text16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });

const leafGens: fc.Arbitrary<Gen> = fc.oneof(
  fc.constant<Gen>({ schema: Schemas.INT8, value: fc.integer({ min: -128, max: 127 }) }),
  fc.constant<Gen>({ schema: Schemas.INT16, value: fc.integer({ min: -32768, max: 32767 }) }),
  fc.constant<Gen>({ schema: Schemas.INT32, value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.constant<Gen>({
    schema: Schemas.INT64,
    value: fc.bigInt({ min: -INT64_MAX - 1n, max: INT64_MAX }).map((v) => (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v)),
  }),
  fc.constant<Gen>({ schema: Schemas.FLOAT32, value: fc.float({ noNaN: true }) }),
  fc.constant<Gen>({ schema: Schemas.FLOAT64, value: fc.double({ noNaN: true }) }),
  fc.constant<Gen>({ schema: Schemas.BOOLEAN, value: fc.boolean() }),
  fc.constant<Gen>({ schema: Schemas.STRING, value: text16 }),
  fc.constant<Gen>({ schema: Schemas.BYTES, value: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)) }),
  fc.integer({ min: 0, max: 12 }).map<Gen>((scale) => ({
    schema: SchemaBuilder.decimal(scale).build(),
    value: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((u) => new Decimal(u, scale)),
  })),
  fc.constant<Gen>({ schema: SchemaBuilder.date().build(), value: fc.integer({ min: -100_000, max: 100_000 }).map((d) => new Date(d * DAY)) }),
  fc.constant<Gen>({ schema: SchemaBuilder.time().build(), value: fc.integer({ min: 0, max: DAY - 1 }).map((ms) => new Date(ms)) }),
  fc.constant<Gen>({ schema: SchemaBuilder.timestamp().build(), value: fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)) }),
);

function optionalGen(g: Gen): Gen {
  const b = { ...g.schema, optional: true };
  return { schema: Object.freeze(b), value: fc.option(g.value, { nil: null }) };
}

const { gen: schemaGen } = fc.letrec<{ gen: Gen }>((tie) => ({
  gen: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafGens,
    leafGens.map(optionalGen),
    tie('gen').map<Gen>((items) => ({ schema: SchemaBuilder.array(items.schema).build(), value: fc.array(items.value, { maxLength: 4 }) })),
    fc.tuple(leafGens, tie('gen')).map<Gen>(([k, v]) => ({
      schema: SchemaBuilder.map(k.schema, v.schema).build(),
      value: fc.array(fc.tuple(k.value, v.value), { maxLength: 4 }).map((entries) => new Map(entries)),
    })),
    fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), tie('gen')), { selector: ([n]) => n, maxLength: 5 }).map<Gen>((fields) => {
      let b = SchemaBuilder.struct().name('rec');
      for (const [name, g] of fields) b = b.field(name, g.schema);
      const schema = b.build();
      const value = fc.tuple(...fields.map(([, g]) => g.value)).map((vals) => {
        const s = new Struct(schema);
        fields.forEach(([name], i) => s.put(name, vals[i]));
        return s;
      });
      return { schema, value };
    }),
  ),
}));

const schemaAndValue = schemaGen.chain((g) => g.value.map((value) => ({ schema: g.schema, value })));

describe('JsonConverter round trips (property)', () => {
  it.each([['BASE64'], ['NUMERIC']])('every schema type and value survives write → read → write (%s)', (format) => {
    const c = converter({ 'decimal.format': format });
    fc.assert(
      fc.property(schemaAndValue, ({ schema, value }) => {
        const bytes = c.fromConnectData(T, schema, value);
        if (value === null) {
          expect(bytes).toBeNull();
          return;
        }
        const back = c.toConnectData(T, bytes);
        expect(valuesEqual(back.value, value)).toBe(true);
        expect(c.fromConnectData(T, back.schema, back.value)!.equals(bytes!)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('schemaless JSON survives the round trip and agrees with JSON.parse', () => {
    const plain = converter({ 'schemas.enable': 'false' });
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        if (v === null) return;
        const bytes = plain.fromConnectData(T, null, v)!;
        expect(JSON.parse(bytes.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(v)));
        expect(valuesEqual(plain.toConnectData(T, bytes).value, v)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reads any JSON text as JSON.parse does, up to the exactness of big integers', () => {
    const plain = converter({ 'schemas.enable': 'false' });
    const toNumbers = (x: unknown): unknown =>
      typeof x === 'bigint' ? Number(x) : Array.isArray(x) ? x.map(toNumbers) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toNumbers(v)])) : x;
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(toNumbers(plain.toConnectData(T, Buffer.from(text)).value)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});
