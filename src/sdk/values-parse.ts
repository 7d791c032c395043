/**
 * Kafka Connect's `Values.parseString`: the schema and value a piece of text stands for. The default
 * header converter reads every header with it, and InsertHeader reads its `value.literal` with it.
 *
 * - `null`, `true`, `false` (alone, surrounding spaces allowed); `""` is an empty string;
 * - numbers: integers as the smallest of int8..int64 that holds them, else (when the text has a
 *   fraction or exponent) float32 when finite there, else float64; else a Decimal of the text's scale;
 * - `yyyy-MM-dd`, `HH:mm:ss.SSS'Z'` and `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`, read as Java's lenient
 *   `SimpleDateFormat` reads them in UTC (`2024-02-30` is 1 March), as Date, Time and Timestamp;
 * - `[..]` and `{..}` whose elements are such literals or "quoted" strings (kept as written: no
 *   escape is undone), as arrays and maps with a common element schema when one exists;
 * - anything else, including a malformed array or map, is the whole text as a string — except a
 *   text that starts with a number and then a delimiter: as in Kafka, the number alone (`12:30` is
 *   int8 12, `1,000` is 1; KAFKA-20892 proposes a string instead).
 *
 * Nothing is expanded by a number's exponent: `1e200000` is a Decimal of scale -200000, not 200,001
 * digits. Two differences from Java: dates before 1582-10-15 are proleptic Gregorian (Java switches
 * to the Julian calendar), and a date beyond a JS `Date`'s range (year ±275,760) stays text.
 *
 * @example
 * ```ts
 * parseString('[1, 300]'); // { schema: array of int16, value: [1, 300] }
 * parseString('2024-01-31'); // { schema: Date, value: new Date('2024-01-31T00:00:00Z') }
 * parseString('12 monkeys'); // { schema: string, value: '12 monkeys' }
 * ```
 */
import type { SchemaAndValue } from './converter.js';
import { DataError } from './errors.js';
import { javaTrim } from './java-number-text.js';
import { type Schema, LOGICAL, SchemaBuilder, Schemas } from './schema.js';
import { MS_PER_DAY, Unparseable, parseScalar, parseTemporal, startsWithDigit } from './values-scalars.js';

/**
 * Kafka's `Values.parseString(text)`; `{schema: null, value: null}` for `null`. Throws DataError only
 * where Kafka's parser throws something other than its own DataException: a non-zero number whose
 * exponent is so large that Java's BigDecimal refuses the arithmetic (`1e999999999`:
 * ArithmeticException), or containers nested more than MAX_NESTING deep (Java: StackOverflowError).
 * Kafka's SimpleHeaderConverter then keeps the header's bytes.
 */
export function parseString(text: string): SchemaAndValue {
  if (text === '') return { schema: Schemas.STRING, value: '' };
  // Most headers are one token (no delimiter): what the parser makes of that, without its look-ahead.
  if (!HAS_DELIMITER.test(text)) return parseOneToken(text);
  return new ValueParser(new Tokens(text)).parse(false, 0) ?? NULL;
}

/**
 * Arrays and maps nested deeper than this are refused. Java's parser overflows its default 1 MiB
 * thread stack between 1,500 and 2,000 levels; this stops earlier, well within Node's stack.
 */
const MAX_NESTING = 1000;

const HAS_DELIMITER = /[:,{}[\]"]/;
const NULL: SchemaAndValue = Object.freeze({ schema: null, value: null });
const TRUE: SchemaAndValue = Object.freeze({ schema: Schemas.BOOLEAN, value: true });
const FALSE: SchemaAndValue = Object.freeze({ schema: Schemas.BOOLEAN, value: false });

const isBlank = (s: string): boolean => javaTrim(s) === '';

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

  /** The next non-blank token, trimmed, read ahead (blank tokens before it are skipped); null at the end. */
  peek(): string | null {
    if (this.nextToken === null) {
      if (!this.hasNext()) return null;
      this.nextToken = this.consume();
    }
    while (isBlank(this.nextToken) && this.index < this.original.length) this.nextToken = this.consume();
    return javaTrim(this.nextToken);
  }

  /** Consumes the next non-blank token when, trimmed, it is `expected`. */
  canConsume(expected: string): boolean {
    if (this.peek() !== expected) return false;
    this.nextToken = null;
    return true;
  }

  private consume(): string {
    const s = this.original;
    const start = this.index;
    let escaped = false;
    for (; this.index < s.length; this.index++) {
      switch (s.charCodeAt(this.index)) {
        case 0x5c: // \
          escaped = !escaped;
          break;
        case 0x3a: case 0x2c: case 0x7b: case 0x7d: case 0x5b: case 0x5d: case 0x22: // : , { } [ ] "
          if (!escaped) {
            if (start < this.index) return s.slice(start, this.index);
            this.index++;
            return s[start]!;
          }
          escaped = false;
          break;
        default:
          escaped = false;
      }
    }
    return s.slice(start);
  }
}

/** What the parser makes of text without delimiters, which is a single token. */
function parseOneToken(text: string): SchemaAndValue {
  const token = javaTrim(text);
  if (token === 'null') return NULL;
  if (token === 'true') return TRUE;
  if (token === 'false') return FALSE;
  if (token === '') return { schema: Schemas.STRING, value: text };
  return parseScalar(token) ?? { schema: Schemas.STRING, value: text };
}

// ---- arrays and maps ---------------------------------------------------------------------------

const NUMERIC_ORDER = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64'];

/** Kafka's `mergeSchemas` for the required, primitive-or-container schemas the parser infers. */
function mergeSchemas(previous: Schema, next: Schema): Schema | null {
  if (previous.type !== next.type) {
    const p = NUMERIC_ORDER.indexOf(previous.type);
    const n = NUMERIC_ORDER.indexOf(next.type);
    if (p < 0 || n < 0) return null;
    return n > p ? next : previous;
  }
  if (previous.optional === next.optional) return previous.optional ? previous : next;
  return null;
}

/** Kafka's `SchemaMerger`: the schema common to the values seen, while there is one. */
class SchemaMerger {
  private common: Schema | null = null;
  private compatible = true;

  merge(latest: SchemaAndValue | null): void {
    if (latest === null || latest.schema === null || !this.compatible) return;
    if (this.common === null) this.common = latest.schema;
    else {
      this.common = mergeSchemas(this.common, latest.schema);
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
    const date = new Date(to.name === LOGICAL.DATE ? (n | 0) * MS_PER_DAY : to.name === LOGICAL.TIME ? n | 0 : n);
    // Java's Date holds any long; a JS Date only ±8.64e15 ms, so the container stays text.
    if (Number.isNaN(date.getTime())) throw new DataError(`${String(v)} is beyond the dates a JS Date holds`);
    return date;
  }
  if (v instanceof Date && to.type !== 'string') throw new DataError(`Unable to convert ${v.toISOString()} to a number`);
  if (to.type === 'float32' && numeric) return Math.fround(Number(v));
  if (to.type === 'float64' && numeric) return Number(v);
  return v;
}

/** Kafka's `Values.ValueParser`. */
class ValueParser {
  constructor(private readonly t: Tokens) {}

  /** Null for a null literal. */
  parse(embedded: boolean, depth: number): SchemaAndValue | null {
    const t = this.t;
    if (!t.hasNext()) return null;
    if (embedded && t.canConsume('"')) return this.quoted();
    // Where Kafka rewinds to after a malformed array or map: before any blank tokens at the top level.
    const start = t.mark();
    // Kafka tries null, true and false in turn, each reading the token again: only the one it is can match.
    const next = t.peek();
    if ((next === 'null' || next === 'true' || next === 'false') && this.singleToken(embedded, next)) {
      return next === 'null' ? null : next === 'true' ? TRUE : FALSE;
    }
    try {
      if (t.canConsume('[')) return this.array(depth + 1);
      if (t.canConsume('{')) return this.map(depth + 1);
    } catch (err) {
      if (!(err instanceof DataError) || err instanceof Unparseable) throw err;
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
    if (startsWithDigit(token)) {
      // A time or timestamp is split at its colons: try it with the next four tokens first.
      const at = this.t.mark();
      const rest = this.t.nextN(4);
      const joined = rest === null ? null : parseTemporal(token + rest);
      if (joined) return joined;
      this.t.rewindTo(at);
    }
    const scalar = parseScalar(token);
    if (scalar) return scalar;
    if (embedded) throw new DataError('Failed to parse embedded value');
    return { schema: Schemas.STRING, value: this.t.original };
  }

  private quoted(): SchemaAndValue {
    let content = '';
    while (this.t.hasNext()) {
      if (this.t.canConsume('"')) break;
      content += this.t.next();
    }
    return parseTemporal(content) ?? { schema: Schemas.STRING, value: content };
  }

  private array(depth: number): SchemaAndValue {
    if (depth > MAX_NESTING) throw new Unparseable(`Arrays and maps nested more than ${MAX_NESTING} deep`);
    const t = this.t;
    const values: unknown[] = [];
    const merger = new SchemaMerger();
    while (t.hasNext()) {
      if (t.canConsume(']')) {
        const common = merger.schema;
        if (common === null) return { schema: SchemaBuilder.type('array').build(), value: values };
        return { schema: SchemaBuilder.array(common).build(), value: values.map((v) => align(common, v)) };
      }
      if (t.canConsume(',')) throw new DataError(`Unable to parse an empty array element: ${t.original}`);
      const element = this.parse(true, depth);
      merger.merge(element);
      values.push(element?.value ?? null);
      const at = t.mark();
      if (t.canConsume(']')) t.rewindTo(at);
      else if (!t.canConsume(',')) throw new DataError("Array elements missing ',' delimiter");
    }
    if (t.previous === ',') throw new DataError(`Array is missing element after ',': ${t.original}`);
    throw new DataError(`Array is missing terminating ']': ${t.original}`);
  }

  private map(depth: number): SchemaAndValue {
    if (depth > MAX_NESTING) throw new Unparseable(`Arrays and maps nested more than ${MAX_NESTING} deep`);
    const t = this.t;
    const entries = new Map<unknown, unknown>();
    const keys = new SchemaMerger();
    const values = new SchemaMerger();
    while (t.hasNext()) {
      if (t.canConsume('}')) {
        const k = keys.schema;
        const v = values.schema;
        if (k !== null && v !== null) {
          const aligned = new Map([...entries].map(([key, value]) => [align(k, key), align(v, value)]));
          return { schema: SchemaBuilder.map(k, v).build(), value: aligned };
        }
        if (k !== null) {
          // Kafka's SchemaBuilder.mapWithNullValues: a map schema without a value schema.
          const aligned = new Map([...entries].map(([key, value]) => [align(k, key), value]));
          return { schema: Object.freeze({ type: 'map', optional: false, keySchema: k }), value: aligned };
        }
        return { schema: SchemaBuilder.type('map').build(), value: entries };
      }
      if (t.canConsume(',')) throw new DataError(`Unable to parse a map entry with no key or value: ${t.original}`);
      const key = this.parse(true, depth);
      if (key === null || key.value === null) throw new DataError(`Map entry may not have a null key: ${t.original}`);
      if (!t.canConsume(':')) throw new DataError(`Map entry is missing ':' at ${t.position()} in ${t.original}`);
      const value = this.parse(true, depth);
      entries.set(key.value, value?.value ?? null);
      t.canConsume(',');
      keys.merge(key);
      values.merge(value);
    }
    if (t.previous === ',') throw new DataError(`Map is missing element after ',': ${t.original}`);
    throw new DataError(`Map is missing terminating '}': ${t.original}`);
  }
}
