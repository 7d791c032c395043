import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  FREE_FORM_PREFIXES,
  describeWorkerConfig,
  envVarName,
  loadWorkerConfig,
  type WorkerConfig,
  type WorkerConfigSources,
} from '../../src/config/worker-config.js';
import { isTributaryError } from '../../src/errors/codes.js';
import { useTempDirs } from '../support/temp-dir.js';
import { connectStandaloneProperties, lineOf } from '../support/kafka-config-files.js';

const tempDir = useTempDirs('tributary-worker-config-');

async function file(name: string, content: string): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, content);
  return path;
}

function loadError(sources: WorkerConfigSources): string {
  try {
    loadWorkerConfig(sources);
  } catch (err) {
    expect(isTributaryError(err, 'CONFIG_INVALID')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected loadWorkerConfig to fail');
}

function header(n: number): string {
  return `Worker configuration is invalid and contains the following ${n} error(s):\n`;
}

const CONNECT_STANDALONE = connectStandaloneProperties('/usr/local/share/java,/usr/local/share/kafka/plugins,/opt/connectors,');

// The settings of Apache Kafka's config/connect-distributed.properties (comments shortened).
const CONNECT_DISTRIBUTED = `##
# Licensed to the Apache Software Foundation (ASF)
##
bootstrap.servers=localhost:9092
group.id=connect-cluster
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
offset.storage.topic=connect-offsets
offset.storage.replication.factor=1
#offset.storage.partitions=25
config.storage.topic=connect-configs
config.storage.replication.factor=1
status.storage.topic=connect-status
status.storage.replication.factor=1
#status.storage.partitions=5
offset.flush.interval.ms=10000
# Examples of legal listener lists: HTTP://myhost:8083,HTTPS://myhost:8084"
listeners=HTTP://:8083
#rest.advertised.host.name=
#rest.advertised.port=
#rest.advertised.listener=
#plugin.path=
`;

describe('loadWorkerConfig defaults', () => {
  it('uses the defaults when no source is given', () => {
    const cfg = loadWorkerConfig();
    expect(cfg.values).toEqual({
      'data.dir': './data',
      'log.flush': 'fsync',
      'log.level': 'info',
      'log.backend': 'embedded',
      'rest.host': '0.0.0.0',
      'rest.port': 8083,
      listeners: undefined,
      'rest.advertised.host.name': undefined,
      'rest.advertised.port': undefined,
      'rest.advertised.listener': undefined,
      'admin.listeners': undefined,
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'header.converter': 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
      'offset.flush.interval.ms': 60000,
      'offset.flush.timeout.ms': 5000,
      'task.shutdown.graceful.timeout.ms': 5000,
      'plugin.path': [],
      'group.id': 'connect-cluster',
      'config.storage.topic': 'connect-configs',
      'offset.storage.topic': 'connect-offsets',
      'status.storage.topic': 'connect-status',
      'offset.storage.partitions': 25,
      'status.storage.partitions': 5,
      'config.storage.replication.factor': 3,
      'offset.storage.replication.factor': 3,
      'status.storage.replication.factor': 3,
      'bootstrap.servers': undefined,
      'offset.storage.file.filename': undefined,
      'topic.creation.enable': true,
      'connector.client.config.override.policy': 'All',
      'scheduled.rebalance.max.delay.ms': 300000,
      'session.timeout.ms': 10000,
      'heartbeat.interval.ms': 3000,
      'rebalance.timeout.ms': 60000,
    });
    expect(cfg.get('rest.port')).toBe(8083);
    expect(cfg.listener).toEqual({ host: '0.0.0.0', port: 8083 });
    expect(cfg.raw()).toEqual({});
    expect(cfg.sourceOf('rest.port')).toBe('default');
    expect(cfg.sourceOf('producer.acks')).toBeUndefined();
  });

  it('types values by key', () => {
    const cfg: WorkerConfig = loadWorkerConfig();
    expectTypeOf(cfg.get('rest.port')).toEqualTypeOf<number>();
    expectTypeOf(cfg.get('data.dir')).toEqualTypeOf<string>();
    expectTypeOf(cfg.get('listeners')).toEqualTypeOf<string | undefined>();
    expectTypeOf(cfg.get('rest.advertised.port')).toEqualTypeOf<number | undefined>();
    expectTypeOf(cfg.get('log.flush')).toEqualTypeOf<'fsync' | 'none'>();
    expectTypeOf(cfg.get('topic.creation.enable')).toEqualTypeOf<boolean>();
    expectTypeOf(cfg.get('plugin.path')).toEqualTypeOf<readonly string[]>();
    expectTypeOf(cfg.values['connector.client.config.override.policy']).toEqualTypeOf<'All' | 'None' | 'Principal'>();
  });

  it('is frozen all the way down', () => {
    const cfg = loadWorkerConfig({ overrides: ['plugin.path=/a', 'producer.acks=all'] });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.values)).toBe(true);
    expect(Object.isFrozen(cfg.get('plugin.path'))).toBe(true);
    expect(Object.isFrozen(cfg.listener)).toBe(true);
    expect(Object.isFrozen(cfg.raw())).toBe(true);
    expect(Object.isFrozen(cfg.prefixed('producer.'))).toBe(true);
    expect(Object.isFrozen(loadWorkerConfig().get('plugin.path'))).toBe(true);
  });
});

describe('loadWorkerConfig from Kafka files', () => {
  it('loads connect-standalone.properties unchanged', async () => {
    const path = await file('connect-standalone.properties', CONNECT_STANDALONE);
    const cfg = loadWorkerConfig({ file: path });
    expect(cfg.get('bootstrap.servers')).toBe('localhost:9092');
    expect(cfg.get('offset.storage.file.filename')).toBe('/tmp/connect.offsets');
    expect(cfg.get('offset.flush.interval.ms')).toBe(10000);
    expect(cfg.get('plugin.path')).toEqual(['/usr/local/share/java', '/usr/local/share/kafka/plugins', '/opt/connectors']);
    expect(cfg.prefixed('key.converter.')).toEqual({ 'schemas.enable': 'true' });
    expect(cfg.prefixed('value.converter.')).toEqual({ 'schemas.enable': 'true' });
    expect(cfg.prefixed('header.converter.')).toEqual({});
    expect(cfg.raw()).toEqual({
      'bootstrap.servers': 'localhost:9092',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'true',
      'value.converter.schemas.enable': 'true',
      'offset.storage.file.filename': '/tmp/connect.offsets',
      'offset.flush.interval.ms': '10000',
      'plugin.path': '/usr/local/share/java,/usr/local/share/kafka/plugins,/opt/connectors,',
    });
    expect(cfg.sourceOf('offset.flush.interval.ms')).toBe(`${path}:${lineOf(CONNECT_STANDALONE, 'offset.flush.interval.ms=')}`);
    expect(cfg.sourceOf('key.converter.schemas.enable')).toBe(`${path}:${lineOf(CONNECT_STANDALONE, 'key.converter.schemas.enable=')}`);
    expect(cfg.sourceOf('rest.port')).toBe('default');
  });

  it('loads connect-distributed.properties, whose listener is upper case with an empty host', async () => {
    const cfg = loadWorkerConfig({ file: await file('connect-distributed.properties', CONNECT_DISTRIBUTED) });
    expect(cfg.get('group.id')).toBe('connect-cluster');
    expect(cfg.get('offset.storage.replication.factor')).toBe(1);
    expect(cfg.get('status.storage.partitions')).toBe(5);
    expect(cfg.listener).toEqual({ host: '0.0.0.0', port: 8083 });
  });
});

describe('loadWorkerConfig sources', () => {
  it('reads a flat JSON file, taking numbers and booleans as their text', async () => {
    const path = await file(
      'worker.json',
      JSON.stringify({ 'rest.port': 9001, 'topic.creation.enable': false, 'group.id': 'g', 'session.timeout.ms': '7000', 'producer.linger.ms': 5 }),
    );
    const cfg = loadWorkerConfig({ file: path });
    expect(cfg.get('rest.port')).toBe(9001);
    expect(cfg.get('topic.creation.enable')).toBe(false);
    expect(cfg.get('session.timeout.ms')).toBe(7000);
    expect(cfg.prefixed('producer.')).toEqual({ 'linger.ms': '5' });
    expect(cfg.raw()).toMatchObject({ 'rest.port': '9001', 'topic.creation.enable': 'false' });
    expect(cfg.sourceOf('rest.port')).toBe(path);
  });

  it('applies defaults < file < environment < --set', async () => {
    const path = await file('w.properties', 'rest.port=9001\nrest.host=127.0.0.1\ngroup.id=from-file\ndata.dir=/file\n');
    const cfg = loadWorkerConfig({
      file: path,
      env: { TRIBUTARY_REST_PORT: '9002', TRIBUTARY_GROUP_ID: 'from-env', PATH: '/bin', TRIBUTARY_NOT_A_KEY: 'x', REST_PORT: '1' },
      overrides: ['rest.port=9003', 'rest.port=9004'],
    });
    expect(cfg.get('rest.port')).toBe(9004);
    expect(cfg.get('group.id')).toBe('from-env');
    expect(cfg.get('rest.host')).toBe('127.0.0.1');
    expect(cfg.get('data.dir')).toBe('/file');
    expect(cfg.get('log.level')).toBe('info');
    expect(cfg.listener).toEqual({ host: '127.0.0.1', port: 9004 });
    expect(cfg.sourceOf('rest.port')).toBe('--set');
    expect(cfg.sourceOf('group.id')).toBe('environment variable TRIBUTARY_GROUP_ID');
    expect(cfg.sourceOf('rest.host')).toBe(`${path}:2`);
    expect(cfg.sourceOf('log.level')).toBe('default');
    expect(cfg.raw()['rest.port']).toBe('9004');
  });

  it('names environment variables after the key', () => {
    expect(envVarName('rest.port')).toBe('TRIBUTARY_REST_PORT');
    expect(envVarName('rest.advertised.host.name')).toBe('TRIBUTARY_REST_ADVERTISED_HOST_NAME');
    expect(envVarName('a.b-c')).toBe('TRIBUTARY_A_B_C');
    const cfg = loadWorkerConfig({
      env: { TRIBUTARY_PLUGIN_PATH: '/a, /b', TRIBUTARY_LOG_FLUSH: 'none', TRIBUTARY_CONNECTOR_CLIENT_CONFIG_OVERRIDE_POLICY: 'None' },
    });
    expect(cfg.get('plugin.path')).toEqual(['/a', '/b']);
    expect(cfg.get('log.flush')).toBe('none');
    expect(cfg.get('connector.client.config.override.policy')).toBe('None');
  });

  it('does not read free-form keys from the environment', () => {
    const cfg = loadWorkerConfig({ env: { TRIBUTARY_PRODUCER_ACKS: 'all' } });
    expect(cfg.prefixed('producer.')).toEqual({});
  });

  it('splits --set at the first =, keeping the rest of the value', () => {
    const cfg = loadWorkerConfig({ overrides: [' consumer.sasl.jaas.config =a=b c;', 'bootstrap.servers='] });
    expect(cfg.prefixed('consumer.')).toEqual({ 'sasl.jaas.config': 'a=b c;' });
    expect(cfg.get('bootstrap.servers')).toBeUndefined();
  });

  it('coerces strings as Kafka does: trimmed, case-insensitive booleans, strict integers', () => {
    const cfg = loadWorkerConfig({
      overrides: ['rest.port= 8090 ', 'topic.creation.enable=FALSE', 'offset.storage.replication.factor=-1', 'group.id= g '],
    });
    expect(cfg.get('rest.port')).toBe(8090);
    expect(cfg.get('topic.creation.enable')).toBe(false);
    expect(cfg.get('offset.storage.replication.factor')).toBe(-1);
    expect(cfg.get('group.id')).toBe('g');
    expect(cfg.raw()['rest.port']).toBe(' 8090 ');
  });

  it('treats an empty value of an optional key as unset, but keeps an empty admin.listeners', () => {
    const cfg = loadWorkerConfig({
      env: { TRIBUTARY_LISTENERS: '', TRIBUTARY_REST_ADVERTISED_PORT: ' ', TRIBUTARY_ADMIN_LISTENERS: '' },
    });
    expect(cfg.get('listeners')).toBeUndefined();
    expect(cfg.get('rest.advertised.port')).toBeUndefined();
    expect(cfg.get('admin.listeners')).toBe('');
    expect(cfg.listener).toEqual({ host: '0.0.0.0', port: 8083 });
  });

  it('accepts Kafka policy class names for the override policy', () => {
    const cfg = loadWorkerConfig({
      overrides: ['connector.client.config.override.policy=org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy'],
    });
    expect(cfg.get('connector.client.config.override.policy')).toBe('Principal');
  });

  it('accepts the REST keys Kafka Connect has', () => {
    const cfg = loadWorkerConfig({
      overrides: [
        'rest.advertised.host.name=w1.example',
        'rest.advertised.port=443',
        'rest.advertised.listener=https',
        'admin.listeners=http://localhost:8084',
      ],
    });
    expect(cfg.get('rest.advertised.host.name')).toBe('w1.example');
    expect(cfg.get('rest.advertised.port')).toBe(443);
    expect(cfg.get('rest.advertised.listener')).toBe('https');
    expect(cfg.get('admin.listeners')).toBe('http://localhost:8084');
    expect(cfg.prefixed('admin.')).toEqual({});
  });
});

describe('loadWorkerConfig listeners', () => {
  it.each([
    ['http://:9000', { host: '0.0.0.0', port: 9000 }],
    ['http://localhost:9000', { host: 'localhost', port: 9000 }],
    ['HTTP://10.0.0.1:0', { host: '10.0.0.1', port: 0 }],
    ['http://[::1]:9000/', { host: '::1', port: 9000 }],
  ])('%s overrides rest.host and rest.port', (listeners, expected) => {
    const cfg = loadWorkerConfig({ overrides: ['rest.host=127.0.0.1', 'rest.port=1234', `listeners=${listeners}`] });
    expect(cfg.listener).toEqual(expected);
  });

  it.each([
    ['https://h:8443', 'only http:// listeners are supported, not https://'],
    ['http://a:1,http://b:2', 'only one listener is supported'],
    ['http://host', 'must be a listener of the form http://host:port'],
    ['localhost:8083', 'must be a listener of the form http://host:port'],
    ['http://h:70000', 'the listener port must be between 0 and 65535'],
  ])('refuses %s', (listeners, problem) => {
    expect(loadError({ overrides: [`listeners=${listeners}`] })).toBe(
      `${header(1)}- listeners: ${problem}: value was ${JSON.stringify(listeners)} (from --set)`,
    );
  });
});

describe('loadWorkerConfig free-form keys', () => {
  it('keeps every prefixed key raw, under its own prefix', () => {
    const cfg = loadWorkerConfig({
      overrides: [
        'key.converter.schemas.enable=false',
        'value.converter.schema.registry.url=http://r:8081',
        'header.converter.x=1',
        'producer.acks=all',
        'consumer.max.poll.records=10',
        'admin.request.timeout.ms=3000',
        'config.providers=file,env',
        'config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider',
        'config.providers.env.param.allowlist.pattern=^DB_.*',
      ],
    });
    expect(cfg.prefixed('key.converter.')).toEqual({ 'schemas.enable': 'false' });
    expect(cfg.prefixed('value.converter.')).toEqual({ 'schema.registry.url': 'http://r:8081' });
    expect(cfg.prefixed('header.converter.')).toEqual({ x: '1' });
    expect(cfg.prefixed('producer.')).toEqual({ acks: 'all' });
    expect(cfg.prefixed('consumer.')).toEqual({ 'max.poll.records': '10' });
    expect(cfg.prefixed('admin.')).toEqual({ 'request.timeout.ms': '3000' });
    expect(cfg.prefixed('config.providers.')).toEqual({
      'file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
      'env.param.allowlist.pattern': '^DB_.*',
    });
    expect(cfg.raw()['config.providers']).toBe('file,env');
    expect(cfg.get('key.converter')).toBe('org.apache.kafka.connect.json.JsonConverter');
  });

  it('lists the accepted prefixes', () => {
    expect(FREE_FORM_PREFIXES).toEqual([
      'key.converter.',
      'value.converter.',
      'header.converter.',
      'producer.',
      'consumer.',
      'admin.',
      'config.providers.',
    ]);
  });
});

describe('loadWorkerConfig errors', () => {
  it('refuses an unknown key, naming the file and line', async () => {
    const path = await file('w.properties', 'rest.port=8083\n\ninternal.key.converter=org.apache.kafka.connect.json.JsonConverter\n');
    expect(loadError({ file: path })).toBe(`${header(1)}- internal.key.converter: unknown worker config key (from ${path}:3)`);
  });

  it('refuses a prefix with nothing after it', () => {
    expect(loadError({ overrides: ['producer.=x'] })).toBe(`${header(1)}- producer.: unknown worker config key (from --set)`);
  });

  it('lists every problem from every source, including values a later source overrides', async () => {
    const path = await file('w.properties', 'rest.port=eighty\nlog.level=verbose\nbogus=1\n');
    const message = loadError({
      file: path,
      env: { TRIBUTARY_REST_PORT: '8083', TRIBUTARY_OFFSET_FLUSH_INTERVAL_MS: '0' },
      overrides: ['topic.creation.enable=yes', 'nokey', 'data.dir=', 'status.storage.replication.factor=0'],
    });
    expect(message).toBe(
      header(8) +
        [
          `- rest.port: must be an integer between 0 and 65535: value was "eighty" (from ${path}:1)`,
          `- log.level: must be one of trace, debug, info, warn, error, fatal, silent: value was "verbose" (from ${path}:2)`,
          `- bogus: unknown worker config key (from ${path}:3)`,
          '- offset.flush.interval.ms: must be an integer of at least 1 (from environment variable TRIBUTARY_OFFSET_FLUSH_INTERVAL_MS)',
          '- topic.creation.enable: must be true or false: value was "yes" (from --set)',
          '- --set "nokey": expected key=value',
          '- data.dir: must not be empty (from --set)',
          '- status.storage.replication.factor: must be -1 or an integer between 1 and 32767 (from --set)',
        ].join('\n'),
    );
  });

  it.each([
    ['rest.port=8083abc', 'rest.port: must be an integer between 0 and 65535: value was "8083abc"'],
    ['rest.port=1.5', 'rest.port: must be an integer between 0 and 65535: value was "1.5"'],
    ['rest.port=-1', 'rest.port: must be an integer between 0 and 65535: value was -1'],
    ['offset.storage.partitions=100001', 'offset.storage.partitions: must be an integer between 1 and 100000: value was 100001'],
    ['session.timeout.ms=99999999999', 'session.timeout.ms: must be an integer between 1 and 2147483647: value was 99999999999'],
    ['log.flush=FSYNC', 'log.flush: must be one of fsync, none: value was "FSYNC"'],
    ['log.backend=kafka', 'log.backend: must be one of embedded: value was "kafka"'],
    ['rest.advertised.listener=ftp', 'rest.advertised.listener: must be one of http, https: value was "ftp"'],
    ['connector.client.config.override.policy=all', 'connector.client.config.override.policy: must be one of All, None, Principal: value was "all"'],
    ['group.id=  ', 'group.id: must not be empty'],
  ])('refuses --set %s', (override, problem) => {
    expect(loadError({ overrides: [override] })).toBe(`${header(1)}- ${problem} (from --set)`);
  });

  it('names the environment variable a bad value came from', () => {
    expect(loadError({ env: { TRIBUTARY_REST_ADVERTISED_PORT: '0' } })).toBe(
      `${header(1)}- rest.advertised.port: must be an integer between 1 and 65535 (from environment variable TRIBUTARY_REST_ADVERTISED_PORT)`,
    );
  });

  it('refuses nested values, arrays and null in a JSON file, naming the key', async () => {
    const path = await file('w.json', JSON.stringify({ 'rest.port': { value: 1 }, 'plugin.path': ['/a'], 'group.id': null, 'rest.host': 'h' }));
    expect(loadError({ file: path })).toBe(
      header(3) +
        [
          `- rest.port: must be a string, number or boolean, found an object (from ${path})`,
          `- plugin.path: must be a string, number or boolean, found an array (write a list as one comma-separated string) (from ${path})`,
          `- group.id: must be a string, number or boolean, found null (from ${path})`,
        ].join('\n'),
    );
  });

  it('reports malformed JSON with its line and column', async () => {
    const path = await file('w.json', '{\n  "rest.port": 8083,\n}\n');
    expect(loadError({ file: path })).toBe(`${header(1)}- ${path}: malformed JSON at line 3, column 1: Expected double-quoted property name`);
  });

  it('reports a JSON file that is not an object', async () => {
    const path = await file('w.json', '["rest.port"]');
    expect(loadError({ file: path })).toBe(`${header(1)}- ${path}: expected a JSON object, found an array`);
  });

  it('reports a malformed \\u escape in a properties file with its line', async () => {
    const path = await file('w.properties', 'group.id=a\ndata.dir=/x\\u00zz\n');
    expect(loadError({ file: path, overrides: ['x=1'] })).toBe(
      `${header(2)}- ${path}:2: malformed \\uXXXX escape "\\u00zz" (expected four hex digits)\n- x: unknown worker config key (from --set)`,
    );
  });

  it('refuses other file types and missing files', async () => {
    const dir = await tempDir();
    const yaml = join(dir, 'worker.yaml');
    await writeFile(yaml, 'rest.port: 8083\n');
    expect(loadError({ file: yaml })).toBe(`${header(1)}- ${yaml}: unsupported worker config file type ".yaml" (expected .properties or .json)`);
    const missing = join(dir, 'missing.properties');
    expect(loadError({ file: missing })).toMatch(
      new RegExp(`^${header(1).replace(/[()]/g, '\\$&')}- ${missing}: cannot read the worker config file: ENOENT`),
    );
  });
});

describe('describeWorkerConfig', () => {
  const rows = describeWorkerConfig();

  it('documents every declared key once, with a distinct environment variable', () => {
    const keys = rows.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(rows.map((r) => r.env)).size).toBe(keys.length);
    expect(Object.keys(loadWorkerConfig().values)).toEqual(keys);
    for (const r of rows) {
      expect(r.doc.length, r.key).toBeGreaterThan(10);
      expect(r.env).toBe(envVarName(r.key));
    }
  });

  it('gives type, default and valid values', () => {
    const byKey = new Map(rows.map((r) => [r.key, r]));
    expect(byKey.get('rest.port')).toMatchObject({ type: 'int', default: '8083', validValues: '[0,...,65535]', env: 'TRIBUTARY_REST_PORT' });
    expect(byKey.get('log.flush')).toMatchObject({ type: 'string', default: 'fsync', validValues: 'fsync, none' });
    expect(byKey.get('plugin.path')).toMatchObject({ type: 'list', default: '', validValues: null });
    expect(byKey.get('listeners')).toMatchObject({ default: null, validValues: 'http://host:port' });
    expect(byKey.get('offset.flush.interval.ms')).toMatchObject({ default: '60000', validValues: '[1,...]' });
    expect(byKey.get('config.storage.replication.factor')).toMatchObject({ validValues: '-1, [1,...,32767]' });
    expect(byKey.get('topic.creation.enable')).toMatchObject({ type: 'boolean', default: 'true' });
    expect(byKey.get('offset.storage.file.filename')!.doc).toMatch(/offsets in the log/);
  });
});
