/**
 * Kafka Connect's `Values.parseString`: the schema and value a piece of text stands for, as
 * InsertHeader infers them for `value.literal`. Ported from Kafka's tokenizer and parser:
 *
 * - `null`, `true`, `false` (alone, surrounding spaces allowed); `""` is an empty string;
 * - numbers: integers as the smallest of int8..int64 that holds them, then a Decimal of scale 0;
 *   other numbers as float32 when finite there, else float64, else a Decimal;
 * - `yyyy-MM-dd`, `HH:mm:ss.SSSZ` and `yyyy-MM-ddTHH:mm:ss.SSSZ` (lenient, UTC) as Date, Time and
 *   Timestamp;
 * - `[..]` and `{..}` whose elements are such literals or "quoted" strings, as arrays and maps with
 *   a common element schema when one exists (an array with no common schema has no value schema);
 * - anything else, including a malformed array or map, is the whole text as a string.
 */
import { type Schema, type SchemaAndValue, DataError, Decimal, LOGICAL, MAX_DECIMAL_DIGITS, SchemaBuilder, Schemas } from '../../src/sdk/index.js';
import { JavaDateFormat } from './java-date-format.js';
import { parseJavaDate } from './java-date-parse.js';

const DELIMITERS = ':,{}[]"';
const javaTrim = (s: string): string => s.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
const isBlank = (s: string): boolean => javaTrim(s) === '';

const DATE = { schema: SchemaBuilder.date().build(), format: new JavaDateFormat('yyyy-MM-dd') };
const TIME = { schema: SchemaBuilder.time().build(), format: new JavaDateFormat("HH:mm:ss.SSS'Z'") };
const TIMESTAMP = { schema: SchemaBuilder.timestamp().build(), format: new JavaDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'") };
const TRUE: SchemaAndValue = { schema: Schemas.BOOLEAN, value: true };
const FALSE: SchemaAndValue = { schema: Schemas.BOOLEAN, value: false };

/** Kafka's `Values.Parser`: tokens split at unescaped delimiters, with one token of look-ahead. */
class Tokens {
  private index = 0;
  private nextToken: string | null = null;
  previous: string | null = null;

  constructor(readonly original: string) {}

  position(): number { return this.index; }
  mark(): number { return this.index - (this.nextToken?.length ?? 0); }
  rewindTo(at: number): void {
    this.index = at;
    this.nextToken = this.previous = null;
  }
  hasNext(): boolean { return this.nextToken !== null || this.index < this.original.length; }

  next(): string {
    if (this.nextToken !== null) {
      this.previous = this.nextToken;
      this.nextToken = null;
    } else {
      this.previous = this.consume();
    }
    return this.previous;
  }

  /** The text of the next `n` tokens, or null (nothing consumed) when there are fewer. */
  nextN(n: number): string | null {
    const start = this.mark();
    for (let i = 0; i < n; i++) {
      if (!this.hasNext()) {
        this.rewindTo(start);
        return null;
      }
      this.next();
    }
    return this.original.slice(start, this.index);
  }

  /** Consumes the next non-blank token when, trimmed, it is `expected`. */
  canConsume(expected: string): boolean {
    if (this.nextToken === null) {
      if (!this.hasNext()) return false;
      this.nextToken = this.consume();
    }
    while (isBlank(this.nextToken) && this.index < this.original.length) this.nextToken = this.consume();
    if (javaTrim(this.nextToken) !== expected) return false;
    this.nextToken = null;
    return true;
  }

  private consume(): string {
    const s = this.original;
    const start = this.index;
    let escaped = false;
    for (; this.index < s.length; this.index++) {
      const c = s[this.index]!;
      if (c === '\\') {
        escaped = !escaped;
      } else if (DELIMITERS.includes(c) && !escaped) {
        if (start < this.index) return s.slice(start, this.index);
        this.index++;
        return c;
      } else {
        escaped = false;
      }
    }
    return s.slice(start);
  }
}

function temporal(token: string): SchemaAndValue | null {
  const t = token.replaceAll('\\:', ':');
  const kind = t.length === 13 ? TIME : t.length === 24 ? TIMESTAMP : t.length === 10 ? DATE : undefined;
  if (!kind) return null;
  const ms = parseJavaDate(kind.format, t, 0);
  return ms === undefined ? null : { schema: kind.schema, value: new Date(ms) };
}

const BIG_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const INT_TYPES: readonly [bigint, Schema][] = [[127n, Schemas.INT8], [32767n, Schemas.INT16], [2147483647n, Schemas.INT32], [2n ** 63n - 1n, Schemas.INT64]];

/** Kafka's `parseAsNumber`; undefined where `new BigDecimal(token)` throws. */
function number(token: string): SchemaAndValue | undefined {
  const m = BIG_DECIMAL.exec(token);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  const unscaled = BigInt(`${m[1]}${m[2] || '0'}${frac}`);
  const scale = frac.length - Number(m[4] ?? 0);
  // An exponent beyond MAX_DECIMAL_DIGITS cannot give an int64 (unless the digits are all zero): not expanded.
  const pow = Math.abs(scale) > MAX_DECIMAL_DIGITS ? undefined : 10n ** BigInt(Math.abs(scale));
  const integral = unscaled === 0n ? 0n : pow === undefined ? undefined : scale <= 0 ? unscaled * pow : unscaled % pow === 0n ? unscaled / pow : undefined;
  if (integral !== undefined) {
    const abs = integral < 0n ? -integral - 1n : integral;
    const t = INT_TYPES.find(([max]) => abs <= max);
    if (t) return { schema: t[1], value: integral > 9007199254740991n || integral < -9007199254740991n ? integral : Number(integral) };
  }
  const d = Number(token);
  if (scale !== 0 && Number.isFinite(Math.fround(d))) return { schema: Schemas.FLOAT32, value: Math.fround(d) };
  if (scale !== 0 && Number.isFinite(d)) return { schema: Schemas.FLOAT64, value: d };
  return { schema: SchemaBuilder.decimal(scale).build(), value: new Decimal(unscaled, scale) };
}

/** Kafka's `mergeSchemas` for the required, primitive-or-container schemas the parser infers. */
function merge(previous: Schema, next: Schema): Schema | null {
  if (previous.type !== next.type) {
    const order = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64'];
    const p = order.indexOf(previous.type);
    const n = order.indexOf(next.type);
    if (p < 0 || n < 0) return null;
    return n > p ? next : previous;
  }
  if (previous.optional === next.optional) return previous.optional ? previous : next;
  return null;
}

class Merger {
  private common: Schema | null = null;
  private compatible = true;

  add(latest: SchemaAndValue | null): void {
    if (latest === null || latest.schema === null || !this.compatible) return;
    if (this.common === null) this.common = latest.schema;
    else {
      this.common = merge(this.common, latest.schema);
      this.compatible = this.common !== null;
    }
  }
  get schema(): Schema | null { return this.common; }
}

/** Kafka's `Values.convertTo` for the values the parser produces, aligning them to the common schema. */
function align(to: Schema, v: unknown): unknown {
  if (v === null) {
    if (to.optional) return null;
    throw new DataError('Unable to convert a null value to a schema that requires a value');
  }
  const numeric = typeof v === 'number' || typeof v === 'bigint';
  if (to.name === LOGICAL.DATE || to.name === LOGICAL.TIME || to.name === LOGICAL.TIMESTAMP) {
    if (v instanceof Date) return v;
    if (!numeric) throw new DataError(`Unable to convert ${String(v)} to a number`);
    const n = Number(v);
    return new Date(to.name === LOGICAL.DATE ? (n | 0) * 86_400_000 : to.name === LOGICAL.TIME ? n | 0 : n);
  }
  if (v instanceof Date && to.type !== 'string') throw new DataError(`Unable to convert ${v.toISOString()} to a number`);
  if (to.type === 'float32' && numeric) return Math.fround(Number(v));
  if (to.type === 'float64' && numeric) return Number(v);
  return v;
}

class LiteralParser {
  constructor(private readonly t: Tokens) {}

  /** Kafka's `ValueParser.parse`; null for a null literal. */
  parse(embedded: boolean): SchemaAndValue | null {
    const t = this.t;
    if (!t.hasNext()) return null;
    if (embedded && t.canConsume('"')) return this.quoted();
    if (this.singleToken(embedded, 'null')) return null;
    if (this.singleToken(embedded, 'true')) return TRUE;
    if (this.singleToken(embedded, 'false')) return FALSE;
    const start = t.mark();
    try {
      if (t.canConsume('[')) return this.array();
      if (t.canConsume('{')) return this.map();
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      t.rewindTo(start);
    }
    const token = t.next();
    if (isBlank(token)) return { schema: Schemas.STRING, value: token };
    return this.token(embedded, javaTrim(token));
  }

  private singleToken(embedded: boolean, literal: string): boolean {
    const start = this.t.mark();
    if (this.t.canConsume(literal) && (embedded || !this.t.hasNext())) return true;
    this.t.rewindTo(start);
    return false;
  }

  private token(embedded: boolean, token: string): SchemaAndValue {
    const first = token[0]!;
    const digit = /\p{Nd}/u.test(first);
    if (digit) {
      // A time or timestamp is split at its colons: try it with the next four tokens first.
      const at = this.t.mark();
      const rest = this.t.nextN(4);
      const joined = rest === null ? null : temporal(token + rest);
      if (joined) return joined;
      this.t.rewindTo(at);
      const alone = temporal(token);
      if (alone) return alone;
    }
    if (digit || first === '+' || first === '-') {
      const n = number(token);
      if (n) return n;
    }
    if (embedded) throw new DataError('Failed to parse embedded value');
    return { schema: Schemas.STRING, value: this.t.original };
  }

  private quoted(): SchemaAndValue {
    let content = '';
    while (this.t.hasNext()) {
      if (this.t.canConsume('"')) break;
      content += this.t.next();
    }
    return temporal(content) ?? { schema: Schemas.STRING, value: content };
  }

  private array(): SchemaAndValue {
    const t = this.t;
    const values: unknown[] = [];
    const merger = new Merger();
    while (t.hasNext()) {
      if (t.canConsume(']')) {
        const common = merger.schema;
        if (common === null) return { schema: SchemaBuilder.type('array').build(), value: values };
        return { schema: SchemaBuilder.array(common).build(), value: values.map((v) => align(common, v)) };
      }
      if (t.canConsume(',')) throw new DataError(`Unable to parse an empty array element: ${t.original}`);
      const element = this.parse(true);
      merger.add(element);
      values.push(element?.value ?? null);
      const at = t.mark();
      if (t.canConsume(']')) t.rewindTo(at);
      else if (!t.canConsume(',')) throw new DataError("Array elements missing ',' delimiter");
    }
    if (t.previous === ',') throw new DataError(`Array is missing element after ',': ${t.original}`);
    throw new DataError(`Array is missing terminating ']': ${t.original}`);
  }

  private map(): SchemaAndValue {
    const t = this.t;
    const entries = new Map<unknown, unknown>();
    const keys = new Merger();
    const values = new Merger();
    while (t.hasNext()) {
      if (t.canConsume('}')) {
        const k = keys.schema;
        const v = values.schema;
        if (k !== null && v !== null) {
          const aligned = new Map([...entries].map(([key, value]) => [align(k, key), align(v, value)]));
          return { schema: SchemaBuilder.map(k, v).build(), value: aligned };
        }
        if (k !== null) {
          const aligned = new Map([...entries].map(([key, value]) => [align(k, key), value]));
          return { schema: Object.freeze({ type: 'map', optional: false, keySchema: k }), value: aligned };
        }
        return { schema: SchemaBuilder.type('map').build(), value: entries };
      }
      if (t.canConsume(',')) throw new DataError(`Unable to parse a map entry with no key or value: ${t.original}`);
      const key = this.parse(true);
      if (key === null || key.value === null) throw new DataError(`Map entry may not have a null key: ${t.original}`);
      if (!t.canConsume(':')) throw new DataError(`Map entry is missing ':' at ${t.position()} in ${t.original}`);
      const value = this.parse(true);
      entries.set(key.value, value?.value ?? null);
      t.canConsume(',');
      keys.add(key);
      values.add(value);
    }
    if (t.previous === ',') throw new DataError(`Map is missing element after ',': ${t.original}`);
    throw new DataError(`Map is missing terminating '}': ${t.original}`);
  }
}

/** Kafka's `Values.parseString(text)`; `{schema: null, value: null}` for `null`. Never throws. */
export function parseLiteral(text: string): SchemaAndValue {
  if (text === '') return { schema: Schemas.STRING, value: '' };
  return new LiteralParser(new Tokens(text)).parse(false) ?? { schema: null, value: null };
}
