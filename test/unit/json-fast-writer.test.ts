/**
 * The compiled writer (json-writer.ts) against the reference walk (`toJson` in json-data.ts): for
 * random schemas and values the JsonConverter's bytes, or its error, must be exactly what the
 * reference path gives, with schemas enabled or not, for both decimal formats and both
 * replace.null.with.default settings.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Schema, DataError, Decimal, LOGICAL, SchemaBuilder, Schemas, Struct } from '../../src/sdk/index.js';
import { JsonConverter } from '../../src/runtime/converters/index.js';
import { type DecimalFormat, type JsonDataOptions, toJson } from '../../src/runtime/converters/json-data.js';
import { asJsonSchema } from '../../src/runtime/converters/json-schema.js';
import { fastJson } from '../../src/runtime/converters/json-writer.js';
import { Where } from '../../src/runtime/converters/where.js';

const T = 'orders';
const DAY = 86_400_000;

// ---------------------------------------------------------------- the two paths

interface Setup {
  readonly o: JsonDataOptions;
  readonly schemasEnable: boolean;
  readonly isKey: boolean;
  readonly converter: JsonConverter;
}

const SETUPS: Setup[] = [];
for (const decimalFormat of ['BASE64', 'NUMERIC'] as DecimalFormat[]) {
  for (const replaceNullWithDefault of [true, false]) {
    for (const schemasEnable of [true, false]) {
      for (const isKey of [false, true]) {
        const converter = new JsonConverter();
        converter.configure({
          'decimal.format': decimalFormat,
          'replace.null.with.default': String(replaceNullWithDefault),
          'schemas.enable': String(schemasEnable),
        }, isKey);
        SETUPS.push({ o: { decimalFormat, replaceNullWithDefault }, schemasEnable, isKey, converter });
      }
    }
  }
}

type Outcome = { bytes: string | null } | { error: string };

function outcome(fn: () => Buffer | null): Outcome {
  try {
    const b = fn();
    return { bytes: b === null ? null : b.toString('latin1') };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

/** What JsonConverter wrote before the compiled writer: the reference walk, then the envelope. */
function referenceWrite(s: Setup, schema: Schema | null, value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  const payload = toJson(schema, value, s.o, Where.root(T, s.isKey ? 'key' : 'value'));
  if (!s.schemasEnable) return Buffer.from(payload, 'utf8');
  const jsonSchema = schema === null ? 'null' : asJsonSchema(schema, s.o, Where.root(T, 'schema'));
  return Buffer.from(`{"schema":${jsonSchema},"payload":${payload}}`, 'utf8');
}

/**
 * Same bytes or the same error under every setup. With `strict`, the compiled writer must also have
 * answered by itself wherever the reference succeeds (no silent fallback).
 */
function checkAll(schema: Schema, value: unknown, strict: boolean): void {
  for (const s of SETUPS) {
    const expected = outcome(() => referenceWrite(s, schema, value));
    expect(outcome(() => s.converter.fromConnectData(T, schema, value))).toEqual(expected);
    if (value === null || value === undefined) continue;
    let ref: string | undefined;
    try {
      ref = toJson(schema, value, s.o, Where.root(T, 'value'));
    } catch {
      ref = undefined;
    }
    const fast = fastJson(schema, value, s.o);
    if (ref === undefined) expect(fast).toBeUndefined();
    else if (strict || fast !== undefined) expect(fast).toBe(ref);
  }
}

// ---------------------------------------------------------------- generators

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE = 2n ** 53n - 1n;

const specialUnit = fc.constantFrom('"', '\\', '\n', '\t', '\b', '\f', '\r', '\u0000', '\u0001', '\u000b', '\u001f', '\u007f', '\u2028', '\ud800', '\udfff', '😀', 'é', '€', '/');
const text = fc.string({
  unit: fc.oneof(fc.constantFrom(...'abcxyz019 -_.{}:'.split('')), specialUnit, fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))),
  maxLength: 14,
});
const fieldName = fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), fc.constantFrom('a"b', 'back\\slash', 'nl\n', 'é€', '\u0001', '', 'null'));

const int64Value = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.bigInt({ min: -SAFE, max: SAFE }).map(Number),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.bigInt({ min: -1000n, max: 1000n }), // bigints in the safe range are valid too
  fc.constantFrom<number | bigint>(Number(SAFE), -Number(SAFE), SAFE + 1n, -SAFE - 1n, INT64_MAX, INT64_MIN, -0),
);
const float64Value = fc.oneof(
  fc.double(),
  fc.integer({ min: -20_000_000, max: 20_000_000 }),
  fc.constantFrom(9_999_999, 1e7, -9_999_999, -1e7, 1e21, 2 ** 53, 0.1, 1e-7, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE),
);
const unscaled = fc.oneof(
  fc.bigInt({ min: -100_000n, max: 100_000n }),
  fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  fc.constantFrom(0n, -1n, 127n, 128n, -128n, -129n, 32767n, 32768n, -32768n, -32769n, 2n ** 47n, 2n ** 47n - 1n, -(2n ** 47n), -(2n ** 47n) - 1n),
);

function decimalValue(scale: number): fc.Arbitrary<Decimal> {
  return fc.tuple(unscaled, fc.integer({ min: -2, max: 2 })).map(([u, shift]) => {
    // A decimal at the schema's scale, or at another scale that rescales without loss.
    if (shift > 0) return new Decimal(u * 10n ** BigInt(shift), scale + shift);
    if (shift < 0 && scale + shift >= 0) return new Decimal(u, scale + shift);
    return new Decimal(u, scale);
  });
}

const leafSchema: fc.Arbitrary<Schema> = fc.oneof(
  fc.constantFrom(Schemas.INT8, Schemas.INT16, Schemas.INT32, Schemas.INT64, Schemas.FLOAT32, Schemas.FLOAT64, Schemas.BOOLEAN, Schemas.STRING, Schemas.BYTES),
  fc.integer({ min: 0, max: 12 }).map((scale) => SchemaBuilder.decimal(scale).parameter('connect.decimal.precision', '30').build()),
  fc.constantFrom(SchemaBuilder.date().build(), SchemaBuilder.time().build(), SchemaBuilder.timestamp().build()),
  // A named, non-logical schema is just its type.
  fc.constant(SchemaBuilder.string().name('io.debezium.data.Json').version(1).build()),
);

/** Optional and/or with a default (a valid, non-null value of the schema). */
function modified(schemas: fc.Arbitrary<Schema>): fc.Arbitrary<Schema> {
  return schemas.chain((schema) =>
    fc.record({ optional: fc.boolean(), withDefault: fc.boolean(), d: valueOf(schema, false, false) }).map(({ optional, withDefault, d }) =>
      Object.freeze({ ...schema, optional: optional || schema.optional, ...(withDefault ? { defaultValue: d } : {}) }),
    ),
  );
}

const { schema: schemaArb } = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    modified(leafSchema),
    modified(tie('schema').map((items) => SchemaBuilder.array(items).build())),
    modified(fc.tuple(modified(leafSchema), tie('schema')).map(([k, v]) => SchemaBuilder.map(k, v).build())),
    fc.tuple(fc.boolean(), fc.uniqueArray(fc.tuple(fieldName, tie('schema')), { selector: ([n]) => n, maxLength: 6 })).map(([optional, fields]) => {
      const b = SchemaBuilder.struct().name('rec');
      if (optional) b.optional();
      for (const [name, s] of fields) b.field(name, s);
      return b.build();
    }),
  ),
}));

const OTHER_STRUCT = SchemaBuilder.struct().name('other').field('id', Schemas.INT32).build();
const sparse = [1, 2, 3];
delete sparse[1];

/** Values that usually do not fit: wrong types, out-of-range numbers, bad logical values. */
const junk = fc.constantFrom<unknown>(
  null, undefined, 'x', 7, 1.5, -0, 2 ** 60, 1e300, 2n, 2n ** 63n, -(2n ** 63n) - 1n, true, new Date(NaN), new Date(5), new Date(DAY + 1),
  new Date(-1), Buffer.from('ab'), new Decimal(1234n, 20), new Decimal(5n, -1), [], sparse, [1, 'a'], new Map([[1, 2]]), { a: 1 },
  Struct.fromValues(OTHER_STRUCT, [1]), Struct.fromValues(OTHER_STRUCT, ['not an int']),
);

/** A structurally equal copy of a struct schema (a different object: toJson compares them deeply). */
function equalCopy(s: Schema): Schema {
  return Object.freeze({ ...s, fields: Object.freeze(s.fields!.map((f) => ({ ...f }))) });
}

function valueOf(schema: Schema, withJunk: boolean, nullable = true): fc.Arbitrary<unknown> {
  let arb = cleanValueOf(schema, withJunk);
  if (nullable && (schema.optional || schema.defaultValue !== undefined)) {
    arb = fc.oneof({ arbitrary: arb, weight: 4 }, { arbitrary: fc.constantFrom(null, undefined), weight: 1 });
  }
  return withJunk ? fc.oneof({ arbitrary: arb, weight: 8 }, { arbitrary: junk, weight: 1 }) : arb;
}

function cleanValueOf(schema: Schema, withJunk: boolean): fc.Arbitrary<unknown> {
  switch (schema.name) {
    case LOGICAL.DECIMAL:
      return decimalValue(Number(schema.parameters![LOGICAL.DECIMAL_SCALE]));
    case LOGICAL.DATE:
      return fc.integer({ min: -100_000, max: 100_000 }).map((d) => new Date(d * DAY));
    case LOGICAL.TIME:
      return fc.oneof(fc.integer({ min: 0, max: DAY }), fc.constantFrom(0, DAY - 1, DAY)).map((ms) => new Date(ms));
    case LOGICAL.TIMESTAMP:
      return fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms));
  }
  switch (schema.type) {
    case 'int8': return fc.integer({ min: -128, max: 127 });
    case 'int16': return fc.integer({ min: -32768, max: 32767 });
    case 'int32': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'int64': return int64Value;
    case 'float32': return fc.oneof(fc.float(), fc.integer({ min: -20_000_000, max: 20_000_000 }).map(Math.fround));
    case 'float64': return float64Value;
    case 'boolean': return fc.boolean();
    case 'string': return text;
    case 'bytes': return fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a));
    case 'array': return fc.array(valueOf(schema.valueSchema!, withJunk), { maxLength: 4 });
    case 'map':
      return fc.array(fc.tuple(valueOf(schema.keySchema!, withJunk), valueOf(schema.valueSchema!, withJunk)), { maxLength: 4 }).map((e) => new Map(e));
    case 'struct': {
      const fields = schema.fields!;
      const copy = equalCopy(schema);
      return fc.tuple(fc.boolean(), ...fields.map((f) => valueOf(f.schema, withJunk))).map(([useCopy, ...values]) =>
        Struct.fromValues(useCopy ? copy : schema, values),
      );
    }
  }
}

const clean = schemaArb.chain((schema) => valueOf(schema, false).map((value) => ({ schema, value })));
const dirty = schemaArb.chain((schema) => valueOf(schema, true).map((value) => ({ schema, value })));

// ---------------------------------------------------------------- properties

describe('compiled JSON writer = reference toJson (property)', () => {
  it('writes the same bytes for values that fit their schema, by itself (no fallback)', () => {
    fc.assert(fc.property(clean, ({ schema, value }) => checkAll(schema, value, true)), { numRuns: 600 });
  });

  it('gives the same bytes or the same error when values do not fit', () => {
    fc.assert(fc.property(dirty, ({ schema, value }) => checkAll(schema, value, false)), { numRuns: 600 });
  });

  it('writes every string as quoteJson does (Jackson escapes, lone surrogates as \\uXXXX)', () => {
    fc.assert(fc.property(text, (s) => checkAll(Schemas.STRING, s, true)), { numRuns: 1000 });
  });

  it('writes int64, float and decimal edge values exactly', () => {
    fc.assert(fc.property(int64Value, (v) => checkAll(Schemas.INT64, v, true)), { numRuns: 500 });
    fc.assert(fc.property(float64Value, (v) => checkAll(Schemas.FLOAT64, v, true)), { numRuns: 500 });
    fc.assert(fc.property(fc.float(), (v) => checkAll(Schemas.FLOAT32, v, true)), { numRuns: 500 });
    const dec = SchemaBuilder.decimal(3).build();
    fc.assert(fc.property(decimalValue(3), (v) => checkAll(dec, v, true)), { numRuns: 500 });
  });
});

describe('compiled JSON writer: errors and fallbacks', () => {
  const s = SchemaBuilder.struct().name('x')
    .field('id', Schemas.INT32)
    .field('tags', SchemaBuilder.array(Schemas.STRING).build())
    .field('when', SchemaBuilder.date().optional().build())
    .field('n', SchemaBuilder.int64().defaultValue(5).build())
    .build();

  it.each<[string, unknown]>([
    ['a wrong type in an array', Struct.fromValues(s, [1, ['a', 7], null, 1])],
    ['a null required field', Struct.fromValues(s, [null, [], null, 1])],
    ['a Date with a time', Struct.fromValues(s, [1, [], new Date(5), 1])],
    ['an int64 beyond 2^63', Struct.fromValues(s, [1, [], null, 2n ** 63n])],
    ['an unsafe int64 number', Struct.fromValues(s, [1, [], null, 2 ** 60])],
    ['a struct of another schema', Struct.fromValues(OTHER_STRUCT, [1])],
    ['not a struct', 'x'],
    ['a sparse array', Struct.fromValues(s, [1, sparse, null, 1])],
  ])('%s: same outcome as the reference', (_, value) => {
    checkAll(s, value, false);
    const fast = fastJson(s, value, SETUPS[0]!.o);
    if (fast !== undefined) throw new Error(`expected a fallback, got ${fast}`);
  });

  it.each<[string, Schema, unknown]>([
    ['a float32 beyond its range', Schemas.FLOAT32, 1e300],
    ['a float32 beyond its range, in a struct', SchemaBuilder.struct().field('f', Schemas.FLOAT32).build(), null],
    ['a sparse array of optional items', SchemaBuilder.array(Schemas.OPTIONAL_INT32).build(), sparse],
    ['a Time of a day and a millisecond', SchemaBuilder.time().build(), new Date(DAY + 1)],
    ['a Decimal with more digits than the scale', SchemaBuilder.decimal(2).build(), new Decimal(1234n, 3)],
    ['a Decimal schema without a scale', SchemaBuilder.bytes().name(LOGICAL.DECIMAL).build(), new Decimal(1n, 0)],
  ])('%s: same outcome as the reference, through it', (_, schema, value) => {
    const v = value === null ? Struct.fromValues(schema, [Number.MAX_VALUE]) : value;
    checkAll(schema, v, false);
    expect(fastJson(schema, v, SETUPS[0]!.o)).toBeUndefined();
  });

  it('reports exactly the reference error message', () => {
    const c = new JsonConverter();
    expect(() => c.fromConnectData(T, s, Struct.fromValues(s, [1, ['a', 7], null, 1]))).toThrow(new DataError('value.tags[1] on topic "orders": number 7 does not match schema type string'));
    expect(() => c.fromConnectData(T, s, Struct.fromValues(s, [null, [], null, 1])))
      .toThrow(new DataError('value.id on topic "orders": Conversion error: null value for field that is required and has no default value'));
  });

  it('writes the default of a null required field only when replacing', () => {
    const v = Struct.fromValues(s, [1, [], null, null]);
    checkAll(s, v, true);
    expect(fastJson(s, v, { decimalFormat: 'BASE64', replaceNullWithDefault: true })).toBe('{"id":1,"tags":[],"when":null,"n":5}');
    expect(fastJson(s, v, { decimalFormat: 'BASE64', replaceNullWithDefault: false })).toBeUndefined();
  });

  it('leaves schemas that are not frozen, and cyclic ones, to the reference path', () => {
    const loose: Schema = { type: 'array', optional: false, valueSchema: Schemas.INT32 };
    expect(fastJson(loose, [1, 2], SETUPS[0]!.o)).toBeUndefined();
    checkAll(loose, [1, 2], false);
    const cyclic = { type: 'array', optional: true } as { type: 'array'; optional: boolean; valueSchema?: Schema };
    cyclic.valueSchema = cyclic as Schema;
    Object.freeze(cyclic);
    checkAll(cyclic as Schema, [[[]], null, []], true);
  });
});
