import { describe, expect, it } from 'vitest';
import { TransformChain } from '../../src/runtime/task-plugins.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { ConfigError, sourceRecord, type ConnectRecord } from '../../src/sdk/index.js';
import { fieldTransformPlugins, predicatePlugins } from '../../transforms/kafka/field-plugins.js';
import { Filter } from '../../transforms/kafka/filter.js';
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from '../../transforms/kafka/predicates.js';

const topic = (name: string) => sourceRecord({ topic: name, value: 'v' });
const withHeaders = (...keys: string[]) => sourceRecord({ topic: 't', headers: keys.map((key) => ({ key, schema: null, value: null })) });

describe('Filter', () => {
  it('drops every record', () => {
    const f = new Filter();
    f.configure();
    expect(f.apply(topic('t'))).toBeNull();
    expect(f.config().configKeys()).toEqual([]);
  });
});

describe('TopicNameMatches', () => {
  const make = (pattern: string) => {
    const p = new TopicNameMatches();
    p.configure({ pattern });
    return p;
  };

  it('validates the pattern', () => {
    expect(() => new TopicNameMatches().configure({})).toThrow('Missing required configuration "pattern" which has no default value.');
    expect(() => make('')).toThrow(new ConfigError('Invalid value  for configuration pattern: String must be non-empty', { key: 'pattern' }));
    expect(() => make('[')).toThrow(/^Invalid value \[ for configuration pattern: Invalid regex: /);
    const report = new TopicNameMatches().config().validate({ pattern: '*' });
    expect(report[0]!.errors).toHaveLength(1);
    expect(report[0]!.errors[0]).toContain('Invalid regex');
    expect(new TopicNameMatches().config().validate({ pattern: 'my-prefix-.*' })[0]!.errors).toEqual([]);
  });

  it('matches the whole topic name', () => {
    const p = make('my-prefix-.*');
    expect(p.test(topic('my-prefix-'))).toBe(true);
    expect(p.test(topic('my-prefix-foo'))).toBe(true);
    for (const t of ['x-my-prefix-', 'x-my-prefix-foo', 'your-prefix-', 'your-prefix-foo']) expect(p.test(topic(t))).toBe(false);
    expect(make('a|b').test(topic('ab'))).toBe(false);
    expect(make('a|b').test(topic('b'))).toBe(true);
  });

  it('understands Java spellings', () => {
    expect(make('(?i)orders').test(topic('ORDERS'))).toBe(true);
    expect(make('\\Qa.b\\E').test(topic('a.b'))).toBe(true);
    expect(make('\\Qa.b\\E').test(topic('axb'))).toBe(false);
    expect(make('\\Aab\\z').test(topic('ab'))).toBe(true);
    expect(make('[]a]+').test(topic(']a]'))).toBe(true);
    expect(() => make('a*+')).toThrow(/possessive quantifier/);
    expect(() => make('(?>a)')).toThrow(/atomic group/);
  });
});

describe('HasHeaderKey', () => {
  it('validates the name', () => {
    expect(() => new HasHeaderKey().configure({})).toThrow('Missing required configuration "name" which has no default value.');
    expect(new HasHeaderKey().config().validate({ name: '' })[0]!.errors).toEqual(['Invalid value  for configuration name: String must be non-empty']);
  });

  it('is true when a header has the name', () => {
    const p = new HasHeaderKey();
    p.configure({ name: 'foo' });
    expect(p.test(withHeaders('foo'))).toBe(true);
    expect(p.test(withHeaders('foo', 'bar'))).toBe(true);
    expect(p.test(withHeaders('bar', 'foo', 'bar', 'foo'))).toBe(true);
    expect(p.test(withHeaders('bar'))).toBe(false);
    expect(p.test(withHeaders('bar', 'bar'))).toBe(false);
    expect(p.test(withHeaders())).toBe(false);
  });
});

describe('RecordIsTombstone', () => {
  it('is true for a null value', () => {
    const p = new RecordIsTombstone();
    p.configure();
    expect(p.test(sourceRecord({ topic: 't', key: 'k' }))).toBe(true);
    expect(p.test(sourceRecord({ topic: 't', value: 0 }))).toBe(false);
  });
});

describe('registration and the transform chain', () => {
  const registry = new PluginRegistry([...fieldTransformPlugins, ...predicatePlugins]);

  it('registers Kafka class names and short aliases', () => {
    for (const n of ['InsertField', 'ReplaceField', 'MaskField', 'ExtractField', 'HoistField', 'SetSchemaMetadata']) {
      for (const s of ['Key', 'Value']) {
        expect(registry.find(`org.apache.kafka.connect.transforms.${n}$${s}`, 'transformation')).toBeDefined();
        expect(registry.find(`${n}$${s}`, 'transformation')).toBeDefined();
      }
    }
    for (const n of ['ValueToKey', 'Filter']) expect(registry.find(`org.apache.kafka.connect.transforms.${n}`, 'transformation')?.aliases).toEqual([n]);
    for (const n of ['TopicNameMatches', 'HasHeaderKey', 'RecordIsTombstone']) {
      expect(registry.find(`org.apache.kafka.connect.transforms.predicates.${n}`, 'predicate')?.aliases).toEqual([n]);
    }
  });

  it('applies predicates and negate end to end', () => {
    const chain = TransformChain.build<ConnectRecord>(registry, {
      transforms: 'dropTombstones,tag',
      'transforms.dropTombstones.type': 'org.apache.kafka.connect.transforms.Filter',
      'transforms.dropTombstones.predicate': 'isTombstone',
      'transforms.tag.type': 'InsertField$Value',
      'transforms.tag.static.field': 'source',
      'transforms.tag.static.value': 'legacy',
      'transforms.tag.predicate': 'isOrders',
      'transforms.tag.negate': 'true',
      predicates: 'isTombstone,isOrders',
      'predicates.isTombstone.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
      'predicates.isOrders.type': 'TopicNameMatches',
      'predicates.isOrders.pattern': 'orders-.*',
    });
    expect(chain.apply(sourceRecord({ topic: 'users', key: 'k' }))).toBeNull();
    expect(chain.apply(sourceRecord({ topic: 'orders-eu', value: { id: 1 } }))!.value).toEqual({ id: 1 });
    expect(chain.apply(sourceRecord({ topic: 'users', value: { id: 2 } }))!.value).toEqual({ id: 2, source: 'legacy' });
    chain.close();
  });
});
