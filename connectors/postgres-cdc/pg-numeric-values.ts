/**
 * NUMERIC and MONEY as Debezium maps them per `decimal.handling.mode` (`SpecialValueDecimal`,
 * `VariableScaleDecimal`, `PostgresValueConverter#convertMoney`). Values are exact: the text is read
 * into a bigint and a scale, never through a float (except in `double` mode, where Debezium uses
 * `BigDecimal#doubleValue`, which is correctly rounded like `parseFloat`).
 */
import { Decimal, SchemaBuilder, Struct, twosComplementBytes, type Schema } from '../../src/sdk/index.js';
import type { TypeModes } from './pg-value-mapping.js';

type DecimalMode = TypeModes['decimal'];

const ZERO = 48;

/** Reads `-123.4500` into unscaled and scale. */
export function parseDecimal(text: string): Decimal {
  let i = 0;
  const neg = text.charCodeAt(0) === 45;
  if (neg || text.charCodeAt(0) === 43) i = 1;
  let digits = '';
  let scale = 0;
  const point = text.indexOf('.', i);
  if (point < 0) digits = text.slice(i);
  else {
    digits = text.slice(i, point) + text.slice(point + 1);
    scale = text.length - point - 1;
  }
  if (digits === '') throw new RangeError('number expected');
  for (let j = 0; j < digits.length; j++) {
    const c = digits.charCodeAt(j) - ZERO;
    if (c < 0 || c > 9) throw new RangeError('number expected');
  }
  const unscaled = digits.length < 16 ? BigInt(Number(digits)) : BigInt(digits);
  return new Decimal(neg ? -unscaled : unscaled, scale);
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** BigDecimal#setScale without rounding: throws when digits would be lost (ArithmeticException). */
function withScale(d: Decimal, scale: number): Decimal {
  const r = d.withScale(scale);
  if (!r) throw new RangeError(`has more than ${scale} fraction digits`);
  return r;
}

/** BigDecimal#setScale(scale, HALF_UP). */
function roundHalfUp(d: Decimal, scale: number): Decimal {
  if (d.scale <= scale) return withScale(d, scale);
  const f = pow10(d.scale - scale);
  const abs = d.unscaled < 0n ? -d.unscaled : d.unscaled;
  let q = abs / f;
  if ((abs % f) * 2n >= f) q += 1n;
  return new Decimal(d.unscaled < 0n ? -q : q, scale);
}

/**
 * BigDecimal#stripTrailingZeros, then a negative scale back to 0 (PostgresValueConverter#convertDecimal):
 * fraction zeros are dropped from the text before it is read.
 */
function parseStripped(text: string): Decimal {
  let end = text.length;
  const point = text.indexOf('.');
  if (point >= 0) {
    while (end > point + 1 && text.charCodeAt(end - 1) === ZERO) end--;
    if (end === point + 1) end = point;
  }
  const d = parseDecimal(end === text.length ? text : text.slice(0, end));
  return d.unscaled === 0n && d.scale !== 0 ? new Decimal(0n, 0) : d;
}

/** NaN and ±Infinity: in `string` mode SpecialValueDecimal's names, in `double` mode the doubles; precise refuses them. */
function special(text: string, mode: DecimalMode): unknown {
  const c = text.charCodeAt(0);
  if (c !== 78 && c !== 73 && !(c === 45 && text.charCodeAt(1) === 73)) return undefined; // N, I, -I
  const name = text === 'NaN' ? 'NAN' : text === 'Infinity' ? 'POSITIVE_INFINITY' : text === '-Infinity' ? 'NEGATIVE_INFINITY' : undefined;
  if (name === undefined) return undefined;
  if (mode === 'string') return name;
  if (mode === 'double') return Number(text);
  throw new RangeError("a special value (NaN/Infinity) needs decimal.handling.mode 'string' or 'double'");
}

/**
 * NUMERIC(p,s): precise → Decimal(scale s, connect.decimal.precision p); unconstrained precise →
 * VariableScaleDecimal {scale, value}; double → FLOAT64; string → the plain digits at the column scale.
 */
export function numericMapping(
  mode: DecimalMode,
  precision: number,
  scale: number,
  variable: boolean,
): { builder: SchemaBuilder; convert: (t: string, schema: Schema) => unknown } {
  if (mode === 'double') {
    return { builder: SchemaBuilder.float64(), convert: (t) => special(t, mode) ?? checkedNumber(t) };
  }
  if (mode === 'string') {
    return {
      builder: SchemaBuilder.string(),
      // Plain digits (Debezium's toPlainString): a negative scale (NUMERIC(5,-2)) is printed at scale 0, "12300".
      convert: (t) => special(t, mode) ?? (variable ? parseDecimal(t) : withScale(parseDecimal(t), Math.max(scale, 0))).toString(),
    };
  }
  if (variable) {
    const builder = SchemaBuilder.struct().name('io.debezium.data.VariableScaleDecimal').version(1).doc('Variable scaled decimal')
      .field('scale', SchemaBuilder.int32().build()).field('value', SchemaBuilder.bytes().build());
    return {
      builder,
      convert: (t, schema) => {
        special(t, mode);
        const d = parseStripped(t);
        return Struct.fromValues(schema, [d.scale, twosComplementBytes(d.unscaled)]);
      },
    };
  }
  return {
    builder: SchemaBuilder.decimal(scale).parameter('connect.decimal.precision', String(precision)),
    convert: (t) => {
      special(t, mode);
      return withScale(parseDecimal(t), scale);
    },
  };
}

function checkedNumber(t: string): number {
  const n = Number(t);
  if (Number.isNaN(n)) throw new RangeError('number expected');
  return n;
}

/** Money as printed under lc_monetary C (`$1,234.56`, `-$1,234.56`): sign, digits and point kept. */
function parseMoney(text: string): Decimal {
  let neg = false;
  let clean = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= ZERO && c <= ZERO + 9) || c === 46) clean += text[i];
    else if (c === 45 || c === 40) neg = true; // '-' or '(' (PostgresMoney)
  }
  const d = parseDecimal(clean);
  return neg ? new Decimal(-d.unscaled, d.scale) : d;
}

/** MONEY: Decimal(scale money.fraction.digits, HALF_UP), FLOAT64 or the plain number. */
export function moneyMapping(mode: DecimalMode, fractionDigits: number): { builder: SchemaBuilder; convert: (t: string) => unknown } {
  if (mode === 'double') return { builder: SchemaBuilder.float64(), convert: (t) => parseMoney(t).toNumber() };
  if (mode === 'string') return { builder: SchemaBuilder.string(), convert: (t) => parseMoney(t).toString() };
  return { builder: SchemaBuilder.decimal(fractionDigits), convert: (t) => roundHalfUp(parseMoney(t), fractionDigits) };
}

/** The parts of a numeric type modifier (`(p << 16 | s) + 4`; scale is signed since PG 15). */
export function numericTypmod(typeMod: number): { precision: number; scale: number } | null {
  if (typeMod < 4) return null;
  const v = typeMod - 4;
  return { precision: (v >> 16) & 0xffff, scale: ((v & 0x7ff) ^ 1024) - 1024 };
}
