/**
 * Java's number grammars for transformations that turn strings into numbers as Kafka Connect does
 * (`Long.parseLong`, `Double.parseDouble`); the number-to-text side comes from the SDK and is
 * re-exported here.
 */
export { bigDecimalString, javaDoubleString, javaFloatString } from '../../src/sdk/index.js';
import { javaTrim } from '../../src/sdk/index.js';

const INTEGER = /^[+-]?\d+$/;
const SHORT_INTEGER = /^[+-]?\d{1,15}$/;

/**
 * Java's `Byte/Short/Integer/Long.parseX`: optional sign, decimal digits, no spaces, within
 * `bits` bits; a number when exact, a bigint beyond; undefined where Java throws NumberFormatException.
 */
export function parseJavaInteger(text: string, bits: 8 | 16 | 32 | 64): number | bigint | undefined {
  if (SHORT_INTEGER.test(text)) {
    const n = Number(text) + 0;
    const max = 2 ** (bits - 1);
    return n < -max || n >= max ? undefined : n;
  }
  if (!INTEGER.test(text)) return undefined;
  const v = BigInt(text);
  const max = (1n << BigInt(bits - 1)) - 1n;
  if (v < -max - 1n || v > max) return undefined;
  return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const DECIMAL_FLOAT = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)[fFdD]?$/;

/** Java's `Double.parseDouble` (surrounding control characters and spaces trimmed); undefined where it throws. */
export function parseJavaDouble(text: string): number | undefined {
  const s = javaTrim(text);
  if (DECIMAL_FLOAT.test(s)) return Number(s.replace(/[fFdD]$/, ''));
  const h = HEX_FLOAT.exec(s);
  if (!h || (h[2] === '' && (h[3] ?? '') === '')) return undefined;
  const frac = h[3] ?? '';
  const mantissa = Number(BigInt(`0x${h[2] || '0'}${frac}`));
  const v = mantissa * 2 ** (Number(h[4]) - 4 * frac.length);
  return h[1] === '-' ? -v : v;
}
