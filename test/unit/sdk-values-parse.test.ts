import { describe, expect, it } from 'vitest';
import { DataError, Decimal, LOGICAL, SchemaBuilder, Schemas, parseString } from '../../src/sdk/index.js';

describe('parseString (Kafka\'s Values.parseString)', () => {
  const parsed = (text: string): [string | undefined, unknown] => {
    const r = parseString(text);
    return [r.schema?.name ?? r.schema?.type, r.value];
  };

  it('parses scalars and keeps other text as a string', () => {
    expect(parseString('')).toEqual({ schema: Schemas.STRING, value: '' });
    expect(parseString('null')).toEqual({ schema: null, value: null });
    expect(parseString('  null  ')).toEqual({ schema: null, value: null });
    expect(parsed(' true ')).toEqual(['boolean', true]);
    expect(parsed('false')).toEqual(['boolean', false]);
    expect(parsed('true}')).toEqual(['string', 'true}']);
    expect(parsed('null=')).toEqual(['string', 'null=']);
    expect(parsed('hello world')).toEqual(['string', 'hello world']);
    expect(parsed('\uffff')).toEqual(['string', '\uffff']);
  });

  it('parses numbers into the narrowest type Kafka picks', () => {
    expect(parsed('127')).toEqual(['int8', 127]);
    expect(parsed('-129')).toEqual(['int16', -129]);
    expect(parsed('32768')).toEqual(['int32', 32768]);
    expect(parsed('2147483648')).toEqual(['int64', 2147483648]);
    expect(parsed('9223372036854775807')).toEqual(['int64', 9223372036854775807n]);
    expect(parsed('1.0')).toEqual(['int8', 1]);
    expect(parsed('1e2')).toEqual(['int8', 100]);
    expect(parsed('1.5')).toEqual(['float32', 1.5]);
    expect(parsed('0.1')).toEqual(['float32', Math.fround(0.1)]);
    expect(parsed('1e39')).toEqual(['float64', 1e39]);
    expect(parseString('9223372036854775808')).toEqual({ schema: SchemaBuilder.decimal(0).build(), value: new Decimal(9223372036854775808n, 0) });
    expect(parsed('+5')).toEqual(['int8', 5]);
    expect(parsed('-')).toEqual(['string', '-']);
    expect(parsed('12 monkeys')).toEqual(['string', '12 monkeys']);
  });

  it('parses ISO dates, times and timestamps, escaped colons too', () => {
    expect(parsed('2019-08-23')).toEqual([LOGICAL.DATE, new Date('2019-08-23T00:00:00Z')]);
    expect(parsed('14:34:54.346Z')).toEqual([LOGICAL.TIME, new Date('1970-01-01T14:34:54.346Z')]);
    expect(parsed('2019-08-23T14:34:54.346Z')).toEqual([LOGICAL.TIMESTAMP, new Date('2019-08-23T14:34:54.346Z')]);
    expect(parsed('2019-08-23T14\\:34\\:54.346Z')).toEqual([LOGICAL.TIMESTAMP, new Date('2019-08-23T14:34:54.346Z')]);
    expect(parsed('2019-13-23')).toEqual([LOGICAL.DATE, new Date('2020-01-23T00:00:00Z')]);
  });

  it('parses arrays with a common element schema', () => {
    expect(parseString('[true, false]')).toEqual({ schema: SchemaBuilder.array(Schemas.BOOLEAN).build(), value: [true, false] });
    expect(parseString('[1, 2, 32768]')).toEqual({ schema: SchemaBuilder.array(Schemas.INT32).build(), value: [1, 2, 32768] });
    expect(parseString('[1, 2.5]')).toEqual({ schema: SchemaBuilder.array(Schemas.FLOAT32).build(), value: [1, 2.5] });
    expect(parseString('[]')).toEqual({ schema: SchemaBuilder.type('array').build(), value: [] });
    expect(parseString('[null]')).toEqual({ schema: SchemaBuilder.type('array').build(), value: [null] });
    expect(parseString('[1, 2, 300, "four"]')).toEqual({ schema: SchemaBuilder.type('array').build(), value: [1, 2, 300, 'four'] });
    expect(parseString('[[]]').schema).toEqual(SchemaBuilder.array(SchemaBuilder.type('array').build()).build());
    expect(parseString('[2019-08-23T14:34:54.346Z,   2019-01-23T15:12:34.567Z]').value).toEqual([new Date('2019-08-23T14:34:54.346Z'), new Date('2019-01-23T15:12:34.567Z')]);
  });

  it('parses maps with common key and value schemas', () => {
    expect(parseString('{"foo":"123","bar":"baz"}')).toEqual({ schema: SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build(), value: new Map([['foo', '123'], ['bar', 'baz']]) });
    expect(parseString(' { "foo" :  12345 , "bar" : 0,  "baz" : -4321 }  ')).toEqual({
      schema: SchemaBuilder.map(Schemas.STRING, Schemas.INT16).build(), value: new Map([['foo', 12345], ['bar', 0], ['baz', -4321]]),
    });
    expect(parseString('{3: null}')).toEqual({ schema: { type: 'map', optional: false, keySchema: Schemas.INT8 }, value: new Map([[3, null]]) });
    expect(parseString('{}')).toEqual({ schema: SchemaBuilder.type('map').build(), value: new Map() });
    expect(parseString('{"k1":"14:34:54.346Z"}').value).toEqual(new Map([['k1', new Date('1970-01-01T14:34:54.346Z')]]));
  });

  it('falls back to the whole text as a string for malformed containers', () => {
    for (const text of ['{foo: 3}', '{3: foo}', '[foo]', '{6:9 4:20}', '[0 1 2]', '{null: 3}', '[1, 2, 3,,,]', '[1, null]', '[null, 1]', '[1,2']) {
      expect(parseString(text)).toEqual({ schema: Schemas.STRING, value: text });
    }
  });
});

describe('parseString where the two earlier ports differed (Kafka\'s answers)', () => {
  const parsed = (text: string): [string | undefined, unknown] => {
    const r = parseString(text);
    return [r.schema?.name ?? r.schema?.type, r.value];
  };

  it('reads a fraction as float32 when it is finite there, and an integral value beyond int64 with an exponent as a float', () => {
    expect(parsed('-0.25')).toEqual(['float32', -0.25]);
    expect(parsed('1.1')).toEqual(['float32', Math.fround(1.1)]);
    expect(parsed('1e20')).toEqual(['float32', Math.fround(1e20)]);
    expect(parsed('1e300')).toEqual(['float64', 1e300]);
    expect(parsed('-0.0')).toEqual(['int8', 0]);
    expect(parsed('1.')).toEqual(['int8', 1]);
    expect(parsed('-.5')).toEqual(['float32', -0.5]);
    expect(parsed('.5')).toEqual(['string', '.5']);
  });

  it('rounds to float32 from the exact decimal, not through the nearest double', () => {
    // 1 + 2^-24 is halfway between the floats 1 and 1 + 2^-23; the nearest double to each text is that midpoint.
    expect(parsed('1.00000005960464477539062500000000000001')).toEqual(['float32', 1 + 2 ** -23]);
    expect(parsed('1.000000059604644775390625')).toEqual(['float32', 1]);
    expect(parsed('1.00000005960464477539062499999999999999')).toEqual(['float32', 1]);
    expect(parsed('-1.00000005960464477539062500000000000001')).toEqual(['float32', -(1 + 2 ** -23)]);
  });

  it('keeps a number too large for a double as a Decimal of the text\'s own scale', () => {
    expect(parseString('1e400')).toEqual({ schema: SchemaBuilder.decimal(-400).build(), value: new Decimal(1n, -400) });
    expect(parseString('1.50e400')).toEqual({ schema: SchemaBuilder.decimal(-398).build(), value: new Decimal(150n, -398) });
    expect(parseString('-92233720368547758090')).toEqual({ schema: SchemaBuilder.decimal(0).build(), value: new Decimal(-92233720368547758090n, 0) });
  });

  it('never expands an exponent: huge ones are decided from the digits', () => {
    const started = Date.now();
    expect(parseString('1e200000')).toEqual({ schema: SchemaBuilder.decimal(-200000).build(), value: new Decimal(1n, -200000) });
    // Java builds 10^536870919 here (minutes and a quarter gigabyte) before giving this answer.
    expect(parseString('1e536870919')).toEqual({ schema: SchemaBuilder.decimal(-536870919).build(), value: new Decimal(1n, -536870919) });
    expect(parsed('1e-200000')).toEqual(['float32', 0]);
    expect(parsed('-1e-536870919')).toEqual(['float32', -0]);
    expect(parsed(`1${'0'.repeat(300000)}e-300000`)).toEqual(['int8', 1]);
    expect(parsed(`-12${'0'.repeat(300000)}e-300001`)).toEqual(['float32', Math.fround(-1.2)]);
    expect(parsed('0e999999999')).toEqual(['int8', 0]);
    expect(parsed('0.000e-2147483640')).toEqual(['int8', 0]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('throws where Java\'s BigDecimal refuses to rescale (ArithmeticException), even inside a container', () => {
    for (const text of ['1e999999999', '1e-999999999', '1e536870920', '-5e-536870920', '[1, 1e999999999]', '{"k": 1e999999999}']) {
      expect(() => parseString(text), text).toThrow(DataError);
    }
  });

  it('reads text Java\'s BigDecimal rejects as a string (exponent or scale beyond an int)', () => {
    for (const text of ['1e2147483648', '1e-2147483648', '0.000e-2147483647', '1.5e-2147483647', '1e12345678901', '1e', '1e+-5', '1_000', '0x10']) {
      expect(parseString(text), text).toEqual({ schema: Schemas.STRING, value: text });
    }
    expect(parsed('1e000000000005')).toEqual(['int32', 100000]);
  });

  it('reads dates leniently, as Java\'s SimpleDateFormat does', () => {
    expect(parsed('2024-02-30')).toEqual([LOGICAL.DATE, new Date('2024-03-01T00:00:00Z')]);
    expect(parsed('2024-01-1x')).toEqual([LOGICAL.DATE, new Date('2024-01-01T00:00:00Z')]);
    expect(parsed('2024-1-015')).toEqual([LOGICAL.DATE, new Date('2024-01-15T00:00:00Z')]);
    expect(parsed('2024-00-00')).toEqual([LOGICAL.DATE, new Date('2023-11-30T00:00:00Z')]);
    expect(parsed('24:00:00.000Z')).toEqual([LOGICAL.TIME, new Date('1970-01-02T00:00:00Z')]);
    expect(parsed('2024-01-15T1:2:3.456789Z')).toEqual([LOGICAL.TIMESTAMP, new Date('2024-01-15T01:09:39.789Z')]);
    expect(parsed('"12:34:56.7890"')).toEqual(['string', '"12:34:56.7890"']);
    expect(parsed('2024/01/15')).toEqual(['string', '2024/01/15']);
    // Beyond a JS Date: stays text (Java would wrap the year to an int).
    expect(parsed('99999999999-1-1T0:0:0.0Z')).toEqual(['string', '99999999999-1-1T0:0:0.0Z']);
  });

  it('reads containers with inferred schemas, keeping quoted text as written', () => {
    expect(parseString('[1, "a", null, 2.5]')).toEqual({ schema: SchemaBuilder.type('array').build(), value: [1, 'a', null, 2.5] });
    expect(parseString('{"k":1,"n":{"m":[true]}}')).toEqual({
      schema: { type: 'map', optional: false, keySchema: Schemas.STRING },
      value: new Map<unknown, unknown>([['k', 1], ['n', new Map([['m', [true]]])]]),
    });
    expect(parseString('["a\\"b"]').value).toEqual(['a\\"b']);
    expect(parseString('["2024-01-15"]')).toEqual({ schema: SchemaBuilder.array(SchemaBuilder.date().build()).build(), value: [new Date('2024-01-15T00:00:00Z')] });
    expect(parseString('[1, 2] trailing').value).toEqual([1, 2]);
  });

  it('reads a top-level number from its first token only, dropping what follows a delimiter (Kafka; KAFKA-20892 proposes a string)', () => {
    expect(parsed('12:30')).toEqual(['int8', 12]);
    expect(parsed('1,000,000')).toEqual(['int8', 1]);
    expect(parsed('12:34:56.7890')).toEqual(['int8', 12]);
    expect(parsed('12 monkeys')).toEqual(['string', '12 monkeys']);
    expect(parsed('true,')).toEqual(['string', 'true,']);
  });

  it('reads null, true and false with surrounding blanks, and other text as the whole text', () => {
    expect(parseString(' null\t')).toEqual({ schema: null, value: null });
    expect(parsed('\ttrue\n')).toEqual(['boolean', true]);
    expect(parsed(' 12 monkeys ')).toEqual(['string', ' 12 monkeys ']);
    expect(parsed(' ')).toEqual(['string', ' ']);
    // Kafka's quirk: blanks before a malformed array or map are all that is kept.
    expect(parsed(' [1,')).toEqual(['string', ' ']);
    expect(parsed('[ [1,]')).toEqual(['string', '[ [1,]']);
  });

  it('aligns numbers to a temporal common schema as Kafka\'s convertTo does, while a JS Date holds them', () => {
    expect(parseString('[1, 2019-08-23]').value).toEqual([new Date(86_400_000), new Date('2019-08-23T00:00:00Z')]);
    expect(parsed('[2019-08-23, 70000]')).toEqual(['string', '[2019-08-23, 70000]']);
    expect(parsed('[1.5, 2019-08-23]')).toEqual(['string', '[1.5, 2019-08-23]']);
    // Java makes a Date 2^31 days out; a JS Date cannot, so the array stays text.
    expect(parsed('[2147483647, 2019-08-23]')).toEqual(['string', '[2147483647, 2019-08-23]']);
  });

  it('parses containers nested 1000 deep and refuses deeper ones (Java\'s stack overflows between 1,500 and 2,000)', () => {
    const nested = (n: number): string => `${'['.repeat(n)}1${']'.repeat(n)}`;
    let expected: unknown = 1;
    for (let i = 0; i < 1000; i++) expected = [expected];
    expect(parseString(nested(1000)).value).toEqual(expected);
    expect(() => parseString(nested(1001))).toThrow(DataError);
    expect(() => parseString('{"a":'.repeat(1001))).toThrow(DataError);
  });

  it('stays linear on long blank runs and long numbers', () => {
    const started = Date.now();
    expect(parsed(`a${' '.repeat(200000)}b`)[0]).toBe('string');
    expect(parsed(`[${' '.repeat(200000)}1]`)).toEqual(['array', [1]]);
    expect(parsed(`1.${'0'.repeat(200000)}1`)[0]).toBe('float32');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
