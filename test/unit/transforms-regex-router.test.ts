import { describe, expect, it } from 'vitest';
import { ConfigError, type ConnectRecord, type SinkRecord } from '../../src/sdk/index.js';
import { RegexRouter } from '../../transforms/kafka/regex-router.js';
import { compileJavaPattern, JavaPatternError } from '../../transforms/support/java-pattern.js';

function router(regex: string, replacement: string): RegexRouter {
  const r = new RegexRouter();
  r.configure({ regex, replacement });
  return r;
}
const sinkRecord = (topic: string): SinkRecord => ({
  topic, kafkaPartition: 0, keySchema: null, key: null, valueSchema: null, value: null, timestamp: null, headers: [],
  kafkaOffset: 0, timestampType: 'CreateTime', originalTopic: topic, originalKafkaPartition: 0, originalKafkaOffset: 0,
});
const apply = (regex: string, replacement: string, topic: string): string => router(regex, replacement).apply(sinkRecord(topic))!.topic;

describe('RegexRouter', () => {
  it.each([
    ['foo', 'bar', 'foo', 'bar'],
    ['foo', 'bar', 'orig', 'orig'],
    ['(.*)', '$1', 'orig', 'orig'],
    ['(.*)', 'prefix-$1', 'orig', 'prefix-orig'],
    ['(.*)', '$1-suffix', 'orig', 'orig-suffix'],
    ['(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)', '$1', 'index-20160117', 'index'],
  ])('Kafka case: %s -> %s on %s', (regex, replacement, topic, expected) => {
    expect(apply(regex, replacement, topic)).toBe(expected);
  });

  it('needs the whole topic to match', () => {
    expect(apply('foo', 'bar', 'foobar')).toBe('foobar');
    // matches() takes the second alternative; replaceFirst's find() then stops at the first.
    expect(apply('a|ab', 'X', 'ab')).toBe('Xb');
  });

  it('replaces only the first match, as replaceFirst does after matches()', () => {
    // The whole topic matches, but the first find() is the empty match at 0.
    expect(apply('a*?', 'X', 'aaa')).toBe('Xaaa');
  });

  it("uses Java's replacement syntax", () => {
    expect(apply('(?<db>\\w+)\\.(?<table>\\w+)', '${table}_in_${db}', 'shop.orders')).toBe('orders_in_shop');
    expect(apply('(a)(b)?', '[$2]\\$$1', 'a')).toBe('[]$a');
    expect(apply('(a)', '$10', 'a')).toBe('a0');
    expect(apply('(((((((((((a)))))))))))', '$11', 'a')).toBe('a');
  });

  it('keeps everything but the topic, and returns the same record when nothing matches', () => {
    const r = sinkRecord('db.orders');
    const out = router('db\\.(.*)', 'cdc-$1').apply(r) as SinkRecord;
    expect(out).toEqual({ ...r, topic: 'cdc-orders' });
    expect(out.originalTopic).toBe('db.orders');
    const other: ConnectRecord = sinkRecord('other');
    expect(router('db\\.(.*)', 'cdc-$1').apply(other)).toBe(other);
  });

  it('refuses invalid regexes and replacements as ConfigError naming the key', () => {
    const fails = (regex: string, replacement: string, key: string, message: string): void => {
      let err: unknown;
      try {
        router(regex, replacement);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).key).toBe(key);
      expect((err as Error).message).toContain(message);
    };
    fails('(unclosed', 'x', 'regex', 'Invalid value (unclosed for configuration regex: Invalid regex:');
    fails('a++', 'x', 'regex', 'possessive quantifier');
    fails('(?>a)', 'x', 'regex', 'atomic group');
    fails('(a)', '$2', 'replacement', 'No group 2');
    fails('(a)', '${name}', 'replacement', 'No group with name {name}');
    fails('(a)', 'x$', 'replacement', 'Illegal group reference: group index is missing');
    fails('(a)', '$x', 'replacement', 'Illegal group reference');
    fails('(a)', 'x\\', 'replacement', 'character to be escaped is missing');
    expect(() => new RegexRouter().configure({ regex: 'a' })).toThrow('Missing required configuration "replacement"');
  });
});

describe('Java regex translation', () => {
  const whole = (regex: string, text: string): boolean => compileJavaPattern(regex).whole.test(text);
  const refused = (regex: string, what: string): void => {
    expect(() => compileJavaPattern(regex)).toThrow(JavaPatternError);
    expect(() => compileJavaPattern(regex)).toThrow(what);
  };

  it('translates Java-only syntax to the same matches', () => {
    expect(whole('\\Qa.b*\\E', 'a.b*')).toBe(true);
    expect(whole('\\Qa.b', 'axb')).toBe(false);
    expect(whole('\\Aab\\z', 'ab')).toBe(true);
    expect(whole('ab\\Z', 'ab')).toBe(true);
    expect(whole('a\\sb', 'a\u00a0b')).toBe(false);
    expect(whole('a\\sb', 'a\tb')).toBe(true);
    expect(whole('a\\hb', 'a\u00a0b')).toBe(true);
    expect(whole('[\\p{Upper}_]+', 'AB_C')).toBe(true);
    expect(whole('\\p{Alpha}+\\P{Digit}', 'abc-')).toBe(true);
    expect(whole('\\e\\a\\x{41}\\0101\\cA', '\u001b\u0007AA\u0001')).toBe(true);
    expect(whole('[]a]+', ']a]')).toBe(true);
    expect(whole('a.c', 'a\u0085c')).toBe(false);
    expect(whole('(?s)a.c', 'a\u0085c')).toBe(true);
    expect(whole('(?i)ABC', 'abc')).toBe(true);
    expect(whole('(a)\\10', 'aa0')).toBe(true);
    expect(whole('a{2,}', 'aaa')).toBe(true);
  });

  it('counts groups and names for replacements', () => {
    const p = compileJavaPattern('(a)(?:b)(?<name>c)(?=d)');
    expect(p.groupCount).toBe(2);
    expect([...p.groupNames]).toEqual(['name']);
  });

  it('refuses what JavaScript cannot match alike', () => {
    refused('a*+', 'possessive quantifier');
    refused('(?>a)', 'atomic group');
    refused('a(?i)b', 'inline flag group');
    refused('(?i:a)', 'inline flag group');
    refused('(?x)a b', 'inline flag (?x)');
    refused('[a[b]]', 'character class union or nesting');
    refused('[a-z&&[^aeiou]]', 'intersection');
    refused('[\\S]', '\\S inside a character class');
    refused('\\p{L}', '\\p{L}');
    refused('\\Ga', '\\G');
    refused('\\1(a)', 'back reference \\1 to a group not yet opened');
    refused('\\y', 'Illegal/unsupported escape sequence');
    refused('a{', 'Illegal repetition');
    refused('[ab', 'Unclosed character class');
  });
});
