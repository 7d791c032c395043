/**
 * Column-level rules on top of the type mappings: arrays, schema defaults from column default
 * expressions, and the placeholders for unchanged TOASTed values (Debezium's
 * PostgresDefaultValueConverter, UnchangedToastedPlaceholder; AbstractRecordsProducerTest = ARPT).
 */
import { parsePgCdcSettings } from '../../connectors/postgres-cdc/pg-cdc-config.js';
import { describe, expect, it } from 'vitest';
import { DataError, Decimal, Struct } from '../../src/sdk/index.js';
import { DEFAULT_TYPE_MODES, mapColumn, type ColumnMapping, type TypeModes } from '../../connectors/postgres-cdc/pg-value-mapping.js';
import type { PgTypeInfo } from '../../connectors/postgres-cdc/pg-type-info.js';

const base = (name: string, schema = 'pg_catalog'): PgTypeInfo => ({ oid: 1, name, schema, kind: 'base' });
const array = (element: PgTypeInfo): PgTypeInfo => ({ oid: 2, name: `_${element.name}`, schema: element.schema, kind: 'array', element });
const mood: PgTypeInfo = { oid: 3, name: 'mood', schema: 'public', kind: 'enum', enumLabels: ['sad', 'ok', 'happy'] };

function map(type: PgTypeInfo, opts: { typeMod?: number; optional?: boolean; modes?: Partial<TypeModes>; dflt?: string } = {}): ColumnMapping | null {
  return mapColumn(
    { name: 'col', type, typeMod: opts.typeMod ?? -1, optional: opts.optional ?? true, defaultExpression: opts.dflt ?? null },
    { ...DEFAULT_TYPE_MODES, ...opts.modes },
  );
}
const must = (m: ColumnMapping | null): ColumnMapping => {
  if (!m) throw new Error('column dropped');
  return m;
};

describe('arrays', () => {
  it('ARRAY of the element schema with optional elements (docs: int4[] → ARRAY(INT32); ARPT array_table)', () => {
    const m = must(map(array(base('int4')), { optional: false }));
    expect(m.schema).toMatchObject({ type: 'array', optional: false, valueSchema: { type: 'int32', optional: true } });
    expect(m.fromText('{1,2,3}')).toEqual([1, 2, 3]);
    expect(m.fromText('{}')).toEqual([]);
    expect(m.fromText('{1,NULL,3}')).toEqual([1, null, 3]);
    expect(m.fromText('[0:1]={7,8}')).toEqual([7, 8]);
    expect(must(map(array(base('int8')))).fromText('{1550166368505037572}')).toEqual([1550166368505037572n]);
  });

  it('reads quoting, escapes and NULL vs "NULL" in text arrays', () => {
    const m = must(map(array(base('text'))));
    expect(m.fromText('{"a b","c\\"d",NULL,"NULL","e\\\\f",""," x ",plain}')).toEqual(['a b', 'c"d', null, 'NULL', 'e\\f', '', ' x ', 'plain']);
    expect(m.fromText('{"{\\"a\\": 1}",žš}')).toEqual(['{"a": 1}', 'žš']);
  });

  it('maps NUMERIC(5,-2) (Postgres 15+: a negative scale): zeros too, plain digits in string mode', () => {
    const typeMod = ((5 << 16) | (-2 & 0x7ff)) + 4;
    const precise = must(map(base('numeric'), { typeMod }));
    expect(precise.fromText('12300')).toEqual(new Decimal(123n, -2));
    expect(precise.fromText('0')).toEqual(new Decimal(0n, -2));
    expect(precise.fromText('-0')).toEqual(new Decimal(0n, -2));
    const text = must(map(base('numeric'), { typeMod, modes: { decimal: 'string' } }));
    expect([text.fromText('12300'), text.fromText('0')]).toEqual(['12300', '0']);
  });

  it('converts each element as its type: numeric(p,s)[], unconstrained numeric[], date[], timestamptz[], bytea[] (ARPT)', () => {
    expect(must(map(array(base('numeric')), { typeMod: ((10 << 16) | 2) + 4 })).fromText('{1.2,3.4}')).toEqual([new Decimal(120n, 2), new Decimal(340n, 2)]);
    const vs = must(map(array(base('numeric')))).fromText('{1.1,2.22}') as Struct[];
    expect(vs.map((s) => s.getWithoutDefault('scale'))).toEqual([1, 2]);
    expect(must(map(array(base('date')))).fromText('{2016-11-04,2016-11-05}')).toEqual([17109, 17110]);
    expect(must(map(array(base('timestamptz')))).fromText('{"2020-04-01 11:51:02+00"}')).toEqual(['2020-04-01T11:51:02.000000Z']);
    expect(must(map(array(base('timestamp')))).fromText('{"2020-04-01 00:01:02"}')).toEqual([Date.UTC(2020, 3, 1, 0, 1, 2) * 1000]);
    expect(must(map(array(base('bytea')), { modes: { binary: 'hex' } })).fromText('{"\\\\x000102","\\\\x030405"}')).toEqual(['000102', '030405']);
    expect(must(map(array(base('bytea')))).fromText('{"\\\\x000102"}')).toEqual([Buffer.from([0, 1, 2])]);
    expect(must(map(array(base('json')))).schema.valueSchema).toMatchObject({ name: 'io.debezium.data.Json', optional: true });
  });

  it('enum[] is an ARRAY of Enum elements, not optional as in Debezium', () => {
    const m = must(map(array(mood)));
    expect(m.schema.valueSchema).toMatchObject({ type: 'string', optional: false, name: 'io.debezium.data.Enum', parameters: { allowed: 'sad,ok,happy' } });
    expect(m.fromText('{sad,happy}')).toEqual(['sad', 'happy']);
  });

  it('box[] uses box’s ; delimiter', () => {
    const m = must(map(array(base('box'))));
    const v = m.fromText('{(1,1),(0,0);(3,3),(2,2)}') as Struct[];
    expect(v.map((s) => (s.getWithoutDefault('wkb') as Buffer).readDoubleLE(13))).toEqual([1, 3]);
  });

  it('a multi-dimensional array gives null per sub-array, as Debezium’s element converters do', () => {
    expect(must(map(array(base('int4')))).fromText('{{1,2},{3,4}}')).toEqual([null, null]);
  });

  it('drops the arrays Debezium does not support (money[], name[], interval[], varbit[], xml[], point[])', () => {
    for (const t of ['money', 'name', 'interval', 'varbit', 'xml', 'point']) {
      expect(map(array(base(t)), { modes: { includeUnknown: true } })).toBeNull();
    }
  });

  it('arrays of unknown or domain elements: dropped, or binary elements with include.unknown.datatypes (DomainTypesIT)', () => {
    const nmtoken: PgTypeInfo = { oid: 4, name: 'nmtoken', schema: 'public', kind: 'domain', base: base('text'), baseTypeMod: -1 };
    expect(map(array(nmtoken))).toBeNull();
    const m = must(map(array(nmtoken), { modes: { includeUnknown: true } }));
    expect(m.schema.valueSchema).toMatchObject({ type: 'bytes', optional: false });
    expect(m.fromText('{bar,baz}')).toEqual([Buffer.from('bar'), Buffer.from('baz')]);
    expect(map(array(base('tsquery')))).toBeNull();
  });

  it('names the column when an element is bad', () => {
    expect(() => must(map(array(base('int4')))).fromText('{1,x}')).toThrow(DataError);
    expect(() => must(map(array(base('int4')))).fromText('{1,2')).toThrow(/column col \(_int4\)/);
  });
});

describe('defaults (PostgresDefaultValueConverter)', () => {
  const dflt = (type: PgTypeInfo, expr: string, opts: Parameters<typeof map>[1] = {}): unknown => must(map(type, { ...opts, dflt: expr })).schema.defaultValue;

  it('puts constant defaults into the schema, converted like values', () => {
    expect(dflt(base('int4'), '42')).toBe(42);
    expect(dflt(base('int4'), "'-42'::integer")).toBe(-42);
    expect(dflt(base('int8'), "'-9223372036854775808'::bigint")).toBe(-9223372036854775808n);
    expect(dflt(base('text'), "'it''s'::text")).toBe("it's");
    expect(dflt(base('varchar'), "'ab'::text")).toBe('ab');
    expect(dflt(base('bool'), 'true')).toBe(true);
    expect(dflt(base('numeric'), '1.5', { typeMod: ((10 << 16) | 2) + 4 })).toEqual(new Decimal(150n, 2));
    expect(dflt(base('float8'), "'100000000000000000000'::numeric")).toBe(1e20);
    expect(dflt(base('float4'), "'NaN'::real")).toBeNaN();
    expect(dflt(base('date'), "'2024-01-01'::date")).toBe(19723);
    expect(dflt(base('timestamp'), "'2024-01-01 10:00:00'::timestamp without time zone")).toBe(1704103200000000);
    expect(dflt(base('timestamptz'), "'2024-01-01 10:00:00+00'::timestamp with time zone")).toBe('2024-01-01T10:00:00.000000Z');
    expect(dflt(base('time'), "'12:00:00'::time without time zone")).toBe(43200000000);
    expect(dflt(base('interval'), "'P1D'::interval")).toBe(86400000000);
    expect(dflt(base('jsonb'), "'{}'::jsonb")).toBe('{}');
    expect(dflt(base('uuid'), "'76019d1a-ad2e-4b22-96e9-1a6d6543c818'::uuid")).toBe('76019d1a-ad2e-4b22-96e9-1a6d6543c818');
    expect(dflt(base('bit'), `'101'::"bit"`, { typeMod: 3 })).toEqual(Buffer.from([5]));
    expect(dflt(mood, "'ok'::mood")).toBe('ok');
  });

  it('a function default is the type’s zero value: serial keys get 0 (PostgresSchemaIT), now() the epoch', () => {
    const serial = must(map(base('int4'), { optional: false, dflt: "nextval('t_id_seq'::regclass)" }));
    expect(serial.schema).toMatchObject({ type: 'int32', optional: false, defaultValue: 0 });
    expect(dflt(base('int8'), "nextval('t_id_seq'::regclass)")).toBe(0);
    expect(dflt(base('timestamptz'), 'now()')).toBe('1970-01-01T00:00:00.000000Z');
    expect(dflt(base('timestamptz'), 'CURRENT_TIMESTAMP')).toBe('1970-01-01T00:00:00.000000Z');
    expect(dflt(base('date'), 'CURRENT_DATE')).toBe(0);
    expect(dflt(base('uuid'), 'gen_random_uuid()')).toBe('00000000-0000-0000-0000-000000000000');
    expect(dflt(base('text'), 'md5((random())::text)')).toBe('');
    expect(dflt(base('bool'), '(random() > (0.5)::double precision)')).toBe(false);
    expect(dflt(base('interval'), 'make_interval(days => 1)')).toBe(0);
  });

  it('sets no default where Debezium has none', () => {
    expect(dflt(base('int4'), 'NULL::integer')).toBeUndefined();
    expect(dflt(base('text'), 'NULL::text')).toBeUndefined();
    expect(dflt(base('numeric'), '1.234', { typeMod: ((10 << 16) | 2) + 4 })).toBeUndefined(); // setScale would round
    expect(dflt(base('numeric'), "'-1.5'::numeric")).toBeUndefined(); // a VariableScaleDecimal struct
    expect(dflt(base('bytea'), "'\\x01'::bytea")).toBeUndefined();
    expect(dflt(base('money'), "'$1.00'::money")).toBeUndefined();
    expect(dflt(base('timetz'), "'12:00:00+00'::time with time zone")).toBeUndefined();
    expect(dflt(base('int4'), '(1 + 2)')).toBeUndefined();
    expect(dflt(mood, "'ok'::other_enum")).toBeUndefined();
    const posint: PgTypeInfo = { oid: 5, name: 'posint', schema: 'public', kind: 'domain', base: base('int4'), baseTypeMod: -1 };
    expect(dflt(posint, '5')).toBeUndefined();
    expect(dflt(array(base('int4')), "'{1}'::integer[]")).toBeUndefined();
  });
});

describe('unchanged TOAST placeholder (UnchangedToastedPlaceholder)', () => {
  const P = '__debezium_unavailable_value';
  const un = (type: PgTypeInfo, modes: Partial<TypeModes> = {}, typeMod = -1): unknown => must(map(type, { modes, typeMod })).unavailable;

  it('strings get the placeholder, bytes its UTF-8 bytes', () => {
    for (const t of ['text', 'varchar', 'jsonb', 'xml']) expect(un(base(t))).toBe(P);
    expect(un(mood)).toBe(P);
    expect(un(base('numeric'), { decimal: 'string' })).toBe(P);
    expect(un(base('interval'), { interval: 'string' })).toBe(P);
    expect(un(base('bytea'))).toEqual(Buffer.from(P));
    expect(un(base('bytea'), { binary: 'hex' })).toBe(P);
    expect(un(base('bytea'), { binary: 'base64' })).toBeNull();
    expect(un(base('text'), { unavailablePlaceholder: 'gone' })).toBe('gone');
  });

  it('a hex: placeholder (unavailable.value.placeholder=hex:ff00) gives bytea columns exactly those bytes', () => {
    const s = parsePgCdcSettings({ 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd', 'topic.prefix': 't', 'unavailable.value.placeholder': 'hex:ff00' });
    expect(un(base('bytea'), s.typeModes)).toEqual(Buffer.from([0xff, 0x00]));
    expect(un(array(base('bytea')), s.typeModes)).toEqual([Buffer.from([0xff, 0x00])]);
  });

  it('hstore gets {placeholder: placeholder}', () => {
    expect(un(base('hstore', 'public'))).toBe(`{"${P}":"${P}"}`);
    expect(un(base('hstore', 'public'), { hstore: 'map' })).toEqual(new Map([[P, P]]));
  });

  it('arrays: [placeholder] for text-like, the placeholder bytes as numbers for int4[]/int8[]/date[], a name UUID for uuid[]', () => {
    expect(un(array(base('text')))).toEqual([P]);
    expect(un(array(base('jsonb')))).toEqual([P]);
    expect(un(array(base('bytea')))).toEqual([Buffer.from(P)]);
    expect(un(array(base('int4')))).toEqual([...Buffer.from(P)]);
    expect(un(array(base('int8')))).toEqual([...Buffer.from(P)]);
    const [uuid] = un(array(base('uuid'))) as [string];
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is null where Debezium’s own value would not fit the schema', () => {
    expect(un(base('numeric'))).toBeNull();
    expect(un(base('int4'))).toBeNull();
    expect(un(base('point'))).toBeNull();
    expect(un(array(base('float8')))).toBeNull();
  });
});
