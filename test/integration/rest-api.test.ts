/**
 * The REST API through real HTTP. The main suite drives all state through HTTP so it can run against
 * any Herder (today the in-memory double, later the StandaloneHerder): only `makeHerder` and the
 * connector fixture below name anything outside the API. The last suite uses stub herders to test
 * what only the REST layer does (timeouts, concurrency, unexpected errors).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestServer, type RestServerOptions } from '../../src/rest/rest-server.js';
import type { ConnectorInfo, Health, Herder } from '../../src/runtime/herder/herder.js';
import { LoggerRegistry } from '../../src/runtime/logging.js';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryHerder } from '../support/memory-herder.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';

const makeHerder = (): Herder => new MemoryHerder();
const SOURCE = 'FileStreamSource';
let inputFile = '';
const sourceConfig = (extra: Record<string, unknown> = {}) => ({ 'connector.class': SOURCE, 'tasks.max': '1', file: inputFile, topic: 'rest-api-test', ...extra });

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

interface Server {
  base: string;
  close(): Promise<void>;
}

async function startServer(herder: Herder, extra: Partial<RestServerOptions> = {}, clock = new ManualClock()): Promise<Server> {
  const loggers = new LoggerRegistry({ clock, destination: { write: () => {} } });
  const rest = createRestServer({ herder, loggers, host: '127.0.0.1', port: 0, version: '0.1.0-test', commit: 'abc123', clusterId: 'cluster-1', ...extra });
  const { port } = await rest.listen();
  return { base: `http://127.0.0.1:${port}`, close: () => rest.close() };
}

function client(server: () => Server) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(server().base + path, init);
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

function expectError(a: Answer, status: number, message?: string | RegExp): void {
  expect(a.status).toBe(status);
  expect(a.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(a.json).sort()).toEqual(['error_code', 'message']);
  expect(a.json.error_code).toBe(status);
  if (typeof message === 'string') expect(a.json.message).toBe(message);
  else if (message) expect(a.json.message).toMatch(message);
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

describe('REST API', () => {
  let server: Server;
  let dir: string;
  const clock = new ManualClock(1_700_000_123_000);
  const call = client(() => server);
  const create = async (name: string, extra: Record<string, unknown> = {}, body: Record<string, unknown> = {}) => {
    const a = await call('POST', '/connectors', { name, config: sourceConfig(extra), ...body });
    expect(a.status).toBe(201);
    return a.json as ConnectorInfo;
  };

  beforeAll(async () => {
    dir = await makeTempDir('tributary-rest-');
    inputFile = join(dir, 'input.txt');
    await writeFile(inputFile, '');
    server = await startServer(makeHerder(), { bodyLimit: 64 * 1024 }, clock);
  });
  afterAll(async () => {
    await server.close();
    await removeTempDir(dir);
  });

  describe('root', () => {
    it('GET / answers server info as JSON', async () => {
      const a = await call('GET', '/');
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toMatch(/^application\/json/);
      expect(a.json).toEqual({ version: '0.1.0-test', commit: 'abc123', kafka_cluster_id: 'cluster-1' });
    });

    it('GET /health answers 200 healthy', async () => {
      const a = await call('GET', '/health');
      expect(a.status).toBe(200);
      expect(a.json.status).toBe('healthy');
      expect(typeof a.json.message).toBe('string');
    });
  });

  describe('connectors', () => {
    it('POST creates: 201, Location, ConnectorInfo with the name filled into the config', async () => {
      const name = unique('create');
      const a = await call('POST', '/connectors?forward=true', { name, config: sourceConfig() });
      expect(a.status).toBe(201);
      expect(a.headers.get('location')).toBe(`/connectors/${name}`);
      expect(a.json).toMatchObject({ name, type: 'source', config: { ...sourceConfig(), name } });
      expect(Array.isArray(a.json.tasks)).toBe(true);
      expect((await call('GET', '/connectors')).json).toContain(name);
    });

    it('POST accepts numbers for config values and keeps them as strings', async () => {
      const name = unique('numbers');
      await create(name, { 'tasks.max': 1 });
      expect((await call('GET', `/connectors/${name}/config`)).json['tasks.max']).toBe('1');
    });

    it('POST of an existing name is 409', async () => {
      const name = unique('dup');
      await create(name);
      expectError(await call('POST', '/connectors', { name, config: sourceConfig() }), 409, `Connector ${name} already exists`);
    });

    it('POST rejects a name mismatch, a missing name, a missing config, a non-object body', async () => {
      expectError(await call('POST', '/connectors', { name: 'a', config: sourceConfig({ name: 'b' }) }), 400, /doesn't match connector name/);
      expectError(await call('POST', '/connectors', { config: sourceConfig() }), 400, /name/);
      expectError(await call('POST', '/connectors', { name: '   ', config: sourceConfig() }), 400);
      expectError(await call('POST', '/connectors', { name: unique('noconfig') }), 400, /config/);
      expectError(await call('POST', '/connectors', [1, 2]), 400);
      expectError(await call('POST', '/connectors', { name: unique('nested'), config: { ...sourceConfig(), x: { y: 1 } } }), 400);
    });

    it('POST of an invalid config is 400 listing the errors', async () => {
      const a = await call('POST', '/connectors', { name: unique('invalid'), config: sourceConfig({ topic: undefined }) });
      expectError(a, 400, /contains the following 1 error\(s\):\n.*topic/);
    });

    it('POST honours initial_state and rejects an unknown one', async () => {
      const stopped = unique('initial-stopped');
      await create(stopped, {}, { initial_state: 'STOPPED' });
      expect((await call('GET', `/connectors/${stopped}/status`)).json).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
      const paused = unique('initial-paused');
      await create(paused, {}, { initial_state: 'PAUSED' });
      expect((await call('GET', `/connectors/${paused}/status`)).json.connector.state).toBe('PAUSED');
      expectError(await call('POST', '/connectors', { name: unique('bad-state'), config: sourceConfig(), initial_state: 'ASLEEP' }), 400);
    });

    it('GET /connectors/{c} answers ConnectorInfo; unknown is 404 with Kafka\'s message', async () => {
      const name = unique('info');
      await create(name);
      const a = await call('GET', `/connectors/${name}`);
      expect(a.status).toBe(200);
      expect(a.json).toEqual({ name, config: { ...sourceConfig(), name }, tasks: [{ connector: name, task: 0 }], type: 'source' });
      const missing = await call('GET', '/connectors/foo');
      expect(missing.json).toEqual({ error_code: 404, message: 'Connector foo not found' });
      expectError(missing, 404);
    });

    it('GET /connectors expands status, info, both, and ignores unknown expansions', async () => {
      const name = unique('expand');
      await create(name);
      const status = (await call('GET', '/connectors?expand=status')).json[name];
      expect(Object.keys(status)).toEqual(['status']);
      expect(status.status).toMatchObject({ name, connector: { state: 'RUNNING' }, type: 'source' });
      const info = (await call('GET', '/connectors?expand=info')).json[name];
      expect(info).toEqual({ info: { name, config: { ...sourceConfig(), name }, tasks: [{ connector: name, task: 0 }], type: 'source' } });
      const both = (await call('GET', '/connectors?expand=status&expand=info')).json[name];
      expect(Object.keys(both).sort()).toEqual(['info', 'status']);
      expect((await call('GET', '/connectors?expand=bogus')).json[name]).toEqual({});
    });

    it('GET/PUT/PATCH config: 201 on create, 200 on update, PATCH merges and deletes', async () => {
      const name = unique('put');
      const created = await call('PUT', `/connectors/${name}/config`, sourceConfig());
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/connectors/${name}`);
      expect(created.json).toMatchObject({ name, config: { name }, type: 'source' });
      const updated = await call('PUT', `/connectors/${name}/config`, sourceConfig({ topic: 'other' }));
      expect(updated.status).toBe(200);
      expect(updated.json.config.topic).toBe('other');
      const patched = await call('PATCH', `/connectors/${name}/config`, { topic: 'patched', file: null });
      expect(patched.status).toBe(200);
      expect(patched.json).toMatchObject({ name, config: { topic: 'patched' } });
      const config = (await call('GET', `/connectors/${name}/config`)).json;
      expect(config).toMatchObject({ name, topic: 'patched', 'connector.class': SOURCE });
      expect(config).not.toHaveProperty('file');
    });

    it('config errors: PUT name mismatch 400, PUT invalid 400, PATCH unknown 404, GET unknown 404', async () => {
      const name = unique('put-bad');
      expectError(await call('PUT', `/connectors/${name}/config`, sourceConfig({ name: 'other' })), 400, /doesn't match/);
      expectError(await call('PUT', `/connectors/${name}/config`, sourceConfig({ topic: undefined })), 400, /error\(s\)/);
      expectError(await call('PATCH', `/connectors/${name}/config`, { topic: 'x' }), 404, `Connector ${name} not found`);
      expectError(await call('GET', `/connectors/${name}/config`), 404);
      await create(name);
      expectError(await call('PATCH', `/connectors/${name}/config`, { name: 'renamed' }), 400, /doesn't match/);
    });

    it('decodes names with spaces and slashes in paths and encodes them in Location', async () => {
      const name = unique('my conn/x');
      const a = await call('POST', '/connectors', { name, config: sourceConfig() });
      expect(a.status).toBe(201);
      expect(a.headers.get('location')).toBe(`/connectors/${encodeURIComponent(name)}`);
      const got = await call('GET', `/connectors/${encodeURIComponent(name)}/status`);
      expect(got.status).toBe(200);
      expect(got.json.name).toBe(name);
    });

    it('status, tasks, tasks-config and task status', async () => {
      const name = unique('status');
      await create(name);
      const status = (await call('GET', `/connectors/${name}/status`)).json;
      expect(status).toMatchObject({ name, connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }], type: 'source' });
      expect(typeof status.connector.worker_id).toBe('string');
      const tasks = (await call('GET', `/connectors/${name}/tasks`)).json;
      expect(tasks).toHaveLength(1);
      expect(tasks[0].id).toEqual({ connector: name, task: 0 });
      const tasksConfig = (await call('GET', `/connectors/${name}/tasks-config`)).json;
      expect(Object.keys(tasksConfig)).toEqual([`${name}-0`]);
      expect(tasksConfig[`${name}-0`]).toEqual(tasks[0].config);
      expect((await call('GET', `/connectors/${name}/tasks/0/status`)).json).toMatchObject({ id: 0, state: 'RUNNING' });
      expectError(await call('GET', `/connectors/${name}/tasks/7/status`), 404);
      expectError(await call('GET', `/connectors/${name}/tasks/zero/status`), 404);
      expectError(await call('GET', '/connectors/nope/status'), 404);
      expectError(await call('GET', '/connectors/nope/tasks'), 404);
    });

    it('restart: 204 for the connector alone, 202 with planned states otherwise; task restart 204', async () => {
      const name = unique('restart');
      await create(name);
      const plain = await call('POST', `/connectors/${name}/restart`);
      expect(plain.status).toBe(204);
      expect(plain.text).toBe('');
      const all = await call('POST', `/connectors/${name}/restart?includeTasks=true&onlyFailed=false`);
      expect(all.status).toBe(202);
      expect(all.json).toMatchObject({ name, connector: { state: 'RESTARTING' }, tasks: [{ id: 0, state: 'RESTARTING' }] });
      const onlyFailed = await call('POST', `/connectors/${name}/restart?includeTasks=true&onlyFailed=true`);
      expect(onlyFailed.status).toBe(202);
      expect(onlyFailed.json.connector.state).not.toBe('RESTARTING');
      expect((await call('POST', `/connectors/${name}/tasks/0/restart`)).status).toBe(204);
      expectError(await call('POST', `/connectors/${name}/tasks/9/restart`), 404);
      expectError(await call('POST', `/connectors/${name}/tasks/x/restart`), 404);
      expectError(await call('POST', '/connectors/nope/restart'), 404);
      expectError(await call('POST', '/connectors/nope/restart?includeTasks=true'), 404);
    });

    it('pause 202, resume 202, stop 204, resume after stop restarts the tasks', async () => {
      const name = unique('lifecycle');
      await create(name);
      const state = async () => (await call('GET', `/connectors/${name}/status`)).json;
      const paused = await call('PUT', `/connectors/${name}/pause`);
      expect([paused.status, paused.text]).toEqual([202, '']);
      expect((await state()).connector.state).toBe('PAUSED');
      expect((await call('PUT', `/connectors/${name}/resume`)).status).toBe(202);
      expect((await state()).connector.state).toBe('RUNNING');
      expect((await call('PUT', `/connectors/${name}/stop`)).status).toBe(204);
      expect(await state()).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
      expect((await call('GET', `/connectors/${name}`)).json.tasks).toEqual([]);
      // A JSON content type with an empty body is accepted, as Kafka Connect does.
      expect((await call('PUT', `/connectors/${name}/resume`, '', { 'content-type': 'application/json' })).status).toBe(202);
      expect(await state()).toMatchObject({ connector: { state: 'RUNNING' }, tasks: [{ id: 0 }] });
      for (const op of ['pause', 'resume', 'stop']) expectError(await call('PUT', `/connectors/nope/${op}`), 404);
    });

    it('DELETE is 204, then the connector is gone', async () => {
      const name = unique('delete');
      await create(name);
      const a = await call('DELETE', `/connectors/${name}`);
      expect([a.status, a.text]).toEqual([204, '']);
      expectError(await call('GET', `/connectors/${name}`), 404, `Connector ${name} not found`);
      expect((await call('GET', '/connectors')).json).not.toContain(name);
      expectError(await call('DELETE', `/connectors/${name}`), 404);
    });

    it('offsets: GET, PATCH/DELETE need STOPPED and a non-empty offsets list', async () => {
      const name = unique('offsets');
      await create(name);
      const path = `/connectors/${name}/offsets`;
      expect((await call('GET', path)).json).toEqual({ offsets: [] });
      const entry = { partition: { filename: inputFile }, offset: { position: 42 } };
      expectError(await call('PATCH', path, { offsets: [entry] }), 400, /STOPPED/);
      expectError(await call('DELETE', path), 400, /STOPPED/);
      await call('PUT', `/connectors/${name}/stop`);
      expectError(await call('PATCH', path, { offsets: [] }), 400, 'Partitions / offsets need to be provided for an alter offsets request');
      expectError(await call('PATCH', path, {}), 400, /need to be provided/);
      const altered = await call('PATCH', path, { offsets: [entry] });
      expect(altered.status).toBe(200);
      expect(altered.json).toEqual({ message: expect.stringMatching(/altered/) });
      expect((await call('GET', path)).json).toEqual({ offsets: [entry] });
      const reset = await call('DELETE', path);
      expect(reset.status).toBe(200);
      expect(reset.json.message).toMatch(/reset/);
      expect((await call('GET', path)).json).toEqual({ offsets: [] });
      expectError(await call('GET', '/connectors/nope/offsets'), 404);
    });

    it('topics: GET lists active topics, reset is 202', async () => {
      const name = unique('topics');
      await create(name);
      const a = await call('GET', `/connectors/${name}/topics`);
      expect(a.status).toBe(200);
      expect(a.json).toEqual({ [name]: { topics: expect.any(Array) } });
      expect((await call('PUT', `/connectors/${name}/topics/reset`)).status).toBe(202);
      expectError(await call('GET', '/connectors/nope/topics'), 404);
      expectError(await call('PUT', '/connectors/nope/topics/reset'), 404);
    });
  });

  describe('connector plugins', () => {
    it('lists connectors only by default, everything with connectorsOnly=false', async () => {
      const connectors = (await call('GET', '/connector-plugins')).json as { class: string; type: string; version: string }[];
      expect(connectors.map((p) => p.type).every((t) => t === 'source' || t === 'sink')).toBe(true);
      expect(connectors.some((p) => p.class.endsWith('FileStreamSourceConnector'))).toBe(true);
      const all = (await call('GET', '/connector-plugins?connectorsOnly=false')).json as unknown[];
      expect(all.length).toBeGreaterThan(connectors.length);
    });

    it('GET config answers ConfigKeyInfos with Kafka\'s `order` field; unknown plugin 404', async () => {
      const keys = (await call('GET', `/connector-plugins/${SOURCE}/config`)).json as Record<string, unknown>[];
      const topic = keys.find((k) => k['name'] === 'topic');
      expect(topic).toMatchObject({ type: 'STRING', required: true, default_value: null, order: expect.any(Number) });
      expect(topic).not.toHaveProperty('order_in_group');
      expectError(await call('GET', '/connector-plugins/NoSuchConnector/config'), 404);
    });

    it('validate answers 200 with the errors, 400 for a mismatched type or a non-object body', async () => {
      const path = `/connector-plugins/${SOURCE}/config/validate`;
      const ok = await call('PUT', path, { ...sourceConfig(), name: 'v' });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ error_count: 0, groups: expect.any(Array), configs: expect.any(Array) });
      const bad = await call('PUT', path, { ...sourceConfig({ topic: undefined }), name: 'v' });
      expect(bad.status).toBe(200);
      expect(bad.json.error_count).toBe(1);
      const topic = bad.json.configs.find((c: any) => c.definition.name === 'topic');
      expect(topic.value.errors).toHaveLength(1);
      expect(topic.definition).toHaveProperty('order');
      expectError(await call('PUT', '/connector-plugins/FileStreamSink/config/validate', { ...sourceConfig(), name: 'v' }), 400);
      expectError(await call('PUT', path, '"just a string"'), 400);
    });
  });

  describe('admin/loggers', () => {
    it('lists loggers with root, reads and sets a level (worker scope: 200 + affected names)', async () => {
      const all = (await call('GET', '/admin/loggers')).json;
      expect(all.root).toEqual({ level: 'INFO', last_modified: null });
      const ns = unique('tributary.test');
      const set = await call('PUT', `/admin/loggers/${ns}`, { level: 'debug' });
      expect(set.status).toBe(200);
      expect(set.json).toEqual([ns]);
      expect((await call('GET', `/admin/loggers/${ns}`)).json).toEqual({ level: 'DEBUG', last_modified: clock.now() });
      const child = await call('PUT', `/admin/loggers/${ns}.child?scope=worker`, { level: 'TRACE' });
      expect(child.json).toEqual([`${ns}.child`]);
      expect((await call('PUT', `/admin/loggers/${ns}`, { level: 'WARN' })).json).toEqual([ns, `${ns}.child`]);
      expect((await call('GET', '/admin/loggers')).json[`${ns}.child`].level).toBe('WARN');
    });

    it('cluster scope applies the level and answers 204', async () => {
      const ns = unique('tributary.cluster');
      const a = await call('PUT', `/admin/loggers/${ns}?scope=cluster`, { level: 'ERROR' });
      expect([a.status, a.text]).toEqual([204, '']);
      expect((await call('GET', `/admin/loggers/${ns}`)).json.level).toBe('ERROR');
    });

    it('unknown logger 404, invalid level 404, missing level 400', async () => {
      expectError(await call('GET', '/admin/loggers/no.such.logger'), 404, 'Logger no.such.logger not found.');
      expectError(await call('PUT', '/admin/loggers/x.y', { level: 'LOUD' }), 404, "invalid log level 'LOUD'.");
      expectError(await call('PUT', '/admin/loggers/x.y', {}), 400, /'level'/);
    });
  });

  describe('errors', () => {
    it('malformed JSON is 400 naming the problem', async () => {
      expectError(await call('POST', '/connectors', '{"name": "x", '), 400, /^Malformed JSON in request body: .+/);
    });

    it('an unknown route is 404; a known path with another method is 405 with Allow', async () => {
      expectError(await call('GET', '/no/such/route'), 404);
      expectError(await call('GET', '/connectors/a/b/c/d'), 404);
      const a = await call('DELETE', '/connector-plugins');
      expectError(a, 405);
      expect(a.headers.get('allow')).toContain('GET');
      expectError(await call('PUT', '/connectors'), 405);
      expectError(await call('POST', '/connectors/x/status'), 405);
      expectError(await call('GET', '/connectors/x/pause'), 405);
    });

    it('a body over the limit is 413; a non-JSON content type is 415', async () => {
      expectError(await call('POST', '/connectors', { name: 'big', config: { ...sourceConfig(), pad: 'x'.repeat(70 * 1024) } }), 413);
      expectError(await call('POST', '/connectors', 'name=x', { 'content-type': 'text/plain' }), 415);
    });

    it('ignores ?forward= and a trailing slash', async () => {
      expect((await call('GET', '/connectors/?forward=false')).status).toBe(200);
    });
  });
});

describe('REST server behaviour', () => {
  class StubHerder extends MemoryHerder {
    gate: Promise<void> = new Promise(() => {});
    healthValue: Health = { status: 'healthy', message: 'ok' };
    override health(): Health {
      return this.healthValue;
    }
    override async connectorInfo(name: string): Promise<ConnectorInfo> {
      if (name === 'slow') await this.gate;
      if (name === 'broken') throw new Error('kaboom');
      return super.connectorInfo(name);
    }
  }

  it('answers 500 "Request timed out" when the herder takes longer than the timeout', async () => {
    const server = await startServer(new StubHerder(), { requestTimeoutMs: 50 });
    try {
      const a = await client(() => server)('GET', '/connectors/slow');
      expectError(a, 500, 'Request timed out');
    } finally {
      await server.close();
    }
  });

  it('does not serialise requests: a slow one does not hold up the others', async () => {
    const herder = new StubHerder();
    let release!: () => void;
    herder.gate = new Promise((r) => (release = r));
    const server = await startServer(herder);
    const call = client(() => server);
    try {
      const slow = call('GET', '/connectors/slow');
      expectError(await call('GET', '/connectors/fast'), 404, 'Connector fast not found');
      release();
      expectError(await slow, 404, 'Connector slow not found');
    } finally {
      await server.close();
    }
  });

  it('maps an unexpected error to 500 with its message, and health states to 503 and 500', async () => {
    const herder = new StubHerder();
    const server = await startServer(herder);
    const call = client(() => server);
    try {
      expectError(await call('GET', '/connectors/broken'), 500, 'kaboom');
      herder.healthValue = { status: 'starting', message: 'Worker is starting' };
      expect(await call('GET', '/health')).toMatchObject({ status: 503, json: { status: 'starting' } });
      herder.healthValue = { status: 'unhealthy', message: 'Worker is stuck' };
      expect(await call('GET', '/health')).toMatchObject({ status: 500, json: { status: 'unhealthy' } });
    } finally {
      await server.close();
    }
  });
});
