/** The runtime's settings as derived from a loaded worker config, Kafka client keys included. */
import { describe, expect, it } from 'vitest';
import { workerSettings } from '../../src/cli/standalone-app.js';
import { loadWorkerConfig } from '../../src/config/worker-config.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { builtinPlugins } from '../../src/runtime/builtin-plugins.js';
import { buildConverters } from '../../src/runtime/task-plugins.js';
import { DEFAULT_WORKER_SETTINGS } from '../../src/runtime/worker-settings.js';

describe('workerSettings', () => {
  it('takes converters, intervals and the producer/consumer keys the runtime uses', () => {
    const s = workerSettings(loadWorkerConfig({
      overrides: [
        'value.converter=org.apache.kafka.connect.storage.StringConverter', 'value.converter.converter.encoding=latin1',
        'offset.flush.interval.ms=250', 'producer.buffer.memory=1048576', 'consumer.max.poll.records=50', 'consumer.fetch.max.bytes=65536',
      ],
    }));
    expect(s.valueConverter).toBe('org.apache.kafka.connect.storage.StringConverter');
    expect(s.valueConverterConfig).toEqual({ 'converter.encoding': 'latin1' });
    expect(s.keyConverter).toBe(DEFAULT_WORKER_SETTINGS.keyConverter);
    expect(s.offsetFlushIntervalMs).toBe(250);
    expect(s.producerBufferBytes).toBe(1048576);
    expect(s.consumerMaxPollRecords).toBe(50);
    expect(s.consumerFetchMaxBytes).toBe(65536);
  });

  it('refuses a client setting it reads that is not a positive integer, naming the key', () => {
    expect(() => workerSettings(loadWorkerConfig({ overrides: ['producer.buffer.memory=lots'] }))).toThrow(/producer.buffer.memory: expected a positive integer, got "lots"/);
    expect(() => workerSettings(loadWorkerConfig({ overrides: ['consumer.max.poll.records=0'] }))).toThrow(/consumer.max.poll.records/);
  });
});

describe('buildConverters', () => {
  const registry = new PluginRegistry(builtinPlugins);

  it('lets a converter that also converts headers serve as header.converter (as Kafka Connect does)', () => {
    const c = buildConverters(registry, DEFAULT_WORKER_SETTINGS, { 'header.converter': 'StringConverter' });
    expect(c.header.fromConnectHeader('t', 'h', null, 'v')?.toString()).toBe('v');
  });

  it('refuses an unknown header converter, naming the key', () => {
    expect(() => buildConverters(registry, DEFAULT_WORKER_SETTINGS, { 'header.converter': 'NoSuchConverter' })).toThrow(/header.converter: class NoSuchConverter could not be found/);
  });
});
