/**
 * The SDK's Decimal: text in, and rescaling without rounding — exact as Java's BigDecimal, and bounded
 * so that a hostile exponent or scale fails at once instead of expanding 10^exponent.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DataError, Decimal, MAX_DECIMAL_DIGITS } from '../../src/sdk/index.js';

describe('Decimal.parse', () => {
  it.each([
    ['-12.340', -12340n, 3],
    ['1.5e3', 1500n, 0],
    ['1.5E-3', 15n, 4],
    ['+.5', 5n, 1],
    ['7.', 7n, 0],
    ['0e999999999', 0n, 0],
    ['0.00e-999999999', 0n, MAX_DECIMAL_DIGITS],
    ['-0', 0n, 0],
  ])('reads %j as unscaled %s, scale %i', (text, unscaled, scale) => {
    expect(Decimal.parse(text)).toEqual(new Decimal(unscaled, scale));
  });

  it('refuses text that is not a number, and digits beyond the bound on either side of the point', () => {
    for (const text of ['', '.', 'e5', '1e', '--1', '0x10', 'NaN']) expect(() => Decimal.parse(text)).toThrow(DataError);
    expect(() => Decimal.parse('1e999999999')).toThrow('decimal number "1e999999999" has more than 150000 digits on one side of its point');
    expect(() => Decimal.parse('1e-150001')).toThrow(DataError);
    expect(Decimal.parse('1e-150000').scale).toBe(150_000);
    expect(Decimal.parse('1e149999').unscaled).toBe(10n ** 149_999n);
  });
});

describe('Decimal.withScale', () => {
  it('is exact: up always, down only when the dropped digits are zeros', () => {
    expect(new Decimal(15n, 1).withScale(3)).toEqual(new Decimal(1500n, 3));
    expect(new Decimal(1500n, 3).withScale(1)).toEqual(new Decimal(15n, 1));
    expect(new Decimal(1501n, 3).withScale(1)).toBeUndefined();
    expect(new Decimal(0n, 9).withScale(0)).toEqual(new Decimal(0n, 0));
    const d = new Decimal(42n, 2);
    expect(d.withScale(2)).toBe(d);
  });

  it('gives up beyond the bound instead of computing 10^difference', () => {
    expect(new Decimal(1n, 0).withScale(MAX_DECIMAL_DIGITS + 1)).toBeUndefined();
    expect(new Decimal(1n, 2_000_000_000).withScale(0)).toBeUndefined();
    expect(new Decimal(0n, 0).withScale(2_000_000_000)).toBeUndefined();
    expect(new Decimal(1n, 0).withScale(MAX_DECIMAL_DIGITS)?.unscaled).toBe(10n ** 150_000n);
  });

  it('agrees with the value: a rescaled decimal reads back as the same number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat(40), fc.nat(40), (unscaled, from, to) => {
        const r = new Decimal(unscaled, from).withScale(to);
        const exactlyDivisible = to >= from || unscaled % 10n ** BigInt(from - to) === 0n;
        expect(r !== undefined).toBe(exactlyDivisible);
        if (r) expect(r.unscaled * 10n ** BigInt(from)).toBe(unscaled * 10n ** BigInt(to));
      }),
    );
  });
});

describe('Decimal text', () => {
  it('prints plain digits, and an exponent for a negative scale (which Number reads back)', () => {
    expect(new Decimal(-12340n, 3).toString()).toBe('-12.340');
    expect(new Decimal(5n, 3).toString()).toBe('0.005');
    expect(new Decimal(15n, -3).toString()).toBe('15E+3');
    expect(new Decimal(15n, -3).toNumber()).toBe(15000);
    expect(new Decimal(-1n, -400).toNumber()).toBe(-Infinity);
    expect(new Decimal(1n, -536_870_919).toString()).toBe('1E+536870919');
  });
});
