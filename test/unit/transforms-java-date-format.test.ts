import { describe, expect, it } from 'vitest';
import { JavaDateFormat, formatIsoLike } from '../../transforms/support/java-date-format.js';
import { parseJavaDate } from '../../transforms/support/java-date-parse.js';

const utc = (iso: string): number => Date.parse(iso);
const fmt = (pattern: string, iso: string | number): string => new JavaDateFormat(pattern).format(typeof iso === 'number' ? iso : utc(iso));
/** Century start as SimpleDateFormat created on 2024-06-01 would have it (80 years earlier). */
const CENTURY_START = utc('1944-06-01T00:00:00Z');
const parse = (pattern: string, text: string): string | undefined => {
  const ms = parseJavaDate(new JavaDateFormat(pattern), text, CENTURY_START);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

describe('SimpleDateFormat patterns', () => {
  it('refuses letters Java refuses and unterminated quotes, with Java messages', () => {
    expect(() => new JavaDateFormat('bad-format')).toThrow("Illegal pattern character 'b'");
    expect(() => new JavaDateFormat('yyyy-MM-dd q')).toThrow("Illegal pattern character 'q'");
    expect(() => new JavaDateFormat("yyyy 'at")).toThrow('Unterminated quote');
    expect(() => new JavaDateFormat('HH:mm XXXX')).toThrow('invalid ISO 8601 format: length=4');
    expect(() => new JavaDateFormat('yyyy-MM-dd é ~ 9')).not.toThrow();
  });

  it('formats the patterns Kafka documents and tests', () => {
    expect(fmt('yyyyMMdd', 1483425001864)).toBe('20170103');
    expect(fmt('yyyy MM dd HH mm ss SSS z', 86_401_234)).toBe('1970 01 02 00 00 01 234 UTC');
    expect(fmt("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", '2024-03-05T07:08:09.010Z')).toBe('2024-03-05T07:08:09.010Z');
    expect(fmt('EEE, d MMM yyyy HH:mm:ss Z', '2024-03-05T17:08:09Z')).toBe('Tue, 5 Mar 2024 17:08:09 +0000');
  });

  it('formats every letter as Java does in UTC / en_US', () => {
    const t = '2024-12-29T15:04:05.006Z'; // a Sunday, in the week holding 1 January 2025
    expect(fmt('G y yy yyy yyyyy GGGG', t)).toBe('AD 2024 24 2024 02024 Anno Domini');
    expect(fmt('M MM MMM MMMM L', t)).toBe('12 12 Dec December 12');
    expect(fmt('d dd D DDD F E EEEE u', t)).toBe('29 29 364 364 5 Sun Sunday 7');
    expect(fmt('w ww W Y YY', t)).toBe('1 01 5 2025 25');
    expect(fmt('H HH k K h hh a', t)).toBe('15 15 15 3 3 03 PM');
    expect(fmt('m s S SS SSS SSSS', t)).toBe('4 5 6 06 006 0006');
    expect(fmt('z zzzz Z X XX XXX', t)).toBe('UTC Coordinated Universal Time +0000 Z Z Z');
    expect(fmt('H k K h a', '2024-01-01T00:30:00Z')).toBe('0 24 0 12 AM');
    expect(fmt('w Y', '2024-01-01T00:00:00Z')).toBe('1 2024');
    expect(fmt('w W', '2024-03-09T00:00:00Z')).toBe('10 2');
  });

  it('handles quotes like Java', () => {
    expect(fmt("yyyy-MM-dd'T'HH", '2024-03-05T07:00:00Z')).toBe('2024-03-05T07');
    expect(fmt("'o''clock' h ''a''", '2024-03-05T07:00:00Z')).toBe("o'clock 7 'AM'");
  });

  it('formats instants before the epoch and before year 1', () => {
    expect(fmt('yyyy-MM-dd HH:mm:ss.SSS', -1)).toBe('1969-12-31 23:59:59.999');
    expect(fmt('G yyyy-MM-dd', '0000-01-01T00:00:00Z')).toBe('BC 0001-01-01');
    expect(fmt('G y', '-000001-06-01T00:00:00Z')).toBe('BC 2');
  });

  it('reuses the last text within the finest unit but never across it', () => {
    const f = new JavaDateFormat('yyyy-MM-dd HH');
    expect(f.format(utc('2024-03-05T07:59:59.999Z'))).toBe('2024-03-05 07');
    expect(f.format(utc('2024-03-05T07:00:00Z'))).toBe('2024-03-05 07');
    expect(f.format(utc('2024-03-05T08:00:00Z'))).toBe('2024-03-05 08');
  });

  it("formats dates as Kafka's Values.dateFormatFor does", () => {
    expect(formatIsoLike(3_600_000)).toBe('01:00:00.000Z');
    expect(formatIsoLike(86_400_000)).toBe('1970-01-02');
    expect(formatIsoLike(86_400_001)).toBe('1970-01-02T00:00:00.001Z');
    expect(formatIsoLike(-1)).toBe('23:59:59.999Z');
  });
});

describe('lenient SimpleDateFormat parsing', () => {
  it('reads back what it writes', () => {
    expect(parse('yyyy MM dd HH mm ss SSS z', '1970 01 02 00 00 01 234 UTC')).toBe('1970-01-02T00:00:01.234Z');
    expect(parse("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", '2024-03-05T07:08:09.010Z')).toBe('2024-03-05T07:08:09.010Z');
  });

  it('applies zone offsets', () => {
    expect(parse("yyyy-MM-dd'T'HH:mm:ssXXX", '2024-03-05T07:08:09+05:30')).toBe('2024-03-05T01:38:09.000Z');
    expect(parse("yyyy-MM-dd'T'HH:mm:ssX", '2024-03-05T07:08:09-08')).toBe('2024-03-05T15:08:09.000Z');
    expect(parse('EEE, d MMM yyyy HH:mm:ss Z', 'Tue, 5 Mar 2024 17:08:09 +0100')).toBe('2024-03-05T16:08:09.000Z');
    expect(parse('yyyy-MM-dd HH:mm z', '2024-03-05 10:00 GMT-02:00')).toBe('2024-03-05T12:00:00.000Z');
    expect(parse('yyyy-MM-dd HH:mm z', '2024-07-05 10:00 PDT')).toBe('2024-07-05T17:00:00.000Z');
    expect(parse("yyyy-MM-dd'T'HH:mm:ssXXX", '2024-03-05T07:08:09+0530')).toBeUndefined();
  });

  it('rolls over out-of-range numbers and reads S as milliseconds', () => {
    expect(parse('yyyy-MM-dd', '2024-13-01')).toBe('2025-01-01T00:00:00.000Z');
    expect(parse('yyyy-MM-dd', '2024-02-30')).toBe('2024-03-01T00:00:00.000Z');
    expect(parse('HH:mm:ss.SSS', '12:00:00.1234')).toBe('1970-01-01T12:00:01.234Z');
    expect(parse('yyyy-MM-dd HH:mm', '2024-03-05 24:00')).toBe('2024-03-06T00:00:00.000Z');
  });

  it('reads abutting numeric fields by their widths, the last one greedily', () => {
    expect(parse('yyyyMMdd', '20240315')).toBe('2024-03-15T00:00:00.000Z');
    expect(parse('yyyyMMddHHmmss', '20240315101112')).toBe('2024-03-15T10:11:12.000Z');
    expect(parse('yyyyMMdd', '2024031')).toBe('2024-03-01T00:00:00.000Z');
    expect(parse('yyyy-M-d', '2024-3-5')).toBe('2024-03-05T00:00:00.000Z');
  });

  it('skips spaces before a field, ignores trailing text, and fails on literal mismatches', () => {
    expect(parse('yyyy-MM-dd', '  2024-03-15xyz')).toBe('2024-03-15T00:00:00.000Z');
    expect(parse('yyyy-MM-dd', '2024/03/15')).toBeUndefined();
    expect(parse('yyyy-MM-dd', '')).toBeUndefined();
    expect(parse('yyyy-MM-dd HH', '2024-03-15')).toBeUndefined();
  });

  it('reads month, weekday, era and AM/PM names case-insensitively', () => {
    expect(parse('dd MMM yyyy', '15 mar 2024')).toBe('2024-03-15T00:00:00.000Z');
    expect(parse('dd MMM yyyy', '15 September 2024')).toBe('2024-09-15T00:00:00.000Z');
    expect(parse('hh:mm a', '03:15 pm')).toBe('1970-01-01T15:15:00.000Z');
    expect(parse('hh:mm a', '12:15 AM')).toBe('1970-01-01T00:15:00.000Z');
    expect(parse('G yyyy-MM-dd', 'BC 0001-01-01')).toBe(new Date(utc('0000-01-01T00:00:00Z')).toISOString());
    expect(parse('G yyyy-MM-dd', 'before christ 0001-01-01')).toBe(new Date(utc('0000-01-01T00:00:00Z')).toISOString());
  });

  it('resolves fields as Calendar does: later fields win, E yields to d', () => {
    expect(parse('EEE dd MMM yyyy', 'Mon 15 Mar 2024')).toBe('2024-03-15T00:00:00.000Z');
    expect(parse('EEE', 'Fri')).toBe('1970-01-02T00:00:00.000Z');
    expect(parse('yyyy DDD', '2024 060')).toBe('2024-02-29T00:00:00.000Z');
    expect(parse('HH a', '15 AM')).toBe('1970-01-01T15:00:00.000Z');
    // Java's infamous week-year: YYYY wins over MM and dd and lands on week 1's Sunday.
    expect(parse('YYYY-MM-dd', '2014-05-15')).toBe('2013-12-29T00:00:00.000Z');
  });

  it('puts two-digit years within 80 years before and 20 after the century start', () => {
    expect(parse('yy-MM-dd', '24-03-15')).toBe('2024-03-15T00:00:00.000Z');
    expect(parse('yy-MM-dd', '50-03-15')).toBe('1950-03-15T00:00:00.000Z');
    expect(parse('yy-MM-dd', '44-01-01')).toBe('2044-01-01T00:00:00.000Z');
    expect(parse('yy-MM-dd', '44-07-01')).toBe('1944-07-01T00:00:00.000Z');
    expect(parse('yy-MM-dd', '2024-03-15')).toBe('2024-03-15T00:00:00.000Z');
  });
});
