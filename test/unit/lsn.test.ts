import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatLsn, lsnFromNumber, lsnToNumber, parseLsn } from '../../connectors/postgres-cdc/lsn.js';

describe('LSN', () => {
  it('parses the short and the zero-padded forms to the same value', () => {
    expect(parseLsn('0/1778D30')).toBe(0x1778d30n);
    expect(parseLsn('00000000/01778D30')).toBe(0x1778d30n);
    expect(parseLsn('00000000/01779308')).toBe(0x1779308n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(parseLsn('ffffffff/ffffffff')).toBe(2n ** 64n - 1n);
    expect(parseLsn('0/0')).toBe(0n);
  });

  it('rejects other text, naming it', () => {
    for (const bad of ['', '0', '0/', '/1', '1/2/3', 'x/1', '0/1778D30 ', '100000000/0', '0x0/1', '-1/0', '0/+1']) {
      expect(() => parseLsn(bad)).toThrow(`'${bad}'`);
    }
  });

  it('formats as Postgres prints: upper-case halves without leading zeros', () => {
    expect(formatLsn(0x1778d30n)).toBe('0/1778D30');
    expect(formatLsn(0n)).toBe('0/0');
    expect(formatLsn((0x16n << 32n) | 0xb374d848n)).toBe('16/B374D848');
    expect(formatLsn((1n << 32n) | 5n)).toBe('1/5');
    expect(formatLsn(2n ** 64n - 1n)).toBe('FFFFFFFF/FFFFFFFF');
    expect(() => formatLsn(-1n)).toThrow(RangeError);
    expect(() => formatLsn(2n ** 64n)).toThrow(RangeError);
  });

  it('round-trips through text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (lsn) => {
        expect(parseLsn(formatLsn(lsn))).toBe(lsn);
      }),
    );
  });

  it('converts to and from numbers within the safe range only', () => {
    expect(lsnToNumber(0x1778d30n)).toBe(0x1778d30);
    expect(lsnToNumber(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => lsnToNumber(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(RangeError);
    expect(lsnFromNumber(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    expect(lsnFromNumber(0)).toBe(0n);
    for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, Infinity]) {
      expect(() => lsnFromNumber(bad)).toThrow(RangeError);
    }
  });
});
