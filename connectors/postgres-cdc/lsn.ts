/**
 * PostgreSQL log sequence numbers (LSNs): 64-bit unsigned WAL positions, held as `bigint` so that
 * comparisons are exact. Postgres prints them as two hex halves, `X/Y` (`0/1778D30`); some tools
 * zero-pad each half (`00000000/01779308`). Both parse to the same value.
 *
 * @example
 * ```ts
 * const lsn = parseLsn('0/1778D30');          // 24612144n
 * formatLsn(lsn);                              // '0/1778D30'
 * parseLsn('00000000/01778D30') === lsn;       // true
 * ```
 */
export type Lsn = bigint;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;
const MAX_LSN = 0xffff_ffff_ffff_ffffn;

/** Parses `X/Y` (each half 1 to 8 hex digits). Throws an Error naming the text otherwise. */
export function parseLsn(text: string): Lsn {
  const m = LSN_TEXT.exec(text);
  if (m === null) throw new Error(`invalid LSN '${text}': expected two hex halves like 0/1778D30`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** Formats as Postgres prints it: upper-case hex halves without leading zeros (`0/1778D30`). */
export function formatLsn(lsn: Lsn): string {
  checkRange(lsn);
  const hi = Number(lsn >> 32n);
  const lo = Number(lsn & 0xffff_ffffn);
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** The LSN as a JS number; throws a RangeError when it exceeds `Number.MAX_SAFE_INTEGER`. */
export function lsnToNumber(lsn: Lsn): number {
  checkRange(lsn);
  if (lsn > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`LSN ${formatLsn(lsn)} exceeds Number.MAX_SAFE_INTEGER`);
  }
  return Number(lsn);
}

/** The inverse of {@link lsnToNumber}; `n` must be a non-negative safe integer. */
export function lsnFromNumber(n: number): Lsn {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not an LSN: ${n}`);
  return BigInt(n);
}

function checkRange(lsn: Lsn): void {
  if (lsn < 0n || lsn > MAX_LSN) throw new RangeError(`LSN out of range: ${lsn}`);
}
