import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConfigError, DataError, Decimal, SchemaBuilder, Schemas, Struct, valuesEqual } from '../../src/sdk/index.js';
import {
  ByteArrayConverter,
  JsonConverter,
  SimpleHeaderConverter,
  StringConverter,
  builtinConverterPlugins,
} from '../../src/runtime/converters/index.js';

const T = 'topic-a';
const DAY = 86_400_000;

function stringConverter(settings: Record<string, string> = {}): StringConverter {
  const c = new StringConverter();
  c.configure(settings, false);
  return c;
}

describe('StringConverter', () => {
  it('declares converter.encoding (UTF-8) and converter.type', () => {
    const keys = new StringConverter().config().configKeys().map((k) => [k.name, k.default]);
    expect(keys).toEqual([['converter.type', null], ['converter.encoding', 'UTF-8']]);
  });

  it('writes strings in UTF-8 and reads them as an optional string', () => {
    const c = stringConverter();
    expect(c.fromConnectData(T, Schemas.STRING, 'héllo €')).toEqual(Buffer.from('héllo €', 'utf8'));
    expect(c.toConnectData(T, Buffer.from('héllo €', 'utf8'))).toEqual({ schema: Schemas.OPTIONAL_STRING, value: 'héllo €' });
  });

  it('keeps tombstones: null ⇄ null bytes (with the optional string schema, as Kafka)', () => {
    const c = stringConverter();
    expect(c.fromConnectData(T, Schemas.OPTIONAL_STRING, null)).toBeNull();
    expect(c.toConnectData(T, null)).toEqual({ schema: Schemas.OPTIONAL_STRING, value: null });
  });

  it.each([
    ['ISO-8859-1', 'é€', [0xe9, 0x3f]],
    ['latin1', 'é', [0xe9]],
    ['US-ASCII', 'aé😀', [0x61, 0x3f, 0x3f]],
    ['UTF-16LE', 'aé', [0x61, 0x00, 0xe9, 0x00]],
    ['utf8', 'é', [0xc3, 0xa9]],
  ])('encodes with %s as Java does (unmappable characters become ?)', (encoding, text, bytes) => {
    expect([...stringConverter({ 'converter.encoding': encoding }).fromConnectData(T, null, text)!]).toEqual(bytes);
  });

  it('decodes with the configured encoding; undecodable bytes become U+FFFD', () => {
    expect(stringConverter({ 'converter.encoding': 'ISO-8859-1' }).toConnectData(T, Buffer.from([0xe9])).value).toBe('é');
    expect(stringConverter({ 'converter.encoding': 'US-ASCII' }).toConnectData(T, Buffer.from([0x61, 0xe9])).value).toBe('a\ufffd');
    expect(stringConverter().toConnectData(T, Buffer.from([0x61, 0xff])).value).toBe('a\ufffd');
  });

  it('rejects an unsupported encoding with a ConfigError', () => {
    expect(() => stringConverter({ 'converter.encoding': 'EBCDIC' })).toThrow(ConfigError);
    const report = new StringConverter().config().validate({ 'converter.encoding': 'EBCDIC' });
    expect(report.find((r) => r.name === 'converter.encoding')!.errors[0]).toMatch(/unsupported encoding/);
  });

  it('writes any value as its Java string form', () => {
    const c = stringConverter();
    const str = (schema: Parameters<StringConverter['fromConnectData']>[1], v: unknown) => c.fromConnectData(T, schema, v)!.toString('utf8');
    expect(str(Schemas.INT32, 42)).toBe('42');
    expect(str(Schemas.FLOAT64, 1)).toBe('1.0');
    expect(str(Schemas.FLOAT32, Math.fround(0.1))).toBe('0.1');
    expect(str(Schemas.INT64, 2n ** 63n - 1n)).toBe('9223372036854775807');
    expect(str(Schemas.BOOLEAN, true)).toBe('true');
    expect(str(SchemaBuilder.decimal(2).build(), new Decimal(150n, 2))).toBe('1.50');
    expect(str(Schemas.BYTES, Buffer.from('raw text'))).toBe('raw text');
    expect(str(null, new Date(Date.UTC(2024, 0, 15)))).toBe('2024-01-15T00:00:00.000Z');
    const s = SchemaBuilder.struct().field('id', Schemas.INT32).field('note', Schemas.OPTIONAL_STRING).field('name', Schemas.STRING).build();
    expect(str(s, new Struct(s).put('id', 1001).put('name', 'x'))).toBe('Struct{id=1001,name=x}');
    expect(str(null, [1, 'a'])).toBe('[1, a]');
    expect(str(null, new Map([['a', 1], ['b', 2]]))).toBe('{a=1, b=2}');
  });
});

describe('ByteArrayConverter', () => {
  const c = new ByteArrayConverter();
  c.configure({}, false);

  it('passes bytes through in both directions with an optional bytes schema', () => {
    const b = Buffer.from([0, 1, 2, 255]);
    expect(c.fromConnectData(T, Schemas.BYTES, b)).toBe(b);
    expect(c.fromConnectData(T, null, new Uint8Array([7, 8]))).toEqual(Buffer.from([7, 8]));
    expect(c.toConnectData(T, b)).toEqual({ schema: Schemas.OPTIONAL_BYTES, value: b });
  });

  it('keeps tombstones', () => {
    expect(c.fromConnectData(T, Schemas.OPTIONAL_BYTES, null)).toBeNull();
    expect(c.toConnectData(T, null)).toEqual({ schema: Schemas.OPTIONAL_BYTES, value: null });
  });

  it('rejects other schemas and values with a DataError', () => {
    expect(() => c.fromConnectData(T, Schemas.STRING, Buffer.alloc(1))).toThrow(new DataError('Invalid schema type for ByteArrayConverter: STRING (topic "topic-a")'));
    expect(() => c.fromConnectData(T, null, 'text')).toThrow(new DataError('ByteArrayConverter is not compatible with objects of type string (topic "topic-a")'));
    expect(() => c.fromConnectData(T, null, { a: 1 })).toThrow(/not compatible with objects of type Object/);
  });
});

describe('SimpleHeaderConverter', () => {
  const h = new SimpleHeaderConverter();
  h.configure({});
  const write = (schema: Parameters<SimpleHeaderConverter['fromConnectHeader']>[2], v: unknown) => h.fromConnectHeader(T, 'h', schema, v)?.toString('utf8') ?? null;
  const read = (text: string) => h.toConnectHeader(T, 'h', Buffer.from(text, 'utf8'));

  it('has no settings', () => {
    expect(h.config().configKeys()).toEqual([]);
  });

  it('writes values as Kafka\'s Values.convertToString does', () => {
    expect(write(Schemas.STRING, 'plain "text"')).toBe('plain "text"');
    expect(write(Schemas.INT32, 42)).toBe('42');
    expect(write(Schemas.FLOAT64, 1)).toBe('1.0');
    expect(write(Schemas.BOOLEAN, false)).toBe('false');
    expect(write(Schemas.BYTES, Buffer.from([1, 2, 3]))).toBe('AQID');
    expect(write(null, new Decimal(-1234n, 2))).toBe('-12.34');
    expect(write(SchemaBuilder.date().build(), new Date(Date.UTC(2024, 0, 15)))).toBe('2024-01-15');
    expect(write(SchemaBuilder.time().build(), new Date(45296789))).toBe('12:34:56.789Z');
    expect(write(SchemaBuilder.timestamp().build(), new Date(Date.UTC(2024, 0, 15, 12, 34, 56, 789)))).toBe('2024-01-15T12:34:56.789Z');
    expect(write(SchemaBuilder.array(Schemas.STRING).build(), ['a', 'b\\"c'])).toBe('["a","b\\\\\\"c"]');
    expect(write(null, new Map<unknown, unknown>([['k', 1], ['n', null]]))).toBe('{"k":1,"n":null}');
    const s = SchemaBuilder.struct().field('id', Schemas.INT32).field('tag', SchemaBuilder.string().optional().defaultValue('none').build()).build();
    expect(write(s, new Struct(s).put('id', 7))).toBe('{"id":7,"tag":"none"}');
    expect(write(Schemas.OPTIONAL_STRING, null)).toBeNull();
  });

  it.each([
    ['', Schemas.STRING, ''],
    ['true', Schemas.BOOLEAN, true],
    ['false', Schemas.BOOLEAN, false],
    ['42', Schemas.INT8, 42],
    ['-300', Schemas.INT16, -300],
    ['70000', Schemas.INT32, 70000],
    ['5000000000', Schemas.INT64, 5000000000],
    ['9223372036854775807', Schemas.INT64, 9223372036854775807n],
    ['1.0', Schemas.INT8, 1],
    ['1e3', Schemas.INT16, 1000],
    ['1.5', Schemas.FLOAT32, 1.5],
    ['-0.25', Schemas.FLOAT32, -0.25],
    ['1.1', Schemas.FLOAT32, Math.fround(1.1)],
    ['1e39', Schemas.FLOAT64, 1e39],
    ['hello world', Schemas.STRING, 'hello world'],
    // Kafka reads a top-level number from its first token and drops the rest (KAFKA-20892 proposes a string).
    ['12:30', Schemas.INT8, 12],
    ['[1,', Schemas.STRING, '[1,'],
    ['True', Schemas.STRING, 'True'],
    // Huge exponents are never expanded (10^999999999 hung CI once). Where Java's BigDecimal refuses the
    // rescale (ArithmeticException), Kafka's converter keeps the header's bytes, and so do we.
    ['1e999999999', Schemas.BYTES, Buffer.from('1e999999999')],
    ['1e-999999999', Schemas.BYTES, Buffer.from('1e-999999999')],
    ['0e999999999', Schemas.INT8, 0],
    // Smaller huge exponents Java expands (slowly) before answering; we answer from the digits.
    ['1e200000', SchemaBuilder.decimal(-200000).build(), new Decimal(1n, -200000)],
    ['1e-200000', Schemas.FLOAT32, 0],
  ])('reads %j by inference', (text, schema, value) => {
    const r = read(text);
    expect(r.schema).toEqual(schema);
    expect(valuesEqual(r.value, value)).toBe(true);
  });

  it('reads integers beyond int64 as a scale-0 Decimal, as Kafka', () => {
    const r = read('9223372036854775808');
    expect(r.schema).toEqual(SchemaBuilder.decimal(0).build());
    expect(r.value).toEqual(new Decimal(9223372036854775808n, 0));
  });

  it('reads ISO-8601 dates, times and timestamps as logical types', () => {
    expect(read('2024-01-15')).toEqual({ schema: SchemaBuilder.date().build(), value: new Date(Date.UTC(2024, 0, 15)) });
    expect(read('12:34:56.789Z')).toEqual({ schema: SchemaBuilder.time().build(), value: new Date(45296789) });
    expect(read('2024-01-15T12:34:56.789Z')).toEqual({ schema: SchemaBuilder.timestamp().build(), value: new Date(Date.UTC(2024, 0, 15, 12, 34, 56, 789)) });
    // Java's lenient SimpleDateFormat rolls an out-of-range day over.
    expect(read('2024-02-30')).toEqual({ schema: SchemaBuilder.date().build(), value: new Date(Date.UTC(2024, 2, 1)) });
  });

  it('reads arrays and maps with the element schemas Kafka infers', () => {
    expect(read('[1, 300]')).toEqual({ schema: SchemaBuilder.array(Schemas.INT16).build(), value: [1, 300] });
    expect(read('[1, "a", null, 2.5]')).toEqual({ schema: SchemaBuilder.type('array').build(), value: [1, 'a', null, 2.5] });
    expect(read('{"k":1,"n":{"m":[true]}}')).toEqual({
      schema: { type: 'map', optional: false, keySchema: Schemas.STRING },
      value: new Map<unknown, unknown>([['k', 1], ['n', new Map([['m', [true]]])]]),
    });
    expect(read('["line\nbreak"]').value).toEqual(['line\nbreak']);
  });

  it('round-trips containers it wrote', () => {
    const s = SchemaBuilder.map(Schemas.STRING, SchemaBuilder.array(SchemaBuilder.date().build()).build()).build();
    const v = new Map([['days', [new Date(Date.UTC(2024, 0, 15))]]]);
    expect(read(write(s, v)!)).toEqual({ schema: s, value: v });
  });

  it('keeps as bytes a header whose containers nest deeper than the parser follows', () => {
    const text = `${'['.repeat(1001)}1${']'.repeat(1001)}`;
    expect(read(text)).toEqual({ schema: Schemas.BYTES, value: Buffer.from(text) });
  });

  it('reads null bytes and the text null as no value', () => {
    expect(h.toConnectHeader(T, 'h', null)).toEqual({ schema: null, value: null });
    expect(read('null')).toEqual({ schema: null, value: null });
  });

  it('round-trips integers to their smallest integer type, and any string without failing', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const v = n >= -(2n ** 53n) + 1n && n <= 2n ** 53n - 1n ? Number(n) : n;
        const r = read(write(Schemas.INT64, v)!);
        expect(valuesEqual(r.value, v)).toBe(true);
        const bits = n >= -128n && n <= 127n ? 'int8' : n >= -32768n && n <= 32767n ? 'int16' : n >= -(2n ** 31n) && n < 2n ** 31n ? 'int32' : 'int64';
        expect(r.schema!.type).toBe(bits);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = read(write(Schemas.STRING, s)!);
        // Kafka's one exception: blanks, then a malformed array or map, read back as the blanks alone.
        const expected = /^[\u0000-\u0020]+[[{]/.test(s) ? /^[\u0000-\u0020]+/.exec(s)![0] : s;
        if (r.schema?.type === 'string') expect(r.value).toBe(expected);
      }),
    );
  });
});

describe('builtinConverterPlugins', () => {
  it('registers the Kafka Connect class names and aliases', () => {
    expect(builtinConverterPlugins.map((p) => [p.type, p.className, p.aliases, p.version])).toEqual([
      ['converter', 'org.apache.kafka.connect.json.JsonConverter', ['JsonConverter'], '1.0.0'],
      ['converter', 'org.apache.kafka.connect.storage.StringConverter', ['StringConverter'], '1.0.0'],
      ['converter', 'org.apache.kafka.connect.converters.ByteArrayConverter', ['ByteArrayConverter'], '1.0.0'],
      ['header_converter', 'org.apache.kafka.connect.storage.SimpleHeaderConverter', ['SimpleHeaderConverter'], '1.0.0'],
    ]);
    const names = builtinConverterPlugins.flatMap((p) => [p.className, ...p.aliases]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('creates fresh, working instances', () => {
    const [json, str, bytes, header] = builtinConverterPlugins.map((p) => p.create());
    expect(json).toBeInstanceOf(JsonConverter);
    expect(str).toBeInstanceOf(StringConverter);
    expect(bytes).toBeInstanceOf(ByteArrayConverter);
    expect(header).toBeInstanceOf(SimpleHeaderConverter);
    expect(builtinConverterPlugins[0]!.create()).not.toBe(json);
    const c = json as JsonConverter;
    c.configure({ 'schemas.enable': 'false' }, false);
    expect(c.fromConnectData(T, null, { a: 1 })!.toString()).toBe('{"a":1}');
  });
});

describe('Time and Date edges', () => {
  it('writes a Time of exactly one day, as Kafka allows, and a negative Date', () => {
    const c = new JsonConverter();
    c.configure({ 'schemas.enable': 'false' }, false);
    expect(c.fromConnectData(T, SchemaBuilder.time().build(), new Date(DAY))!.toString()).toBe('86400000');
    expect(c.fromConnectData(T, SchemaBuilder.date().build(), new Date(-DAY))!.toString()).toBe('-1');
  });
});
