/**
 * Reading Postgres array output (`{1,2,NULL}`, `{"a b","x\"y",NULL,"NULL"}`, `[0:1]={1,2}`,
 * `{{1,2},{3,4}}`) into the element texts, each then converted like a scalar of the element type.
 */

/** An element: its text, null for an unquoted NULL, or the elements of a nested sub-array. */
export type ArrayElement = string | null | ArrayElement[];

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN = 123;
const CLOSE = 125;

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * The top-level elements of an array literal. `delimiter` is the element type's `typdelim`
 * (`,` for all built-in types except box, which uses `;`).
 */
export function parseArrayLiteral(text: string, delimiter = ','): ArrayElement[] {
  let start = 0;
  if (text.charCodeAt(0) === 91) {
    // dimension decoration `[lo:hi]=` when a lower bound is not 1
    start = text.indexOf('=') + 1;
    if (start === 0) throw new RangeError('array literal expected');
  }
  if (text.charCodeAt(start) !== OPEN || text.charCodeAt(text.length - 1) !== CLOSE) throw new RangeError('array literal expected');
  const body = start === 0 ? text : text.slice(start);
  // Fast path: no quoting, escaping or nesting (numbers, dates, plain words).
  if (body.indexOf('"', 1) < 0 && body.indexOf('\\', 1) < 0 && body.indexOf('{', 1) < 0) {
    if (body.length === 2) return [];
    const parts: ArrayElement[] = body.slice(1, -1).split(delimiter);
    for (let i = 0; i < parts.length; i++) {
      const p = (parts[i] as string).trim();
      parts[i] = p.length === 4 && p.toUpperCase() === 'NULL' ? null : p;
    }
    return parts;
  }
  const state = { text: body, i: 0, delim: delimiter.charCodeAt(0) };
  const out = readArray(state);
  if (state.i !== body.length) throw new RangeError('unexpected text after the array');
  return out;
}

interface State {
  readonly text: string;
  i: number;
  readonly delim: number;
}

function readArray(s: State): ArrayElement[] {
  const out: ArrayElement[] = [];
  s.i++; // '{'
  skipSpace(s);
  if (s.text.charCodeAt(s.i) === CLOSE) {
    s.i++;
    return out;
  }
  for (;;) {
    skipSpace(s);
    const c = s.text.charCodeAt(s.i);
    if (c === OPEN) out.push(readArray(s));
    else if (c === QUOTE) out.push(readQuoted(s));
    else out.push(readUnquoted(s));
    skipSpace(s);
    const next = s.text.charCodeAt(s.i++);
    if (next === CLOSE) return out;
    if (next !== s.delim) throw new RangeError('delimiter expected in array literal');
  }
}

function skipSpace(s: State): void {
  while (s.i < s.text.length && isSpace(s.text.charCodeAt(s.i))) s.i++;
}

function readQuoted(s: State): string {
  const t = s.text;
  let out = '';
  let from = ++s.i;
  for (; s.i < t.length; s.i++) {
    const c = t.charCodeAt(s.i);
    if (c === BACKSLASH) {
      out += t.slice(from, s.i);
      from = ++s.i; // keep the escaped character
    } else if (c === QUOTE) {
      out += t.slice(from, s.i++);
      return out;
    }
  }
  throw new RangeError('unterminated quoted array element');
}

function readUnquoted(s: State): string | null {
  const t = s.text;
  let out = '';
  let from = s.i;
  let escaped = false;
  for (; s.i < t.length; s.i++) {
    const c = t.charCodeAt(s.i);
    if (c === BACKSLASH) {
      out += t.slice(from, s.i);
      from = ++s.i;
      escaped = true;
    } else if (c === s.delim || c === CLOSE) break;
  }
  out = (out + t.slice(from, s.i)).trimEnd();
  if (!escaped && out.length === 4 && out.toUpperCase() === 'NULL') return null;
  if (out === '') throw new RangeError('empty array element');
  return out;
}
