/**
 * The SDK's Decimal: text in, and rescaling without rounding — exact as Java's BigDecimal, and bounded
 * so that a hostile exponent or scale fails at once instead of expanding 10^exponent.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DataError, Decimal, MAX_DECIMAL_SCALE } from '../../src/sdk/index.js';

describe('Decimal.parse', () => {
  it.each([
    ['-12.340', -12340n, 3],
    ['1.5e3', 1500n, 0],
    ['1.5E-3', 15n, 4],
    ['+.5', 5n, 1],
    ['7.', 7n, 0],
    ['0e999999999', 0n, 0],
    ['0.00e-999999999', 0n, MAX_DECIMAL_SCALE],
    ['-0', 0n, 0],
  ])('reads %j as unscaled %s, scale %i', (text, unscaled, scale) => {
    expect(Decimal.parse(text)).toEqual(new Decimal(unscaled, scale));
  });

  it('refuses text that is not a number, and an exponent that moves the point beyond the bound', () => {
    for (const text of ['', '.', 'e5', '1e', '--1', '0x10', 'NaN']) expect(() => Decimal.parse(text)).toThrow(DataError);
    expect(() => Decimal.parse('1e999999999')).toThrow('decimal number "1e999999999" moves its point more than 16383 places');
    expect(() => Decimal.parse('1e-16384')).toThrow(DataError);
    expect(() => Decimal.parse('1e16384')).toThrow(DataError);
    expect(Decimal.parse('1e-16383').scale).toBe(16_383);
    expect(Decimal.parse('1e16383').unscaled).toBe(10n ** 16_383n);
    // Digits written out are not bounded by it: only the text's length bounds them.
    expect(Decimal.parse(`0.${'1'.repeat(20_000)}`).scale).toBe(20_000);
    expect(Decimal.parse('9'.repeat(131_072)).scale).toBe(0);
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
    expect(new Decimal(1n, 0).withScale(2 * MAX_DECIMAL_SCALE + 1)).toBeUndefined();
    expect(new Decimal(1n, 2_000_000_000).withScale(0)).toBeUndefined();
    expect(new Decimal(0n, 0).withScale(2_000_000_000)).toBeUndefined();
    expect(new Decimal(1n, 0).withScale(2 * MAX_DECIMAL_SCALE)?.unscaled).toBe(10n ** 32_766n);
    // A zero takes any scale within the bound, negative ones too (NUMERIC(5,-2) in Postgres).
    expect(new Decimal(0n, 0).withScale(-2)).toEqual(new Decimal(0n, -2));
    expect(new Decimal(1200n, 0).withScale(-2)).toEqual(new Decimal(12n, -2));
    expect(new Decimal(1234n, 0).withScale(-2)).toBeUndefined();
    // Fewer digits than places to drop: undefined without computing 10^places.
    expect(new Decimal(123456789n, 30_000).withScale(0)).toBeUndefined();
  });

  it('agrees with the value: a rescaled decimal reads back as the same number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat(40), fc.nat(40), (unscaled, from, to) => {
        const r = new Decimal(unscaled, from).withScale(to);
        const exactlyDivisible = to >= from || unscaled % 10n ** BigInt(from - to) === 0n;
        expect(r !== undefined).toBe(exactlyDivisible);
        if (r) expect([r.scale, r.unscaled * 10n ** BigInt(from)]).toEqual([to, unscaled * 10n ** BigInt(to)]);
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
