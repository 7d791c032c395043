/**
 * A JSON parser that keeps numbers as their source text, so int64 values beyond 2^53 and decimals
 * with more digits than a double holds survive (`JSON.parse` rounds them). It accepts what Jackson's
 * `ObjectMapper` accepts as Kafka Connect's JsonDeserializer configures it — RFC 8259 plus leading
 * zeros in numbers (`ALLOW_LEADING_ZEROS_FOR_NUMBERS`) — except that trailing content after the root
 * value is an error rather than silently ignored.
 */

/** A JSON number token, unconverted. */
export class JsonNumber {
  constructor(readonly raw: string) {}

  /** True for a token without fraction or exponent (Jackson's `isIntegralNumber`). */
  get integral(): boolean {
    return !/[.eE]/.test(this.raw);
  }

  /** The exact integer of an integral token. */
  toBigInt(): bigint {
    return BigInt(this.raw);
  }
}

/** A JSON object: members in document order (a repeated name keeps its last value, as in Jackson). */
export class JsonObject {
  readonly members = new Map<string, JsonValue>();
  /** The source text of members parsed raw (`ParseOptions.rawMembers`); `members` holds null for them. */
  raw: Map<string, string> | undefined;
  /**
   * With `ParseOptions.rawMembers`, on the root object: the name of the last member in the text and
   * where its value starts (after the whitespace following its colon).
   */
  last: { readonly name: string; readonly at: number } | undefined;

  get(name: string): JsonValue | undefined {
    return this.members.get(name);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

export interface ParseOptions {
  /** Accept raw control characters inside strings (Kafka's header format does not escape them). */
  readonly allowControlChars?: boolean;
  /**
   * Members of the root object to check but not build, kept as source text in `JsonObject.raw`:
   * the converter looks an envelope's schema up in its cache by text before parsing it.
   */
  readonly rawMembers?: ReadonlySet<string>;
}

/** Jackson's default `StreamReadConstraints.maxNestingDepth`. */
export const MAX_DEPTH = 1000;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = 'JsonSyntaxError';
  }
}

/** Parses one JSON document; throws JsonSyntaxError. Whitespace-only text is an error too. */
export function parseJson(text: string, options: ParseOptions = {}): JsonValue {
  const p = new JsonCursor(text, options.allowControlChars === true, options.rawMembers);
  p.skipWs();
  if (p.pos >= text.length) throw new JsonSyntaxError('No content to map due to end-of-input', p.pos);
  const v = p.value(0);
  p.skipWs();
  if (p.pos < text.length) throw p.unexpected('after the root value');
  return v;
}

/** The exact name of a JSON node's type, as Jackson's `JsonNodeType` prints it in error messages. */
export function nodeType(v: JsonValue | undefined): string {
  if (v === undefined) return 'MISSING';
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'string') return 'STRING';
  if (v instanceof JsonNumber) return 'NUMBER';
  if (Array.isArray(v)) return 'ARRAY';
  return 'OBJECT';
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER_RE = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The parser's cursor over one text, also used directly by the converter's compiled payload readers
 * (`json-reader.ts`), which read the common shapes without building the tree and call `value` for
 * the rest.
 */
export class JsonCursor {
  pos = 0;

  constructor(
    readonly s: string,
    private readonly lenient: boolean,
    private readonly rawMembers: ReadonlySet<string> | undefined,
  ) {}

  skipWs(): void {
    const s = this.s;
    let c = s.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++this.pos);
  }

  unexpected(where = ''): JsonSyntaxError {
    if (this.pos >= this.s.length) return new JsonSyntaxError(`Unexpected end-of-input${where ? ` ${where}` : ''}`, this.pos);
    const ch = this.s[this.pos]!;
    const shown = ch.charCodeAt(0) < 0x20 ? `(CTRL-CHAR, code ${ch.charCodeAt(0)})` : `'${ch}'`;
    return new JsonSyntaxError(`Unexpected character ${shown}${where ? ` ${where}` : ''}`, this.pos);
  }

  value(depth: number): JsonValue {
    const s = this.s;
    switch (s.charCodeAt(this.pos)) {
      case 0x7b: // {
        return this.object(depth + 1);
      case 0x5b: // [
        return this.array(depth + 1);
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default: {
        NUMBER_RE.lastIndex = this.pos;
        const m = NUMBER_RE.exec(s);
        if (!m) throw this.unexpected('(expected a JSON value)');
        this.pos += m[0].length;
        const next = s.charCodeAt(this.pos);
        // "1.", "1e", "1x": a number token must end at a delimiter.
        if (next === 0x2e || next === 0x65 || next === 0x45 || (next >= 0x30 && next <= 0x39) || isIdentChar(next)) {
          throw this.unexpected('in a number');
        }
        return new JsonNumber(m[0]);
      }
    }
  }

  literal<T>(word: string, v: T): T {
    if (!textAt(this.s, this.pos, word) || isIdentChar(this.s.charCodeAt(this.pos + word.length))) {
      throw new JsonSyntaxError(`Unrecognized token '${/^[A-Za-z0-9_]*/.exec(this.s.slice(this.pos, this.pos + 40))![0]}'`, this.pos);
    }
    this.pos += word.length;
    return v;
  }

  private object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(`Document nesting depth exceeds the maximum allowed (${MAX_DEPTH})`, this.pos);
    const obj = new JsonObject();
    this.pos++;
    this.skipWs();
    if (this.s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (this.s.charCodeAt(this.pos) !== 0x22) throw this.unexpected('(expected a field name in double quotes)');
      const name = this.string();
      this.skipWs();
      if (this.s.charCodeAt(this.pos) !== 0x3a) throw this.unexpected("(expected ':' after a field name)");
      this.pos++;
      this.skipWs();
      if (depth === 1 && this.rawMembers !== undefined) obj.last = { name, at: this.pos };
      if (depth === 1 && this.rawMembers?.has(name)) {
        const start = this.pos;
        this.skip(depth);
        (obj.raw ??= new Map()).set(name, this.s.slice(start, this.pos));
        obj.members.set(name, null);
      } else {
        obj.members.set(name, this.value(depth)); // a repeated name keeps its first position, as in Jackson
      }
      this.skipWs();
      const c = this.s.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x7d) return obj;
      if (c !== 0x2c) {
        this.pos--;
        throw this.unexpected("(expected ',' or '}')");
      }
      this.skipWs();
    }
  }

  /** Checks one value's syntax, as `value` does, without building objects and arrays. */
  private skip(depth: number): void {
    const open = this.s.charCodeAt(this.pos);
    if (open !== 0x7b && open !== 0x5b) {
      this.value(depth);
      return;
    }
    if (depth + 1 > MAX_DEPTH) throw new JsonSyntaxError(`Document nesting depth exceeds the maximum allowed (${MAX_DEPTH})`, this.pos);
    const close = open === 0x7b ? 0x7d : 0x5d;
    this.pos++;
    this.skipWs();
    if (this.s.charCodeAt(this.pos) === close) {
      this.pos++;
      return;
    }
    for (;;) {
      if (open === 0x7b) {
        if (this.s.charCodeAt(this.pos) !== 0x22) throw this.unexpected('(expected a field name in double quotes)');
        this.string();
        this.skipWs();
        if (this.s.charCodeAt(this.pos) !== 0x3a) throw this.unexpected("(expected ':' after a field name)");
        this.pos++;
        this.skipWs();
      }
      this.skip(depth + 1);
      this.skipWs();
      const c = this.s.charCodeAt(this.pos);
      if (c === close) {
        this.pos++;
        return;
      }
      if (c !== 0x2c) throw this.unexpected(open === 0x7b ? "(expected ',' or '}')" : "(expected ',' or ']')");
      this.pos++;
      this.skipWs();
    }
  }

  private array(depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(`Document nesting depth exceeds the maximum allowed (${MAX_DEPTH})`, this.pos);
    const out: JsonValue[] = [];
    this.pos++;
    this.skipWs();
    if (this.s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.skipWs();
      const c = this.s.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x5d) return out;
      if (c !== 0x2c) {
        this.pos--;
        throw this.unexpected("(expected ',' or ']')");
      }
      this.skipWs();
    }
  }

  /** The JSON string at `pos` (which must be at its opening quote). */
  string(): string {
    const s = this.s;
    const start = ++this.pos;
    // Fast path: no escapes.
    let i = start;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return s.slice(start, i);
      }
      if (c === 0x5c || Number.isNaN(c) || (c < 0x20 && !this.lenient)) break;
      i++;
    }
    // With escapes: unescaped runs are appended whole.
    let out = '';
    let run = start;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out + s.slice(run, i);
      }
      if (c !== 0x5c) {
        if (Number.isNaN(c)) throw new JsonSyntaxError('Unexpected end-of-input in a string', (this.pos = i));
        if (c < 0x20 && !this.lenient) {
          this.pos = i;
          throw this.unexpected('in a string (control characters must be escaped)');
        }
        i++;
        continue;
      }
      out += s.slice(run, i);
      const e = s[i + 1];
      if (e === 'u') {
        const hex = s.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('Invalid \\u escape in a string', (this.pos = i));
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
      } else {
        throw new JsonSyntaxError(`Unrecognized character escape '${e ?? ''}'`, (this.pos = i));
      }
      run = i;
    }
  }
}

/** `s.startsWith(word, at)`, which is several times slower in V8 for short words. */
function textAt(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  for (let k = 0; k < word.length; k++) if (s.charCodeAt(at + k) !== word.charCodeAt(k)) return false;
  return true;
}

/** A letter, digit or `_`: glued to a number or literal, it makes the token invalid. */
export function isIdentChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}
