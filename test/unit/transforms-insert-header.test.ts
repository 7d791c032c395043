import { describe, expect, it } from 'vitest';
import { ConfigError, Decimal, LOGICAL, SchemaBuilder, Schemas, sourceRecord, type ConnectHeader, type ConnectRecord } from '../../src/sdk/index.js';
import { InsertHeader } from '../../transforms/kafka/insert-header.js';
import { parseLiteral } from '../../transforms/support/header-literal.js';

function insert(header: string, literal: string): InsertHeader {
  const t = new InsertHeader();
  t.configure({ header, 'value.literal': literal });
  return t;
}
const str = (key: string, value: string): ConnectHeader => ({ key, schema: Schemas.STRING, value });
const record = (headers: ConnectHeader[]): ConnectRecord => sourceRecord({ topic: 'topic', kafkaPartition: 0, key: 'key', value: 'value', timestamp: 0, headers, sourcePartition: { foo: 'bar' }, sourceOffset: { baz: 'quxx' } });

describe('InsertHeader', () => {
  it('appends after other headers and keeps the rest of the record', () => {
    const r = record([str('existing', 'existing-value')]);
    expect(insert('inserted', 'inserted-value').apply(r)).toEqual({ ...r, headers: [str('existing', 'existing-value'), str('inserted', 'inserted-value')] });
    expect(r.headers).toHaveLength(1);
  });

  it('appends even when the header exists', () => {
    const r = record([str('existing', 'preexisting-value')]);
    expect(insert('existing', 'inserted-value').apply(r)!.headers).toEqual([str('existing', 'preexisting-value'), str('existing', 'inserted-value')]);
  });

  it('infers the schema of the literal: 1 is an int8', () => {
    expect(insert('inserted', '1').apply(record([]))!.headers).toEqual([{ key: 'inserted', schema: Schemas.INT8, value: 1 }]);
    expect(insert('h', 'null').apply(record([]))!.headers).toEqual([{ key: 'h', schema: null, value: null }]);
  });

  it('requires both settings', () => {
    expect(() => new InsertHeader().configure({ 'value.literal': '1' })).toThrow(ConfigError);
    expect(() => new InsertHeader().configure({ header: 'inserted' })).toThrow('Missing required configuration "value.literal"');
  });
});

describe('Values.parseString for header literals', () => {
  const parsed = (text: string): [string | undefined, unknown] => {
    const r = parseLiteral(text);
    return [r.schema?.name ?? r.schema?.type, r.value];
  };

  it('parses scalars and keeps other text as a string', () => {
    expect(parseLiteral('')).toEqual({ schema: Schemas.STRING, value: '' });
    expect(parseLiteral('null')).toEqual({ schema: null, value: null });
    expect(parseLiteral('  null  ')).toEqual({ schema: null, value: null });
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
    expect(parseLiteral('9223372036854775808')).toEqual({ schema: SchemaBuilder.decimal(0).build(), value: new Decimal(9223372036854775808n, 0) });
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
    expect(parseLiteral('[true, false]')).toEqual({ schema: SchemaBuilder.array(Schemas.BOOLEAN).build(), value: [true, false] });
    expect(parseLiteral('[1, 2, 32768]')).toEqual({ schema: SchemaBuilder.array(Schemas.INT32).build(), value: [1, 2, 32768] });
    expect(parseLiteral('[1, 2.5]')).toEqual({ schema: SchemaBuilder.array(Schemas.FLOAT32).build(), value: [1, 2.5] });
    expect(parseLiteral('[]')).toEqual({ schema: SchemaBuilder.type('array').build(), value: [] });
    expect(parseLiteral('[null]')).toEqual({ schema: SchemaBuilder.type('array').build(), value: [null] });
    expect(parseLiteral('[1, 2, 300, "four"]')).toEqual({ schema: SchemaBuilder.type('array').build(), value: [1, 2, 300, 'four'] });
    expect(parseLiteral('[[]]').schema).toEqual(SchemaBuilder.array(SchemaBuilder.type('array').build()).build());
    expect(parseLiteral('[2019-08-23T14:34:54.346Z,   2019-01-23T15:12:34.567Z]').value).toEqual([new Date('2019-08-23T14:34:54.346Z'), new Date('2019-01-23T15:12:34.567Z')]);
  });

  it('parses maps with common key and value schemas', () => {
    expect(parseLiteral('{"foo":"123","bar":"baz"}')).toEqual({ schema: SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build(), value: new Map([['foo', '123'], ['bar', 'baz']]) });
    expect(parseLiteral(' { "foo" :  12345 , "bar" : 0,  "baz" : -4321 }  ')).toEqual({
      schema: SchemaBuilder.map(Schemas.STRING, Schemas.INT16).build(), value: new Map([['foo', 12345], ['bar', 0], ['baz', -4321]]),
    });
    expect(parseLiteral('{3: null}')).toEqual({ schema: { type: 'map', optional: false, keySchema: Schemas.INT8 }, value: new Map([[3, null]]) });
    expect(parseLiteral('{}')).toEqual({ schema: SchemaBuilder.type('map').build(), value: new Map() });
    expect(parseLiteral('{"k1":"14:34:54.346Z"}').value).toEqual(new Map([['k1', new Date('1970-01-01T14:34:54.346Z')]]));
  });

  it('falls back to the whole text as a string for malformed containers', () => {
    for (const text of ['{foo: 3}', '{3: foo}', '[foo]', '{6:9 4:20}', '[0 1 2]', '{null: 3}', '[1, 2, 3,,,]', '[1, null]', '[null, 1]', '[1,2']) {
      expect(parseLiteral(text)).toEqual({ schema: Schemas.STRING, value: text });
    }
  });
});
