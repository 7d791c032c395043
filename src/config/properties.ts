/**
 * A parser for Java `.properties` files with `java.util.Properties.load` semantics, so Kafka's own
 * worker and connector files (`connect-standalone.properties`, `connect-file-source.properties`)
 * load unchanged.
 *
 * Differences from Java, all deliberate: the text is read as UTF-8 (Java's `load(InputStream)` reads
 * ISO-8859-1; the two agree on ASCII and `\uXXXX` escapes), a leading byte-order mark is dropped, and
 * a malformed `\uXXXX` escape is reported with the file and line instead of Java's bare
 * `IllegalArgumentException`. Every malformed escape in the file is listed, not just the first.
 */
import { TributaryError } from '../errors/codes.js';

/** One `key=value` pair as it appeared in the file. */
export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** The 1-based line the (possibly continued) logical line starts on. */
  readonly line: number;
}

const WHITESPACE = new Set([' ', '\t', '\f']);
const HEX = /^[0-9a-fA-F]{4}$/;

/** A logical line: natural lines joined at trailing backslashes, with where each piece started. */
interface LogicalLine {
  text: string;
  /** Offsets into `text` where each natural line's content begins, with that line's number. */
  pieces: { offset: number; line: number }[];
}

function skipWhitespace(s: string, from: number): number {
  let i = from;
  while (i < s.length && WHITESPACE.has(s[i]!)) i++;
  return i;
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/**
 * Splits text into logical lines as Java's `Properties.LineReader` does: leading whitespace of every
 * natural line is dropped; blank lines and lines whose first character is `#` or `!` are skipped (a
 * comment never continues); a line ending in an odd number of backslashes continues on the next,
 * and a blank continuation line ends it. A backslash on the last line of the file is dropped.
 */
function logicalLines(text: string): LogicalLine[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: LogicalLine[] = [];
  let current: LogicalLine | undefined;
  natural.forEach((raw, index) => {
    const content = raw.slice(skipWhitespace(raw, 0));
    if (current === undefined && (content === '' || content[0] === '#' || content[0] === '!')) return;
    if (content === '') {
      // Only reachable while continuing: an empty continuation line ends the logical line.
      out.push(current!);
      current = undefined;
      return;
    }
    const line = current ?? { text: '', pieces: [] };
    line.pieces.push({ offset: line.text.length, line: index + 1 });
    if (endsWithOddBackslashes(content)) {
      line.text += content.slice(0, -1);
      current = line;
    } else {
      line.text += content;
      out.push(line);
      current = undefined;
    }
  });
  if (current !== undefined) out.push(current);
  return out;
}

function lineAt(l: LogicalLine, offset: number): number {
  let line = l.pieces[0]!.line;
  for (const p of l.pieces) if (p.offset <= offset) line = p.line;
  return line;
}

/**
 * Java's `loadConvert`: `\t \n \r \f`, `\uXXXX`, and `\` before any other character stands for that
 * character (so `\=`, `\:`, `\ `, `\#`, `\\`). Problems are appended to `problems`.
 */
function unescape(l: LogicalLine, start: number, end: number, source: string, problems: string[]): string {
  const s = l.text;
  const first = s.indexOf('\\', start);
  if (first < 0 || first >= end) return s.slice(start, end);
  let out = s.slice(start, first);
  let i = first;
  while (i < end) {
    const c = s[i++]!;
    if (c !== '\\' || i >= end) {
      out += c;
      continue;
    }
    const e = s[i++]!;
    if (e === 'u') {
      const hex = s.slice(i, Math.min(i + 4, end));
      if (!HEX.test(hex)) {
        problems.push(`${source}:${lineAt(l, i - 2)}: malformed \\uXXXX escape "\\u${hex}" (expected four hex digits)`);
        i += hex.length;
        continue;
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
    }
  }
  return out;
}

/** Finds where the key ends and the value starts, as Java's `Properties.load0` does. */
function splitKeyValue(s: string): { keyEnd: number; valueStart: number } {
  let keyEnd = 0;
  let valueStart = s.length;
  let hasSeparator = false;
  let escaped = false;
  while (keyEnd < s.length) {
    const c = s[keyEnd]!;
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && WHITESPACE.has(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
    keyEnd++;
  }
  // After the key: whitespace, at most one `=` or `:` (if none was seen yet), whitespace.
  while (valueStart < s.length) {
    const c = s[valueStart]!;
    if (!WHITESPACE.has(c)) {
      if (!hasSeparator && (c === '=' || c === ':')) hasSeparator = true;
      else break;
    }
    valueStart++;
  }
  return { keyEnd, valueStart };
}

/**
 * Parses `.properties` text into its entries, in file order (a key may repeat; see
 * {@link parseProperties} for last-wins).
 *
 * @param text - the file content.
 * @param source - names the input in error messages, usually the file path.
 * @throws TributaryError `CONFIG_INVALID` naming `source:line` for every malformed `\uXXXX` escape.
 */
export function parsePropertyEntries(text: string, source: string): PropertyEntry[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const problems: string[] = [];
  const entries: PropertyEntry[] = [];
  for (const l of logicalLines(body)) {
    const { keyEnd, valueStart } = splitKeyValue(l.text);
    const key = unescape(l, 0, keyEnd, source, problems);
    const value = unescape(l, valueStart, l.text.length, source, problems);
    entries.push({ key, value, line: l.pieces[0]!.line });
  }
  if (problems.length > 0) throw new TributaryError('CONFIG_INVALID', problems.join('\n'));
  return entries;
}

/**
 * Parses `.properties` text into a flat string map; when a key repeats, the last value wins (as with
 * Java's `Properties`).
 *
 * @example
 * ```ts
 * parseProperties('# worker\nrest.port = 8083\nplugin.path=/opt/a,\\\n  /opt/b\n', 'worker.properties');
 * // { 'rest.port': '8083', 'plugin.path': '/opt/a,/opt/b' }
 * ```
 * @throws TributaryError `CONFIG_INVALID` naming `source:line` for every malformed `\uXXXX` escape.
 */
export function parseProperties(text: string, source: string): Record<string, string> {
  const map = new Map<string, string>();
  for (const e of parsePropertyEntries(text, source)) map.set(e.key, e.value);
  return Object.fromEntries(map);
}
