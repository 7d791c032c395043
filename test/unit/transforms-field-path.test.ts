import { describe, expect, it } from 'vitest';
import { ConfigDef, ConfigError, DataError, SchemaBuilder, Schemas, Struct } from '../../src/sdk/index.js';
import { defineFieldSyntaxVersion, FieldPath, fieldSyntaxVersionOf, parseFieldSyntaxVersion } from '../../transforms/support/field-path.js';

const v2 = (p: string): readonly string[] => FieldPath.parse(p, 'V2').steps;

describe('FieldPath parsing (KIP-821)', () => {
  it('V1 keeps the whole text as one step', () => {
    for (const p of ['foo.bar.baz', 'foo`bar`', 'foo.`bar.baz`']) expect(FieldPath.parse(p, 'V1').steps).toEqual([p]);
  });

  it('V2 splits on dots, keeping empty names', () => {
    expect(v2('')).toEqual([]);
    expect(v2('foobarbaz')).toEqual(['foobarbaz']);
    expect(v2('foo.bar.baz')).toEqual(['foo', 'bar', 'baz']);
    expect(v2('..')).toEqual(['', '', '']);
    expect(v2('foo..')).toEqual(['foo', '', '']);
    expect(v2('.bar.')).toEqual(['', 'bar', '']);
    expect(v2('..baz')).toEqual(['', '', 'baz']);
  });

  it('V2 backtick pairs wrap names with dots', () => {
    expect(v2('foo`bar`baz')).toEqual(['foo`bar`baz']);
    expect(v2('`foo.bar.baz`')).toEqual(['foo.bar.baz']);
    expect(v2('foo.`bar.baz`')).toEqual(['foo', 'bar.baz']);
    expect(v2('`foo.bar`.baz')).toEqual(['foo.bar', 'baz']);
    expect(v2('foo.`bar`.baz')).toEqual(['foo', 'bar', 'baz']);
  });

  it('V2 keeps backticks that do not wrap', () => {
    expect(v2('foo.``bar.baz`')).toEqual(['foo', '`bar.baz']);
    expect(v2('foo.`bar.baz``')).toEqual(['foo', 'bar.baz`']);
    expect(v2('foo.`ba`r.baz`')).toEqual(['foo', 'ba`r.baz']);
    expect(v2('foo.ba`r.baz')).toEqual(['foo', 'ba`r', 'baz']);
    expect(v2('foo.``bar``.baz')).toEqual(['foo', '`bar`', 'baz']);
    expect(v2('``foo.bar.baz``')).toEqual(['`foo.bar.baz`']);
  });

  it('V2 escapes a closing backtick with a backslash', () => {
    expect(v2('foo.`bar\\`.baz`')).toEqual(['foo', 'bar`.baz']);
    expect(v2('foo.`bar.`baz`')).toEqual(['foo', 'bar.`baz']);
    expect(v2('foo.`bar\\`.`baz`')).toEqual(['foo', 'bar`.`baz']);
    expect(v2('foo.`bar\\\\`.\\`baz`')).toEqual(['foo', 'bar\\`.\\`baz']);
  });

  it('V2 fails on an incomplete backtick pair, naming the key', () => {
    const cases: [string, number][] = [['`foo.bar.baz', 0], ['foo.`bar.baz', 4], ['foo.bar.`baz', 8], ['foo.bar.`baz\\`', 8]];
    for (const [p, at] of cases) {
      let err: unknown;
      try {
        FieldPath.parse(p, 'V2', 'field');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toBe(`Incomplete backtick pair in path: [${p}], consider adding a backslash before backtick at position ${at} to escape it`);
      expect((err as ConfigError).key).toBe('field');
    }
  });
});

describe('field.syntax.version config', () => {
  const def = defineFieldSyntaxVersion(new ConfigDef());

  it('defaults to V1 and accepts any case', () => {
    expect(def.key('field.syntax.version')?.default).toBe('V1');
    expect(fieldSyntaxVersionOf(def.parse({}))).toBe('V1');
    for (const [input, want] of [['v1', 'V1'], ['v2', 'V2'], ['V2', 'V2']]) {
      expect(fieldSyntaxVersionOf(def.parse({ 'field.syntax.version': input! }))).toBe(want);
    }
  });

  it('rejects unknown versions with Kafka\'s message', () => {
    for (const input of ['v3', 'V 1', 'v', '2', '1']) {
      expect(() => def.parse({ 'field.syntax.version': input })).toThrow(
        `Invalid value ${input} for configuration field.syntax.version: String must be one of (case insensitive): V1, V2`,
      );
    }
    expect(() => parseFieldSyntaxVersion('v3')).toThrow(ConfigError);
  });

  it('cannot be defined twice', () => {
    expect(() => defineFieldSyntaxVersion(def)).toThrow('Configuration field.syntax.version is defined twice.');
  });
});

describe('FieldPath lookups', () => {
  const baz = SchemaBuilder.struct().field('inner', Schemas.STRING).optional().build();
  const bar = SchemaBuilder.struct().field('bar', Schemas.INT32).field('baz', baz).field('d', SchemaBuilder.int32().optional().defaultValue(7).build()).build();
  const schema = SchemaBuilder.struct().field('foo', bar).field('n', Schemas.OPTIONAL_INT32).build();
  const struct = new Struct(schema).put('foo', new Struct(bar).put('bar', 42).put('baz', null).put('d', null));

  it('finds fields in a schema, null when missing', () => {
    expect(FieldPath.parse('foo.bar', 'V2').fieldFrom(schema)).toBe(bar.fields![0]);
    expect(FieldPath.parse('foo', 'V2').fieldFrom(schema)).toBe(schema.fields![0]);
    expect(FieldPath.parse('foo.bar', 'V1').fieldFrom(schema)).toBeNull();
    for (const p of ['un.known', 'foo.unknown', 'unknown', 'foo.bar.x']) expect(FieldPath.parse(p, 'V2').fieldFrom(schema)).toBeNull();
    expect(FieldPath.parse('test', 'V2').fieldFrom(null)).toBeNull();
  });

  it('reads struct values, with or without defaults', () => {
    expect(FieldPath.parse('foo.bar', 'V2').valueFromStruct(struct)).toBe(42);
    expect(FieldPath.parse('foo.baz', 'V2').valueFromStruct(struct)).toBeNull();
    expect(FieldPath.parse('foo.d', 'V2').valueFromStruct(struct)).toBe(7);
    expect(FieldPath.parse('foo.d', 'V2').valueFromStruct(struct, false)).toBeNull();
    for (const p of ['un.known', 'foo.unknown', 'unknown', 'foo.baz.inner']) expect(FieldPath.parse(p, 'V2').valueFromStruct(struct)).toBeNull();
    expect(() => FieldPath.parse('foo.bar.x', 'V2').valueFromStruct(struct)).toThrow(DataError);
  });

  it('reads map values', () => {
    const map = { foo: { bar: 42, baz: null }, 'a.b': 1 };
    expect(FieldPath.parse('foo.bar', 'V2').valueFromMap(map)).toBe(42);
    expect(FieldPath.parse('`a.b`', 'V2').valueFromMap(map)).toBe(1);
    expect(FieldPath.parse('a.b', 'V1').valueFromMap(map)).toBe(1);
    for (const p of ['foo.baz', 'un.known', 'foo.unknown', 'unknown', 'foo.baz.inner', 'toString']) {
      expect(FieldPath.parse(p, 'V2').valueFromMap(map)).toBeNull();
    }
    expect(() => FieldPath.parse('foo.bar.x', 'V2').valueFromMap(map)).toThrow('Only Map objects supported in absence of schema for [nested field access], found: number');
  });
});
