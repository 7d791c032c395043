/**
 * Postgres text output → Debezium's Connect schema and value, type by type and mode by mode. Expected
 * values come from Debezium's documentation ("Data type mappings") and the expectations of its own
 * tests (debezium-connector-postgres AbstractRecordsProducerTest, cited as ARPT).
 */
import { describe, expect, it } from 'vitest';
import { DataError, Decimal, Struct, type Schema } from '../../src/sdk/index.js';
import { DEFAULT_TYPE_MODES, mapColumn, type ColumnMapping, type TypeModes } from '../../connectors/postgres-cdc/pg-value-mapping.js';
import type { PgTypeInfo } from '../../connectors/postgres-cdc/pg-type-info.js';

const base = (name: string, schema = 'pg_catalog'): PgTypeInfo => ({ oid: 1, name, schema, kind: 'base' });

function map(type: PgTypeInfo | string, opts: { typeMod?: number; optional?: boolean; modes?: Partial<TypeModes> } = {}): ColumnMapping {
  const m = mapColumn(
    { name: 'col', type: typeof type === 'string' ? base(type) : type, typeMod: opts.typeMod ?? -1, optional: opts.optional ?? true },
    { ...DEFAULT_TYPE_MODES, ...opts.modes },
  );
  if (!m) throw new Error('column dropped');
  return m;
}
const value = (type: PgTypeInfo | string, text: string, opts: Parameters<typeof map>[1] = {}): unknown => map(type, opts).fromText(text);
const shape = (s: Schema): unknown => ({ type: s.type, optional: s.optional, name: s.name, version: s.version, parameters: s.parameters });
const fields = (v: unknown): unknown[] => (v as Struct).schema.fields!.map((f) => (v as Struct).getWithoutDefault(f.name));

describe('numbers and booleans', () => {
  it('maps bool, int2/4/8, oid, float4/8 to the Connect primitives (docs: basic types)', () => {
    expect(shape(map('bool').schema)).toEqual({ type: 'boolean', optional: true, name: undefined, version: undefined, parameters: undefined });
    expect(map('int2', { optional: false }).schema).toMatchObject({ type: 'int16', optional: false });
    expect(map('int4').schema.type).toBe('int32');
    expect(map('int8').schema.type).toBe('int64');
    expect(map('oid').schema.type).toBe('int64');
    expect(map('float4').schema.type).toBe('float32');
    expect(map('float8').schema.type).toBe('float64');
    expect([value('bool', 't'), value('bool', 'f')]).toEqual([true, false]);
    expect([value('int2', '-32768'), value('int4', '2147483647'), value('int8', '1234567890123')]).toEqual([-32768, 2147483647, 1234567890123]);
    expect(value('oid', '4000000000')).toBe(4000000000);
  });

  it('keeps int8 beyond 2^53 exact as a bigint', () => {
    expect(value('int8', '9223372036854775807')).toBe(9223372036854775807n);
    expect(value('int8', '-9223372036854775808')).toBe(-9223372036854775808n);
    expect(value('int8', '9007199254740991')).toBe(9007199254740991);
  });

  it('reads float specials and float4 as a single-precision value (ARPT numeric_table)', () => {
    expect(value('float4', '3.3')).toBe(Math.fround(3.3));
    expect(value('float8', '4.44')).toBe(4.44);
    expect(value('float8', 'NaN')).toBeNaN();
    expect([value('float8', 'Infinity'), value('float4', '-Infinity'), value('float8', '1e+20')]).toEqual([Infinity, -Infinity, 1e20]);
  });

  it('rejects text that is not a number of the type, naming the column', () => {
    expect(() => value('int2', '40000')).toThrow(DataError);
    expect(() => value('int4', 'x1')).toThrow(/column col \(int4\): cannot convert "x1"/);
    expect(() => value('bool', 'yes')).toThrow(DataError);
  });
});

describe('numeric and money (decimal.handling.mode)', () => {
  it('precise: NUMERIC(p,s) is a Decimal with scale and connect.decimal.precision, at the column scale (ARPT d, n_int)', () => {
    const m = map('numeric', { typeMod: ((6 << 16) | 4) + 4 });
    expect(shape(m.schema)).toEqual({
      type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1,
      parameters: { scale: '4', 'connect.decimal.precision': '6' },
    });
    expect(m.fromText('22.2200')).toEqual(new Decimal(222200n, 4));
    expect(m.fromText('22')).toEqual(new Decimal(220000n, 4));
    expect(m.fromText('-0.0001')).toEqual(new Decimal(-1n, 4));
  });

  it('precise: huge values stay exact', () => {
    const m = map('numeric', { typeMod: ((38 << 16) | 10) + 4 });
    expect(m.fromText('-1234567890123456789012345678.0123456789')).toEqual(new Decimal(-12345678901234567890123456780123456789n, 10));
  });

  it('precise: unconstrained NUMERIC is a VariableScaleDecimal {scale, value} with trailing zeros stripped (ARPT dvs, nvs_int)', () => {
    const m = map('numeric');
    expect(m.schema).toMatchObject({ type: 'struct', name: 'io.debezium.data.VariableScaleDecimal', version: 1, doc: 'Variable scaled decimal', optional: true });
    expect(m.schema.fields!.map((f) => [f.name, f.schema.type, f.schema.optional])).toEqual([['scale', 'int32', false], ['value', 'bytes', false]]);
    expect(fields(m.fromText('10.1111'))).toEqual([4, Buffer.from([0x01, 0x8a, 0xf7]) /* 101111 */]);
    expect(fields(m.fromText('22'))).toEqual([0, Buffer.from([22])]);
    expect(fields(m.fromText('100.500'))).toEqual([1, Buffer.from([0x03, 0xed])]);
    expect(fields(m.fromText('1000'))).toEqual([0, Buffer.from([0x03, 0xe8])]);
    expect(fields(m.fromText('-128'))).toEqual([0, Buffer.from([0x80])]);
    expect(fields(m.fromText('-129'))).toEqual([0, Buffer.from([0xff, 0x7f])]);
    expect(fields(m.fromText('128'))).toEqual([0, Buffer.from([0x00, 0x80])]);
    expect(fields(m.fromText('0.000'))).toEqual([0, Buffer.from([0])]);
    expect((m.fromText('1.5') as Struct).schema).toBe(m.schema);
  });

  it('precise refuses NaN and Infinity, as SpecialValueDecimal does (a ConnectException in Debezium)', () => {
    expect(() => value('numeric', 'NaN')).toThrow(/special value/);
    expect(() => value('numeric', 'Infinity', { typeMod: ((5 << 16) | 2) + 4 })).toThrow(DataError);
  });

  it('double and string modes, with NaN/Infinity (ARPT schemasAndValuesFor{Double,String}EncodedNumericTypes)', () => {
    const mod = ((3 << 16) | 2) + 4;
    expect(map('numeric', { typeMod: mod, modes: { decimal: 'double' } }).schema.type).toBe('float64');
    expect(value('numeric', '1.10', { typeMod: mod, modes: { decimal: 'double' } })).toBe(1.1);
    expect(value('numeric', 'NaN', { modes: { decimal: 'double' } })).toBeNaN();
    expect(value('numeric', '-Infinity', { modes: { decimal: 'double' } })).toBe(-Infinity);
    expect(shape(map('numeric', { modes: { decimal: 'string' } }).schema)).toMatchObject({ type: 'string', name: undefined });
    expect(value('numeric', '1.1', { typeMod: mod, modes: { decimal: 'string' } })).toBe('1.10');
    expect(value('numeric', '22.2222', { modes: { decimal: 'string' } })).toBe('22.2222');
    expect(value('numeric', 'NaN', { modes: { decimal: 'string' } })).toBe('NAN');
    expect(value('numeric', 'Infinity', { modes: { decimal: 'string' } })).toBe('POSITIVE_INFINITY');
    expect(value('numeric', '-Infinity', { modes: { decimal: 'string' } })).toBe('NEGATIVE_INFINITY');
  });

  it('money as printed under lc_monetary C: Decimal at money.fraction.digits without a precision (ARPT cash_table)', () => {
    const m = map('money');
    expect(shape(m.schema)).toEqual({ type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2' } });
    expect(m.fromText('$1,234.11')).toEqual(new Decimal(123411n, 2));
    expect(m.fromText('-$1,234.11')).toEqual(new Decimal(-123411n, 2));
    expect(m.fromText('($1,234.11)')).toEqual(new Decimal(-123411n, 2));
    expect(m.fromText('$92,233,720,368,547,758.07')).toEqual(new Decimal(9223372036854775807n, 2));
    expect(value('money', '$1.25', { modes: { moneyFractionDigits: 1 } })).toEqual(new Decimal(13n, 1)); // HALF_UP
    expect(value('money', '-$1.25', { modes: { moneyFractionDigits: 1 } })).toEqual(new Decimal(-13n, 1));
    expect(value('money', '-$1,234.50', { modes: { decimal: 'double' } })).toBe(-1234.5);
    expect(value('money', '-$1,234.50', { modes: { decimal: 'string' } })).toBe('-1234.50');
  });
});

describe('text-like types', () => {
  it.each([
    ['varchar', undefined], ['bpchar', undefined], ['text', undefined], ['char', undefined], ['name', undefined],
    ['inet', undefined], ['cidr', undefined], ['macaddr', undefined], ['macaddr8', undefined],
    ['int4range', undefined], ['numrange', undefined], ['tstzrange', undefined], ['daterange', undefined],
    ['json', 'io.debezium.data.Json'], ['jsonb', 'io.debezium.data.Json'], ['xml', 'io.debezium.data.Xml'],
    ['uuid', 'io.debezium.data.Uuid'], ['tsvector', 'io.debezium.data.Tsvector'],
  ])('%s is a string named %s, the text as Postgres prints it', (name, semantic) => {
    const m = map(name);
    expect(shape(m.schema)).toMatchObject({ type: 'string', name: semantic, version: semantic ? 1 : undefined });
    expect(m.fromText('žš {"a": 1} ')).toBe('žš {"a": 1} ');
  });

  it('extension types by name in any schema: citext (string), ltree (io.debezium.data.Ltree)', () => {
    expect(shape(map(base('citext', 'public')).schema)).toMatchObject({ type: 'string', name: undefined });
    expect(map(base('ltree', 'ext')).schema).toMatchObject({ type: 'string', name: 'io.debezium.data.Ltree', version: 1 });
    expect(value(base('ltree', 'public'), 'Top.Collections')).toBe('Top.Collections');
  });

  it('enum: io.debezium.data.Enum with the labels in sort order as `allowed`', () => {
    const mood: PgTypeInfo = { oid: 9, name: 'mood', schema: 'public', kind: 'enum', enumLabels: ['sad', 'ok', 'happy'] };
    const m = map(mood, { optional: false });
    expect(shape(m.schema)).toEqual({ type: 'string', optional: false, name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: 'sad,ok,happy' } });
    expect(m.fromText('happy')).toBe('happy');
  });
});

describe('bytea (binary.handling.mode) and bits', () => {
  it.each([
    ['bytes', 'bytes', Buffer.from([1, 2, 3])],
    ['base64', 'string', 'AQID'],
    ['base64-url-safe', 'string', 'AQID'],
    ['hex', 'string', '010203'],
  ] as const)('%s mode (ARPT schemaAndValueForBytea*)', (mode, type, expected) => {
    const m = map('bytea', { modes: { binary: mode } });
    expect(shape(m.schema)).toMatchObject({ type, name: undefined });
    expect(m.fromText('\\x010203')).toEqual(expected);
  });

  it('base64-url-safe keeps the = padding of java.util.Base64.getUrlEncoder', () => {
    expect(value('bytea', '\\xfbff', { modes: { binary: 'base64-url-safe' } })).toBe('-_8=');
    expect(value('bytea', '\\xfbff', { modes: { binary: 'base64' } })).toBe('+/8=');
    expect(value('bytea', '\\x')).toEqual(Buffer.alloc(0));
    expect(() => value('bytea', '\\000')).toThrow(DataError);
  });

  it('bit(1) and varbit(1) are booleans; longer bit strings are Bits, little-endian, sized by content (ARPT bitbin_table)', () => {
    expect(map('bit', { typeMod: 1 }).schema.type).toBe('boolean');
    expect([value('bit', '0', { typeMod: 1 }), value('varbit', '1', { typeMod: 1 })]).toEqual([false, true]);
    expect(shape(map('bit', { typeMod: 2 }).schema)).toEqual({ type: 'bytes', optional: true, name: 'io.debezium.data.Bits', version: 1, parameters: { length: '2' } });
    expect(map('varbit').schema.parameters).toEqual({ length: '2147483647' });
    expect(value('bit', '11', { typeMod: 2 })).toEqual(Buffer.from([3]));
    expect(value('bit', '1000000', { typeMod: 7 })).toEqual(Buffer.from([64]));
    expect(value('bit', '00', { typeMod: 2 })).toEqual(Buffer.alloc(0));
    expect(value('bit', '000000110000001000000001', { typeMod: 24 })).toEqual(Buffer.from([1, 2, 3]));
    expect(value('bit', `1${'0'.repeat(63)}`, { typeMod: 64 })).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]));
    expect(value('varbit', '101')).toEqual(Buffer.from([5]));
    expect(value('varbit', '111011010001000110000001000000001')).toEqual(Buffer.from([1, 2, 35, 0xda, 1]));
  });
});

describe('hstore, geometric and vector types', () => {
  const hstore = base('hstore', 'public');

  it('hstore json: a Json string with entries in java.util.HashMap order (ARPT hstore_table_mul)', () => {
    expect(map(hstore).schema).toMatchObject({ type: 'string', name: 'io.debezium.data.Json' });
    expect(value(hstore, '"key1"=>"val1", "key2"=>"val2", "key3"=>"val3"')).toBe('{"key1":"val1","key2":"val2","key3":"val3"}');
    expect(value(hstore, '"key4"=>"val4", "key5"=>NULL')).toBe('{"key5":null,"key4":"val4"}');
    expect(value(hstore, '"key 2"=>" ##123 78", "key_#1"=>"val 1"')).toBe('{"key_#1":"val 1","key 2":" ##123 78"}');
    expect(value(hstore, '"q\\"k"=>"a\\\\b\u0001"')).toBe('{"q\\"k":"a\\\\b\\u0001"}');
    expect(value(hstore, '')).toBe('{}');
  });

  it('hstore map: MAP<STRING, optional STRING>', () => {
    const m = map(hstore, { modes: { hstore: 'map' } });
    expect(m.schema).toMatchObject({ type: 'map', keySchema: { type: 'string', optional: false }, valueSchema: { type: 'string', optional: true } });
    expect(m.fromText('"key1"=>"val1", "key2"=>NULL')).toEqual(new Map([['key1', 'val1'], ['key2', null]]));
  });

  it('point is a Point struct {x, y, wkb, srid} with little-endian WKB (ARPT geom_table)', () => {
    const m = map('point', { optional: false });
    expect(m.schema).toMatchObject({ type: 'struct', name: 'io.debezium.data.geometry.Point', version: 1, doc: 'Geometry (POINT)', optional: false });
    const wkb = Buffer.from('0101000000000000000000f03f0000000000000040', 'hex');
    expect(fields(m.fromText('(1,2)'))).toEqual([1, 2, wkb, null]);
  });

  it('box, lseg, path, polygon are Geometry {wkb, srid, extensions}, always optional', () => {
    const m = map('box', { optional: false });
    expect(m.schema).toMatchObject({ name: 'io.debezium.data.geometry.Geometry', version: 2, doc: 'Geometry', optional: true });
    const [wkb, srid, ext] = fields(m.fromText('(1,1),(0,0)')) as [Buffer, null, Map<string, string>];
    expect([wkb.readUInt8(0), wkb.readInt32LE(1), wkb.readInt32LE(5), wkb.readInt32LE(9)]).toEqual([1, 3, 1, 5]);
    expect(Array.from({ length: 10 }, (_, i) => wkb.readDoubleLE(13 + i * 8))).toEqual([1, 1, 1, 0, 0, 0, 0, 1, 1, 1]);
    expect([srid, ext]).toEqual([null, new Map([['type', 'box']])]);
    const path = fields(value('path', '[(1,2),(3,4)]'));
    expect((path[0] as Buffer).readInt32LE(1)).toBe(2);
    expect(path[2]).toEqual(new Map([['type', 'path'], ['closed', 'false']]));
    expect((fields(value('path', '((1,2),(3,4))'))[2] as Map<string, string>).get('closed')).toBe('true');
    const polygon = fields(value('polygon', '((1,2),(3,4),(5,6))'))[0] as Buffer;
    expect(polygon.readInt32LE(9)).toBe(4); // ring closed
    expect(fields(value('lseg', '[(1,2),(3,4)]'))[2]).toEqual(new Map([['type', 'lseg']]));
  });

  it('circle and line', () => {
    const c = value('circle', '<(1,2),3>') as Struct;
    expect(c.schema).toMatchObject({ name: 'io.debezium.data.geometry.Circle', doc: 'Geometry (CIRCLE)' });
    expect([fields(c.getWithoutDefault('center')).slice(0, 2), c.getWithoutDefault('radius')]).toEqual([[1, 2], 3]);
    expect(fields(value('line', '{1,-2.5,3}'))).toEqual([1, -2.5, 3]);
  });

  it('pgvector: vector and halfvec as float arrays, sparsevec as {dimensions, vector}', () => {
    expect(map(base('vector', 'public')).schema).toMatchObject({ type: 'array', name: 'io.debezium.data.DoubleVector', valueSchema: { type: 'float64', optional: false } });
    expect(value(base('vector', 'public'), '[1,2.5,-3]')).toEqual([1, 2.5, -3]);
    expect(value(base('halfvec', 'public'), '[0.1]')).toEqual([Math.fround(0.1)]);
    expect(fields(value(base('sparsevec', 'public'), '{1:1.5,3:2}/5'))).toEqual([5, new Map([[1, 1.5], [3, 2]])]);
  });
});

describe('unknown types (include.unknown.datatypes)', () => {
  const tsquery = base('tsquery');

  it('drops the column by default', () => {
    expect(mapColumn({ name: 'q', type: tsquery, typeMod: -1, optional: true }, DEFAULT_TYPE_MODES)).toBeNull();
    expect(mapColumn({ name: 'q', type: { ...tsquery, kind: 'composite' }, typeMod: -1, optional: true }, DEFAULT_TYPE_MODES)).toBeNull();
    expect(mapColumn({ name: 'q', type: { ...tsquery, name: 'datemultirange', kind: 'multirange' }, typeMod: -1, optional: true }, DEFAULT_TYPE_MODES)).toBeNull();
  });

  it.each([
    ['bytes', Buffer.from("'fat' <-> 'cat'")],
    ['base64', 'J2ZhdCcgPC0+ICdjYXQn'],
    ['base64-url-safe', 'J2ZhdCcgPC0-ICdjYXQn'],
    ['hex', '2766617427203c2d3e202763617427'],
  ] as const)('captures the text as binary in %s mode (ARPT schemaAndValueForUnknownColumn*)', (mode, expected) => {
    expect(value(tsquery, "'fat' <-> 'cat'", { modes: { includeUnknown: true, binary: mode } })).toEqual(expected);
  });
});

describe('domains', () => {
  it('map as their base type, with the domain modifier when the column has none', () => {
    const int = base('int4');
    const posint: PgTypeInfo = { oid: 5, name: 'posint', schema: 'public', kind: 'domain', base: int, baseTypeMod: -1 };
    expect(map(posint).schema.type).toBe('int32');
    const num: PgTypeInfo = { oid: 6, name: 'amount', schema: 'public', kind: 'domain', base: base('numeric'), baseTypeMod: ((8 << 16) | 3) + 4 };
    const nested: PgTypeInfo = { oid: 7, name: 'amount2', schema: 'public', kind: 'domain', base: num, baseTypeMod: -1 };
    expect(map(nested).schema.parameters).toEqual({ scale: '3', 'connect.decimal.precision': '8' });
    expect(map(nested).fromText('1.5')).toEqual(new Decimal(1500n, 3));
  });
});
