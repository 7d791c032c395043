/**
 * JSON config files: parse with a line and column for syntax errors, and flatten scalar values to
 * strings the way Jackson does when Kafka Connect reads a `Map<String, String>`.
 */
import { TributaryError } from '../errors/codes.js';

/** Where `text` stops being valid JSON, as an offset. V8 names the position for most errors. */
function errorOffset(text: string, message: string): number {
  const m = /at position (\d+)/.exec(message);
  if (m) return Number(m[1]);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  // "Unexpected token 'x', ..." has no position: find the longest prefix that is still a valid
  // start of a JSON text (its own error, if any, is at its very end). Validity of prefixes is
  // monotonic, so a binary search finds it.
  const okSoFar = (p: number): boolean => {
    try {
      JSON.parse(text.slice(0, p));
      return true;
    } catch (err) {
      const msg = (err as Error).message;
      const at = /at position (\d+)/.exec(msg);
      return /Unexpected end of JSON input/.test(msg) || (at !== null && Number(at[1]) >= p);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (okSoFar(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split(/\r\n|\r|\n/).length;
  const column = offset - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  return `line ${line}, column ${column}`;
}

/** V8's message without the position and the echo of the source text. */
function cleanMessage(message: string): string {
  return message
    .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ \(line \d+ column \d+\)$/, '')
    .replace(/[\n\r\t]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/**
 * Parses a JSON text that must be an object.
 *
 * @param source - names the input in error messages, usually the file path.
 * @throws TributaryError `CONFIG_INVALID`: `"<source>: malformed JSON at line L, column C: <what>"`,
 *   or `"<source>: expected a JSON object, found <kind>"`.
 */
export function parseJsonObject(text: string, source: string): Record<string, unknown> {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    const message = (err as Error).message;
    const where = lineAndColumn(body, errorOffset(body, message));
    throw new TributaryError('CONFIG_INVALID', `${source}: malformed JSON at ${where}: ${cleanMessage(message)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TributaryError('CONFIG_INVALID', `${source}: expected a JSON object, found ${jsonKind(value)}`);
  }
  return value as Record<string, unknown>;
}

/** `"an array"`, `"a string"`, `"null"`…, for messages. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : 'a string';
}

/**
 * A scalar JSON value as Kafka Connect's Jackson `Map<String, String>` would hold it: strings as
 * they are, numbers and booleans as their text. Returns an error message for anything else, or for
 * an integer too large to be represented exactly (its text would change; quote it instead).
 */
export function scalarToString(value: unknown): { value: string } | { error: string } {
  if (typeof value === 'string') return { value };
  if (typeof value === 'boolean') return { value: String(value) };
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
      return { error: 'is a number too large to be represented exactly; quote it as a string' };
    }
    return { value: String(value) };
  }
  const hint = Array.isArray(value) ? ' (write a list as one comma-separated string)' : '';
  return { error: `must be a string, number or boolean, found ${jsonKind(value)}${hint}` };
}
