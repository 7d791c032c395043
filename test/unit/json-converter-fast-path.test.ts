/**
 * The JsonConverter's fast path (an envelope whose bytes start with a schema head seen before: only
 * the payload is parsed, by a reader compiled for the schema) against the general path (a fresh
 * converter, which parses every envelope whole): same values, same types, same errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Schema, Decimal, SchemaBuilder, Schemas, Struct } from '../../src/sdk/index.js';
import { JsonConverter } from '../../src/runtime/converters/index.js';

const T = 'orders';

function converter(settings: Record<string, string> = {}): JsonConverter {
  const c = new JsonConverter();
  c.configure(settings, false);
  return c;
}

const fingerprint = (s: Schema | null): string =>
  JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v.entries()] : v));

/** A text that differs for any difference in value or type (number vs bigint, -0, Buffer, Decimal scale, …). */
function canon(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined': return 'undefined';
    case 'number': return Object.is(v, -0) ? 'n:-0' : `n:${v}`;
    case 'bigint': return `b:${v}`;
    case 'string': return `s:${JSON.stringify(v)}`;
    case 'boolean': return String(v);
  }
  if (Buffer.isBuffer(v)) return `buf:${v.toString('hex')}`;
  if (v instanceof Decimal) return `dec:${v.unscaled}/${v.scale}`;
  if (v instanceof Date) return `date:${v.getTime()}`;
  if (v instanceof Struct) return `struct:${fingerprint(v.schema)}{${v.schema.fields!.map((f) => `${f.name}=${canon(v.valueAt(f.index))}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (v instanceof Map) return `map{${[...v].map(([k, x]) => `${canon(k)}=>${canon(x)}`).join(',')}}`;
  const proto = Object.getPrototypeOf(v) === Object.prototype ? 'obj' : `obj(${String(Object.getPrototypeOf(v))})`;
  return `${proto}{${Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)}:${canon(x)}`).join(',')}}`;
}

/** What reading `bytes` gives: the schema and value, or the error. */
function outcome(c: JsonConverter, bytes: Buffer): string {
  try {
    const r = c.toConnectData(T, bytes);
    return `ok ${fingerprint(r.schema)} ${canon(r.value)}`;
  } catch (err) {
    return `${(err as Error).constructor.name}: ${(err as Error).message}`;
  }
}

/** Base64 of the minimal two's-complement bytes of `v`, as Connect writes a Decimal's unscaled value. */
function twosBase64(v: bigint): string {
  let len = 1;
  while (v >= 1n << BigInt(8 * len - 1) || v < -(1n << BigInt(8 * len - 1))) len++;
  const u = v < 0n ? (1n << BigInt(8 * len)) + v : v;
  return Buffer.from(u.toString(16).padStart(2 * len, '0'), 'hex').toString('base64');
}

const headOf = (bytes: Buffer): Buffer => bytes.subarray(0, bytes.indexOf('"payload":') + '"payload":'.length);

/** Reads `doc` with a converter that knows its head (from `primer`) and with a fresh one; both must agree. */
function expectSameAsWhole(primer: Buffer, doc: Buffer, settings: Record<string, string> = {}): { fast: boolean; result: string } {
  const warm = converter(settings);
  warm.toConnectData(T, primer);
  const before = warm.readCounts().afterHead;
  const result = outcome(warm, doc);
  expect(result).toBe(outcome(converter(settings), doc));
  return { fast: warm.readCounts().afterHead > before, result };
}

// ---------------------------------------------------------------- generators

interface Gen {
  readonly schema: Schema;
  readonly value: fc.Arbitrary<unknown>;
}

const INT64_MAX = 2n ** 63n - 1n;
const int64Value = fc.bigInt({ min: -INT64_MAX - 1n, max: INT64_MAX }).map((v) => (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v));
const text = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 8 });

const leaves: fc.Arbitrary<Gen> = fc.oneof(
  fc.constant<Gen>({ schema: Schemas.INT8, value: fc.integer({ min: -128, max: 127 }) }),
  fc.constant<Gen>({ schema: Schemas.INT16, value: fc.integer({ min: -32768, max: 32767 }) }),
  fc.constant<Gen>({ schema: Schemas.INT32, value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.constant<Gen>({ schema: Schemas.INT64, value: int64Value }),
  fc.constant<Gen>({ schema: Schemas.FLOAT64, value: fc.double({ noNaN: true }) }),
  fc.constant<Gen>({ schema: Schemas.BOOLEAN, value: fc.boolean() }),
  fc.constant<Gen>({ schema: Schemas.STRING, value: text }),
  fc.constant<Gen>({ schema: Schemas.BYTES, value: fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)) }),
  fc.integer({ min: 0, max: 6 }).map<Gen>((scale) => ({
    schema: SchemaBuilder.decimal(scale).build(),
    value: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map((u) => new Decimal(u, scale)),
  })),
  fc.constant<Gen>({ schema: SchemaBuilder.timestamp().build(), value: fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)) }),
  // Defaults: a null (or missing) field reads as the default (replace.null.with.default).
  fc.constant<Gen>({ schema: SchemaBuilder.string().optional().defaultValue('dflt').build(), value: fc.option(text, { nil: null }) }),
  fc.constant<Gen>({ schema: SchemaBuilder.int64().defaultValue(7).build(), value: int64Value }),
);

const optional = (g: Gen): Gen => ({ schema: Object.freeze({ ...g.schema, optional: true }), value: fc.option(g.value, { nil: null }) });

const { gen: schemaGen } = fc.letrec<{ gen: Gen }>((tie) => ({
  gen: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaves,
    leaves.map(optional),
    tie('gen').map<Gen>((items) => ({ schema: SchemaBuilder.array(items.schema).build(), value: fc.array(items.value, { maxLength: 3 }) })),
    fc.tuple(fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/), tie('gen')), { selector: ([n]) => n, maxLength: 5 }), fc.boolean()).map<Gen>(([fields, opt]) => {
      let b = SchemaBuilder.struct().name('rec');
      if (opt) b = b.optional();
      for (const [name, g] of fields) b = b.field(name, g.schema);
      const schema = b.build();
      const value = fc.tuple(...fields.map(([, g]) => g.value)).map((vals) => {
        const s = new Struct(schema);
        fields.forEach(([name], i) => s.put(name, vals[i]));
        return s;
      });
      return { schema, value: opt ? fc.option(value, { nil: null }) : value };
    }),
  ),
}));

/** Text spliced into payloads: tokens the readers treat specially, and plain breakage. */
const SPLICES = [
  'null', 'true', 'false', '0', '-0', '-', '007', '1.0', '1e3', '1E+2', '12.5', '-1.5e-1', '9007199254740993', '-9223372036854775809',
  '9223372036854775807', '99999999999999999999', '1x', '"x"', '"AA=="', '"Hu9="', '"AAAA"', '"////"', '"gAAAAAAA"', '"f/////////"', '"AA="', '"A==="', '"=AAA"', '"AA==AA=="', '""', '"\\u0041"', '"\\x"', '{}', '[]', '{"a":1}', '[1,2]',
  ',', ':', '}', ']', '{', '[', '"', ' ', '\n', '\t', '\u00a0', '\ufeff', 'NaN', '"NaN"', '"Infinity"', ',"payload":1', ',"schema":null',
];

/** An edit of a payload text: at a fraction of its length, delete up to `del` characters, then insert a splice or not. */
const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), del: fc.nat(6), splice: fc.constantFrom(...SPLICES), insert: fc.boolean() });

function edited(payload: string, e: { at: number; del: number; splice: string; insert: boolean }): string {
  const at = Math.floor(e.at * payload.length);
  return payload.slice(0, at) + (e.insert ? e.splice : '') + payload.slice(Math.min(payload.length, at + e.del));
}

/** A first record (its head), and the payload texts of other records of the same schema. */
const records = schemaGen.chain((g) =>
  fc.tuple(g.value.filter((v) => v !== null), fc.array(g.value.filter((v) => v !== null), { minLength: 1, maxLength: 3 })).map(([value, others]) => {
    const w = converter();
    const primer = w.fromConnectData(T, g.schema, value)!;
    const head = headOf(primer);
    return { primer, head, payloads: others.map((v) => w.fromConnectData(T, g.schema, v)!.subarray(head.length, -1).toString('utf8')) };
  }),
);

// ---------------------------------------------------------------- tests

describe('JsonConverter fast path (known schema head)', () => {
  it('reads other records of the same schema as the general path does, by the fast path', () => {
    fc.assert(
      fc.property(records, ({ primer, head, payloads }) => {
        for (const p of payloads) {
          const doc = Buffer.concat([head, Buffer.from(`${p}}`, 'utf8')]);
          const { fast } = expectSameAsWhole(primer, doc);
          expect(fast).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the general path on edited and foreign payloads, values and errors alike', () => {
    fc.assert(
      fc.property(records, fc.array(edit, { maxLength: 4 }), fc.array(fc.json(), { maxLength: 2 }), ({ primer, head, payloads }, edits, foreign) => {
        for (const p of [...edits.map((e, i) => edited(payloads[i % payloads.length]!, e)), ...foreign]) {
          for (const tail of [`${p}}`, ` ${p} } `, `${p}`, `${p}}}`]) expectSameAsWhole(primer, Buffer.concat([head, Buffer.from(tail, 'utf8')]));
        }
      }),
      { numRuns: 150, endOnFailure: true },
    );
  });

  it('agrees with the general path with replace.null.with.default=false and decimal.format=NUMERIC', () => {
    const settings = { 'replace.null.with.default': 'false', 'decimal.format': 'NUMERIC' };
    fc.assert(
      fc.property(schemaGen.chain((g) => fc.tuple(fc.constant(g.schema), g.value.filter((v) => v !== null), g.value)), ([schema, a, b]) => {
        const w = converter(settings);
        const primer = w.fromConnectData(T, schema, a)!;
        const head = headOf(primer);
        for (const payload of [b === null ? 'null' : w.fromConnectData(T, schema, b)!.subarray(head.length, -1).toString('utf8'), '{}', 'null']) {
          expectSameAsWhole(primer, Buffer.concat([head, Buffer.from(`${payload}}`)]), settings);
        }
      }),
      { numRuns: 300 },
    );
  });

  const s = SchemaBuilder.struct().name('k').field('id', Schemas.INT64).field('name', Schemas.OPTIONAL_STRING).build();
  const primer = converter().fromConnectData(T, s, new Struct(s).put('id', 1).put('name', 'a'))!;
  const head = headOf(primer);
  const doc = (tail: string | Buffer): Buffer => Buffer.concat([head, typeof tail === 'string' ? Buffer.from(tail, 'utf8') : tail]);

  it('takes the fast path for the common cases and keeps int64 exact', () => {
    for (const tail of ['{"id":9223372036854775807,"name":null}}', '{"name":"é","id":-0}}', '{"id":42}}', ' {"id":1,"id":2} }\n', '{"id":00012,"x":[{"y":1}]}}', '{"id":9007199254740991}}', '{"id":9007199254740992}}', '{"id":-9007199254740993}}', '{"id":0009007199254740}}', '{"id":1000000000000000}}', `{"id":1,"x":${'['.repeat(998)}${']'.repeat(998)}}}`]) {
      expect(expectSameAsWhole(primer, doc(tail)).fast).toBe(true);
    }
    const r = converter();
    r.toConnectData(T, primer);
    const v = r.toConnectData(T, doc('{"id":9223372036854775807}}')).value as Struct;
    expect(v.get('id')).toBe(9223372036854775807n);
    expect(Object.is((r.toConnectData(T, doc('{"id":-0}}')).value as Struct).get('id'), 0)).toBe(true);
  });

  it('reads Decimal base64 as the general path does, short and long, canonical or not', () => {
    const d = SchemaBuilder.struct().name('d').field('amount', SchemaBuilder.decimal(2).build()).build();
    const first = converter().fromConnectData(T, d, new Struct(d).put('amount', new Decimal(7919n, 2)))!;
    const dHead = headOf(first);
    const texts = ['AA==', 'Hu8=', 'Hu9=', 'Hu/=', '/w==', 'gA==', 'fw==', 'AAAA', '////', 'gAAAAAAA', 'f///////', 'AAAAAAAAAAAA', '////////////', 'AA=', 'A===', '=AAA', 'AA==AA==', '', '_-8=', 'é===', 'AAAAAA=='];
    for (const t of [...texts, ...Array.from({ length: 200 }, (_, i) => twosBase64(BigInt(Math.round((i - 100) * 1.37 ** (i % 60)))))]) {
      expectSameAsWhole(first, Buffer.concat([dHead, Buffer.from(`{"amount":"${t}"}}`)]));
      expectSameAsWhole(first, Buffer.concat([dHead, Buffer.from(`{"amount":${t.length > 0 && /^[0-9]/.test(t) ? t : '12.3'}}}`)]));
    }
  });

  it('falls back to the general path, with its exact errors, when the tail is not one value and a brace', () => {
    const cases: Array<string | Buffer> = [
      '{"id":1}', // no closing brace
      '{"id":1},"payload":{"id":2}}', // a repeated payload: the last one counts
      '{"id":1},"schema":null}', // a repeated schema: the last one counts
      '{"id":1}}x',
      '{"id":1.0}}', // integral with a fraction: the general path accepts it
      '{"id":1e2}}',
      '{"id":"1"}}',
      '{"id":9223372036854775808}}',
      '{"name":"a"}}', // required id missing
      '\ufeff{"id":1}}', // a BOM after the head is content, not a mark
      Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x31, 0x2c, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d, 0x7d]), // invalid UTF-8
      '{"id":1,"name":"\u0001"}}', // a raw control character
      `{"id":1,"x":${'['.repeat(999)}${']'.repeat(999)}}}`, // beyond it
    ];
    for (const tail of cases) {
      const { fast } = expectSameAsWhole(primer, doc(tail));
      expect([tail, fast]).toEqual([tail, false]);
    }
  });

  it('learns no head from an envelope with the payload first, a BOM or a disabled schema cache', () => {
    const payloadFirst = Buffer.from(`{"payload":{"id":1,"name":"a"},"schema":${primer.subarray(10, head.length - 11).toString('utf8')}}`);
    const c = converter();
    expect(outcome(c, payloadFirst)).toBe(outcome(converter(), primer));
    c.toConnectData(T, payloadFirst);
    expect(c.readCounts()).toEqual({ afterHead: 0, whole: 2 });

    const bom = converter();
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), primer]);
    bom.toConnectData(T, withBom);
    expect(outcome(bom, withBom)).toBe(outcome(converter(), withBom));
    expect(bom.readCounts().afterHead).toBe(0);

    const uncached = converter({ 'schemas.cache.size': '0' });
    uncached.toConnectData(T, primer);
    uncached.toConnectData(T, primer);
    expect(uncached.readCounts()).toEqual({ afterHead: 0, whole: 2 });
  });

  it('stops trying a head whose payloads keep missing the fast path', () => {
    const c = converter();
    c.toConnectData(T, primer);
    for (let i = 0; i < 40; i++) expect(outcome(c, doc(`{"id":${i}.0}}`))).toBe(outcome(converter(), doc(`{"id":${i}.0}}`)));
    expect(c.readCounts()).toEqual({ afterHead: 0, whole: 41 });
    c.toConnectData(T, doc('{"id":1}}'));
    expect(c.readCounts().afterHead).toBe(0);
    // A hit resets the count.
    const d = converter();
    d.toConnectData(T, primer);
    for (let i = 0; i < 40; i++) d.toConnectData(T, doc(i % 10 === 9 ? '{"id":1}}' : '{"id":1.0}}'));
    expect(d.readCounts().afterHead).toBe(4);
  });

  it('tries a given-up head again now and then: the fast path comes back after a burst of misses', () => {
    for (const burst of [40, 300, 1000]) {
      const c = converter();
      c.toConnectData(T, primer);
      for (let i = 0; i < burst; i++) c.toConnectData(T, doc('{"id":1.0}}'));
      expect(c.readCounts()).toEqual({ afterHead: 0, whole: burst + 1 });
      // Good records again: not tried each (the first ones go whole), but within 256 the head is tried and hits.
      let whole = 0;
      while (c.readCounts().afterHead === 0 && whole <= 256) {
        c.toConnectData(T, doc('{"id":1}}'));
        whole++;
      }
      expect([burst, whole > 1 && whole <= 256]).toEqual([burst, true]);
      // Back for good: a hit resets the count.
      for (let i = 0; i < 50; i++) c.toConnectData(T, doc('{"id":1}}'));
      expect(c.readCounts()).toEqual({ afterHead: 51, whole: burst + whole });
    }
  });

  it('keeps a few heads, most recently used first, and a schemaless head too', () => {
    const c = converter();
    const w = converter();
    const records = Array.from({ length: 10 }, (_, i) => {
      const si = SchemaBuilder.struct().name(`s${i}`).field('id', Schemas.INT32).build();
      return w.fromConnectData(T, si, new Struct(si).put('id', i))!;
    });
    for (const r of records) c.toConnectData(T, r);
    for (const r of records.slice(2)) c.toConnectData(T, r);
    expect(c.readCounts()).toEqual({ afterHead: 8, whole: 10 });
    c.toConnectData(T, records[0]!); // evicted
    expect(c.readCounts().whole).toBe(11);

    const nullHead = Buffer.from('{"schema":null,"payload":');
    const s2 = converter();
    s2.toConnectData(T, Buffer.concat([nullHead, Buffer.from('1}')]));
    for (const p of ['{"a":[1,2.5,"x",null,true]}', '12345678901234567890', '-0', '"s"']) {
      expect(expectSameAsWhole(Buffer.concat([nullHead, Buffer.from('1}')]), Buffer.concat([nullHead, Buffer.from(`${p}}`)])).fast).toBe(true);
    }
  });
});
