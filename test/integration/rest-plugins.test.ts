/**
 * `/connector-plugins`, validation, `/admin/loggers`, `GET /` and `/health` through HTTP against a
 * real standalone worker with the built-in plugins (plus one test-only connector).
 */
import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../src/runtime/builtin-plugins.js';
import { expectError, LOGGER_CLOCK_MS, useRestWorkers } from '../support/rest-harness.js';
import { SECRET_SOURCE_CLASS, secretSourcePlugin, TEST_PLUGIN_VERSION } from '../support/test-connectors.js';

const workers = useRestWorkers();
const start = () => workers.start({ plugins: [secretSourcePlugin] });

const SOURCE_CLASS = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const SINK_CLASS = 'org.apache.kafka.connect.file.FileStreamSinkConnector';
const CONNECTORS = [
  { class: 'io.confluent.connect.s3.S3SinkConnector', type: 'sink', version: '0.1.0' },
  { class: 'io.debezium.connector.postgresql.PostgresConnector', type: 'source', version: '0.1.0' },
  { class: SINK_CLASS, type: 'sink', version: '0.1.0' },
  { class: SOURCE_CLASS, type: 'source', version: '0.1.0' },
  { class: SECRET_SOURCE_CLASS, type: 'source', version: TEST_PLUGIN_VERSION },
];
const GROUPS = ['Common', 'Transforms', 'Predicates', 'Error Handling'];

describe('GET /connector-plugins', () => {
  it('lists connectors only by default and with connectorsOnly=true; converters too with false', async () => {
    const w = await start();
    expect((await w.call('GET', '/connector-plugins')).json).toEqual(CONNECTORS);
    expect((await w.call('GET', '/connector-plugins?connectorsOnly=true')).json).toEqual(CONNECTORS);
    // Kafka Connect lists converters, transformations and predicates too, sorted by class.
    const transforms = builtinRegistry()
      .list(['transformation', 'predicate'])
      .map((p) => ({ class: p.className, type: p.type, version: p.version }));
    expect(transforms.length).toBe(32);
    expect((await w.call('GET', '/connector-plugins?connectorsOnly=false')).json).toEqual(
      [
        ...CONNECTORS,
        { class: 'org.apache.kafka.connect.converters.ByteArrayConverter', type: 'converter', version: '1.0.0' },
        { class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter', version: '1.0.0' },
        { class: 'org.apache.kafka.connect.storage.SimpleHeaderConverter', type: 'header_converter', version: '1.0.0' },
        { class: 'org.apache.kafka.connect.storage.StringConverter', type: 'converter', version: '1.0.0' },
        ...transforms,
      ].sort((a, b) => a.class.localeCompare(b.class)),
    );
  });

  it('GET /connector-plugins/{p}/config answers ConfigKeyInfos by alias or class name; unknown is 404', async () => {
    const w = await start();
    const file = {
      name: 'file', type: 'STRING', required: false, default_value: null, importance: 'HIGH',
      documentation: 'Destination filename, appended to. If not specified (or empty), standard output is used.',
      group: null, order: -1, width: 'NONE', display_name: 'file', dependents: [],
    };
    for (const p of ['FileStreamSink', 'FileStreamSinkConnector', SINK_CLASS]) {
      const a = await w.call('GET', `/connector-plugins/${p}/config`);
      expect([a.status, a.json]).toEqual([200, [file]]);
    }
    const byAlias = (await w.call('GET', '/connector-plugins/FileStreamSource/config')).json;
    expect(byAlias.map((k: any) => [k.name, k.type, k.required, k.default_value])).toEqual([
      ['file', 'STRING', false, null],
      ['topic', 'STRING', true, null],
      ['batch.size', 'INT', false, '2000'],
    ]);
    expect((await w.call('GET', `/connector-plugins/${SOURCE_CLASS}/config`)).json).toEqual(byAlias);
    // Converters have config declarations too.
    expect((await w.call('GET', '/connector-plugins/org.apache.kafka.connect.storage.StringConverter/config')).status).toBe(200);
    expectError(await w.call('GET', '/connector-plugins/NoSuchConnector/config'), 404, 'Unknown plugin NoSuchConnector.');
  });
});

describe('PUT /connector-plugins/{p}/config/validate', () => {
  it('answers the full ConfigInfos: every key, its definition, value and errors, and error_count', async () => {
    const w = await start();
    const a = await w.call('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      'connector.class': 'FileStreamSource', name: 'v', 'tasks.max': '0', 'batch.size': 'x', file: '/tmp/in',
    });
    expect(a.status).toBe(200);
    const infos = a.json;
    expect(Object.keys(infos)).toEqual(['name', 'error_count', 'groups', 'configs']);
    expect([infos.name, infos.error_count, infos.groups]).toEqual([SOURCE_CLASS, 3, GROUPS]);
    const errors = Object.fromEntries(infos.configs.filter((c: any) => c.value.errors.length > 0).map((c: any) => [c.value.name, c.value.errors]));
    expect(errors).toEqual({
      'tasks.max': ['Invalid value 0 for configuration tasks.max: Value must be at least 1'],
      topic: ['Missing required configuration "topic" which has no default value.'],
      'batch.size': ['Invalid value x for configuration batch.size: Not a number of type INT'],
    });
    const byName = (n: string) => infos.configs.find((c: any) => c.definition.name === n);
    expect(byName('tasks.max')).toEqual({
      definition: {
        name: 'tasks.max', type: 'INT', required: false, default_value: '1', importance: 'HIGH',
        documentation: 'Maximum number of tasks to use for this connector.', group: 'Common', order: 3, width: 'NONE', display_name: 'tasks.max', dependents: [],
      },
      value: { name: 'tasks.max', value: '0', recommended_values: [], errors: ['Invalid value 0 for configuration tasks.max: Value must be at least 1'], visible: true },
    });
    expect(byName('file').value).toEqual({ name: 'file', value: '/tmp/in', recommended_values: [], errors: [], visible: true });
    expect(byName('topic').value).toEqual({ name: 'topic', value: null, recommended_values: [], errors: ['Missing required configuration "topic" which has no default value.'], visible: true });
    expect(infos.configs.map((c: any) => c.definition.name)).toEqual(expect.arrayContaining(['name', 'connector.class', 'tasks.max', 'file', 'topic', 'batch.size', 'errors.tolerance']));
    for (const c of infos.configs) expect(c.value.name).toBe(c.definition.name);
  });

  it('a valid config has error_count 0; a sink config gets the sink checks; the class name works as {p}', async () => {
    const w = await start();
    const ok = await w.call('PUT', `/connector-plugins/${SOURCE_CLASS}/config/validate`, { 'connector.class': SOURCE_CLASS, name: 'v', topic: 't' });
    expect([ok.status, ok.json.error_count]).toEqual([200, 0]);
    expect(ok.json.configs.every((c: any) => c.value.errors.length === 0)).toBe(true);
    const sink = await w.call('PUT', '/connector-plugins/FileStreamSink/config/validate', { 'connector.class': 'FileStreamSink', name: 'v' });
    expect([sink.status, sink.json.name, sink.json.error_count, sink.json.groups]).toEqual([200, SINK_CLASS, 1, GROUPS]);
    const topics = sink.json.configs.find((c: any) => c.definition.name === 'topics');
    expect([topics.definition.group, topics.definition.order, topics.value.errors]).toEqual(['Common', 4, ['Must configure one of topics or topics.regex']]);
  });

  it('a connector.class that does not match {p} is 400; so are a non-object body and an unknown {p}', async () => {
    const w = await start();
    expectError(
      await w.call('PUT', '/connector-plugins/FileStreamSink/config/validate', { 'connector.class': 'FileStreamSource', name: 'v', topic: 't' }),
      400,
      'Included connector type FileStreamSource does not match request type FileStreamSink',
    );
    expectError(await w.call('PUT', '/connector-plugins/FileStreamSink/config/validate', '"text"'), 400, 'Connector configuration must be a JSON object');
    expectError(
      await w.call('PUT', '/connector-plugins/NoSuchConnector/config/validate', { name: 'v' }),
      400,
      'Failed to find any class that implements Connector and which name matches NoSuchConnector',
    );
  });
});

describe('/admin/loggers', () => {
  it('lists every logger with root; PUT (worker scope) sets a namespace and answers the loggers it changed', async () => {
    const w = await start();
    const all = await w.call('GET', '/admin/loggers');
    expect(all.status).toBe(200);
    expect(all.json.root).toEqual({ level: 'INFO', last_modified: null });
    expect(all.json['tributary.rest']).toEqual({ level: 'INFO', last_modified: null });
    expect(Object.keys(all.json)).toEqual(Object.keys(all.json).sort());

    const set = await w.call('PUT', '/admin/loggers/tributary.test', { level: 'debug' });
    expect([set.status, set.json]).toEqual([200, ['tributary.test']]);
    const one = (await w.call('GET', '/admin/loggers/tributary.test')).json;
    expect(one).toEqual({ level: 'DEBUG', last_modified: LOGGER_CLOCK_MS });
    expect((await w.call('PUT', '/admin/loggers/tributary.test.child?scope=worker', { level: 'TRACE' })).json).toEqual(['tributary.test.child']);
    expect((await w.call('PUT', '/admin/loggers/tributary.test', { level: 'WARN' })).json).toEqual(['tributary.test', 'tributary.test.child']);
    expect((await w.call('GET', '/admin/loggers/tributary.test.child')).json.level).toBe('WARN');
    // Every known logger, root included, follows a root change.
    const root = await w.call('PUT', '/admin/loggers/root', { level: 'ERROR' });
    expect(root.json).toEqual(Object.keys((await w.call('GET', '/admin/loggers')).json));
    expect(Object.values((await w.call('GET', '/admin/loggers')).json).every((l: any) => l.level === 'ERROR')).toBe(true);
  });

  it('cluster scope applies the level and answers 204 without a body', async () => {
    const w = await start();
    const a = await w.call('PUT', '/admin/loggers/tributary.cluster?scope=cluster', { level: 'ERROR' });
    expect([a.status, a.text]).toEqual([204, '']);
    expect((await w.call('GET', '/admin/loggers/tributary.cluster')).json.level).toBe('ERROR');
  });

  it('an unknown level is 404, a missing level 400, an unknown logger 404 (Kafka Connect\'s messages)', async () => {
    const w = await start();
    expectError(await w.call('PUT', '/admin/loggers/tributary.x', { level: 'LOUD' }), 404, "invalid log level 'LOUD'.");
    expectError(await w.call('PUT', '/admin/loggers/tributary.x', {}), 400, "Desired 'level' parameter was not specified in request.");
    expectError(await w.call('GET', '/admin/loggers/no.such.logger'), 404, 'Logger no.such.logger not found.');
    expect((await w.call('GET', '/admin/loggers')).json).not.toHaveProperty('tributary.x');
  });
});

describe('GET / and /health', () => {
  it('GET / answers the server info; /health answers 503 starting, then 200 healthy once the worker has started', async () => {
    const early: Array<[number, unknown]> = [];
    const w = await workers.start({
      whileStarting: async (call) => {
        const a = await call('GET', '/health');
        early.push([a.status, a.json]);
      },
    });
    expect(early).toEqual([[503, { status: 'starting', message: 'Worker is still starting up.' }]]);
    const root = await w.call('GET', '/');
    expect([root.status, root.headers.get('content-type'), root.json]).toEqual([
      200,
      'application/json; charset=utf-8',
      { version: '0.1.0-test', commit: 'abc123', kafka_cluster_id: null },
    ]);
    const health = await w.call('GET', '/health');
    expect([health.status, health.json]).toEqual([200, { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' }]);
  });
});
