import { describe, expect, it } from 'vitest';
import { ConfigError, Schemas, sourceRecord, type ConnectHeader, type ConnectRecord } from '../../src/sdk/index.js';
import { DropHeaders } from '../../transforms/kafka/drop-headers.js';

const h = (key: string, value: string): ConnectHeader => ({ key, schema: Schemas.STRING, value });
function drop(headers: string): DropHeaders {
  const t = new DropHeaders();
  t.configure({ headers });
  return t;
}
const record = (headers: ConnectHeader[]): ConnectRecord => sourceRecord({ topic: 't', kafkaPartition: 0, key: 'key', value: 'value', timestamp: 0, headers, sourcePartition: { foo: 'bar' }, sourceOffset: { baz: 'quxx' } });

describe('DropHeaders', () => {
  it('drops an existing header and keeps everything else', () => {
    const r = record([h('existing', 'existing-value'), h('to-drop', 'existing-value')]);
    expect(drop('to-drop').apply(r)).toEqual({ ...r, headers: [h('existing', 'existing-value')] });
  });

  it('drops every value of a repeated header, and several names, keeping order', () => {
    const r = record([h('a', '1'), h('to-drop', 'x'), h('b', '2'), h('to-drop', 'y'), h('other', 'z'), h('c', '3')]);
    expect(drop('to-drop, other').apply(r)!.headers).toEqual([h('a', '1'), h('b', '2'), h('c', '3')]);
  });

  it('changes nothing when the header is absent, without touching the input', () => {
    const headers = [h('existing', 'existing-value')];
    const out = drop('to-drop').apply(record(headers))!;
    expect(out.headers).toEqual(headers);
    expect(headers).toHaveLength(1);
  });

  it('refuses an empty list', () => {
    expect(() => drop('')).toThrow(ConfigError);
    expect(() => drop('')).toThrow('Invalid value [] for configuration headers: Empty list');
    expect(() => new DropHeaders().configure({})).toThrow('Missing required configuration "headers"');
  });
});

describe('routing transform plugins', () => {
  it("registers Kafka's class names with short aliases, each creating a fresh transformation", async () => {
    const { routingTransformPlugins } = await import('../../transforms/kafka/routing-plugins.js');
    const names = routingTransformPlugins.map((p) => [p.className, ...p.aliases]);
    const kv = (n: string): string[][] => ['Key', 'Value'].map((s) => [`org.apache.kafka.connect.transforms.${n}$${s}`, `${n}$${s}`]);
    const single = (n: string): string[] => [`org.apache.kafka.connect.transforms.${n}`, n];
    expect(names).toEqual([
      ...kv('Cast'), ...kv('TimestampConverter'), ...kv('Flatten'), ...kv('HeaderFrom'),
      single('RegexRouter'), single('TimestampRouter'), single('InsertHeader'), single('DropHeaders'),
    ]);
    const drop = routingTransformPlugins.find((p) => p.className.endsWith('.DropHeaders'))!;
    expect(drop.create()).toBeInstanceOf(DropHeaders);
    expect(drop.create()).not.toBe(drop.create());
  });
});
