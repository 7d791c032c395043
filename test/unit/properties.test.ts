import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseProperties, parsePropertyEntries } from '../../src/config/properties.js';
import { isTributaryError } from '../../src/errors/codes.js';
import { CONNECT_FILE_SOURCE_PROPERTIES, connectStandaloneProperties } from '../support/kafka-config-files.js';

const CONNECT_STANDALONE = connectStandaloneProperties();
const CONNECT_FILE_SOURCE = CONNECT_FILE_SOURCE_PROPERTIES;

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('parseProperties on Kafka files', () => {
  it('reads connect-standalone.properties', () => {
    expect(parseProperties(CONNECT_STANDALONE, 'connect-standalone.properties')).toEqual({
      'bootstrap.servers': 'localhost:9092',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'true',
      'value.converter.schemas.enable': 'true',
      'offset.storage.file.filename': '/tmp/connect.offsets',
      'offset.flush.interval.ms': '10000',
      'plugin.path': 'libs/connect-file-3.9.0.jar',
    });
  });

  it('reads connect-file-source.properties, whose last line has no newline', () => {
    expect(parseProperties(CONNECT_FILE_SOURCE, 'f')).toEqual({
      name: 'local-file-source',
      'connector.class': 'FileStreamSource',
      'tasks.max': '1',
      file: 'test.txt',
      topic: 'connect-test',
    });
  });
});

describe('parseProperties separators and whitespace', () => {
  it.each([
    ['a=b', 'a', 'b'],
    ['a:b', 'a', 'b'],
    ['a b', 'a', 'b'],
    ['a\tb', 'a', 'b'],
    ['a = b', 'a', 'b'],
    ['a  :  b', 'a', 'b'],
    ['   a=b', 'a', 'b'],
    ['a==b', 'a', '=b'],
    ['a =:b', 'a', ':b'],
    ['a b=c', 'a', 'b=c'],
    ['a=', 'a', ''],
    ['a', 'a', ''],
    ['=b', '', 'b'],
    ['a=b  ', 'a', 'b  '],
    ['a=b # not a comment', 'a', 'b # not a comment'],
    ['url=http://h:8083/x?y=z', 'url', 'http://h:8083/x?y=z'],
  ])('%j → key %j, value %j', (line, key, value) => {
    expect(parseProperties(line, 'f')).toEqual({ [key]: value });
  });

  it('skips # and ! comments and blank lines, also indented ones', () => {
    expect(parseProperties('# c\n! c\n   # c\n\t! c\n\n   \na=1\n', 'f')).toEqual({ a: '1' });
  });

  it('accepts \\n, \\r\\n and \\r line endings', () => {
    expect(parseProperties('a=1\r\nb=2\rc=3\nd=4', 'f')).toEqual({ a: '1', b: '2', c: '3', d: '4' });
  });

  it('lets the last of repeated keys win', () => {
    expect(parseProperties('a=1\na=2\n', 'f')).toEqual({ a: '2' });
    expect(parsePropertyEntries('a=1\na=2\n', 'f')).toEqual([
      { key: 'a', value: '1', line: 1 },
      { key: 'a', value: '2', line: 2 },
    ]);
  });

  it('drops a leading byte-order mark', () => {
    expect(parseProperties('\uFEFFa=1', 'f')).toEqual({ a: '1' });
  });

  it('returns own properties even for a key named __proto__', () => {
    const map = parseProperties('__proto__=x', 'f');
    expect(Object.keys(map)).toEqual(['__proto__']);
    expect(map['__proto__']).toBe('x');
  });
});

describe('parseProperties line continuation', () => {
  it('joins a line ending in a backslash with the next, dropping its leading whitespace', () => {
    const text = 'plugin.path=/opt/a,\\\n    /opt/b,\\\n\t/opt/c\nnext=1\n';
    expect(parseProperties(text, 'f')).toEqual({ 'plugin.path': '/opt/a,/opt/b,/opt/c', next: '1' });
    expect(parsePropertyEntries(text, 'f').map((e) => e.line)).toEqual([1, 4]);
  });

  it('continues keys too', () => {
    expect(parseProperties('long\\\n  .key=v', 'f')).toEqual({ 'long.key': 'v' });
  });

  it('does not continue after an even number of backslashes', () => {
    expect(parseProperties('a=x\\\\\nb=y', 'f')).toEqual({ a: 'x\\', b: 'y' });
    expect(parseProperties('a=x\\\\\\\n  z', 'f')).toEqual({ a: 'x\\z' });
  });

  it('never continues a comment, but a continuation line starting with # is value', () => {
    expect(parseProperties('# comment \\\na=1', 'f')).toEqual({ a: '1' });
    expect(parseProperties('a=1\\\n#2', 'f')).toEqual({ a: '1#2' });
  });

  it('ends the logical line at an empty continuation line', () => {
    expect(parseProperties('a=1\\\n\nb=2', 'f')).toEqual({ a: '1', b: '2' });
    expect(parseProperties('a=1\\\n   \nb=2', 'f')).toEqual({ a: '1', b: '2' });
  });

  it('drops a backslash on the last line of the file', () => {
    expect(parseProperties('a=1\\', 'f')).toEqual({ a: '1' });
  });
});

describe('parseProperties escapes', () => {
  it('decodes \\t \\n \\r \\f \\\\ \\uXXXX and escaped separators', () => {
    expect(parseProperties('v=a\\tb\\nc\\rd\\fe\\\\f\\u00e9\\u20AC\\=\\:\\#\\!', 'f')).toEqual({
      v: 'a\tb\nc\rd\fe\\f\u00e9\u20ac=:#!',
    });
  });

  it('keeps escaped separators and spaces in keys', () => {
    expect(parseProperties('my\\=key\\:x\\ y = v', 'f')).toEqual({ 'my=key:x y': 'v' });
  });

  it('reads a backslash before any other character as that character, as Java does', () => {
    expect(parseProperties('v=\\b\\q\\ ', 'f')).toEqual({ v: 'bq ' });
  });

  it('joins a \\u escape split by a continuation, as Java does', () => {
    expect(parseProperties('v=\\u00\\\n  41', 'f')).toEqual({ v: 'A' });
  });

  it('round-trips any key and value written with Java-style escaping', () => {
    const escape = (s: string, isKey: boolean): string =>
      s
        .split('')
        .map((c, i) => {
          const code = c.charCodeAt(0);
          if (c === ' ') return isKey || i === 0 ? '\\ ' : ' ';
          if (c === '\t') return '\\t';
          if (c === '\n') return '\\n';
          if (c === '\r') return '\\r';
          if (c === '\f') return '\\f';
          if ('\\=:#!'.includes(c)) return `\\${c}`;
          if (code < 0x20 || code > 0x7e) return `\\u${code.toString(16).padStart(4, '0')}`;
          return c;
        })
        .join('');
    const unit = fc.oneof(
      fc.constantFrom(' ', '\t', '\n', '\r', '\f', '\\', '=', ':', '#', '!', 'u', '0'),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1 }), fc.string({ unit }), (key, value) => {
        const text = `# generated\n${escape(key, true)} = ${escape(value, false)}\n`;
        expect(parseProperties(text, 'f')).toEqual({ [key]: value });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseProperties errors', () => {
  it('names the file and line of a malformed \\u escape', () => {
    const err = errorOf(() => parseProperties('a=1\n\nb=x\\u12G4y\n', '/etc/w.properties'));
    expect(isTributaryError(err, 'CONFIG_INVALID')).toBe(true);
    expect(err.message).toBe('/etc/w.properties:3: malformed \\uXXXX escape "\\u12G4" (expected four hex digits)');
  });

  it('reports a \\u escape cut short by the end of the key or value', () => {
    expect(errorOf(() => parseProperties('k\\u00=v', 'f')).message).toBe(
      'f:1: malformed \\uXXXX escape "\\u00" (expected four hex digits)',
    );
    expect(errorOf(() => parseProperties('k=v\\u', 'f')).message).toBe(
      'f:1: malformed \\uXXXX escape "\\u" (expected four hex digits)',
    );
  });

  it('lists every malformed escape, on the natural line where each occurs', () => {
    const err = errorOf(() => parseProperties('a=\\uZZZZ\nb=ok\\\n   \\u12', 'x.properties'));
    expect(err.message).toBe(
      'x.properties:1: malformed \\uXXXX escape "\\uZZZZ" (expected four hex digits)\n' +
        'x.properties:3: malformed \\uXXXX escape "\\u12" (expected four hex digits)',
    );
  });
});
