/**
 * `/connectors`: create, read, configure and delete, through HTTP against a real standalone worker
 * (StandaloneHerder over an EmbeddedLog in a temporary directory, the FileStream connectors).
 * Bodies, statuses and messages are Kafka Connect's (reference/kafka-connect.md §1).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectEmpty, expectError, useRestWorkers, waitForState, type RestWorker } from '../support/rest-harness.js';
import { SECRET_SOURCE_CLASS, secretSourcePlugin } from '../support/test-connectors.js';

const workers = useRestWorkers();

/** A worker and a FileStreamSource config reading an (empty) file of its own. */
async function setup(): Promise<{ w: RestWorker; cfg: (extra?: Record<string, string>) => Record<string, string> }> {
  const w = await workers.start({ plugins: [secretSourcePlugin] });
  const file = join(await workers.tempDir(), 'in.txt');
  await writeFile(file, '');
  return { w, cfg: (extra = {}) => ({ 'connector.class': 'FileStreamSource', file, topic: 'lines', ...extra }) };
}

const INVALID_TAIL = '\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`';

describe('POST /connectors and the reads', () => {
  it('creates: 201, Location and ConnectorInfo without tasks; then every read shows the connector and its task', async () => {
    const { w, cfg } = await setup();
    const created = await w.call('POST', '/connectors', { name: 'src', config: cfg() });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/connectors/src');
    expect(created.json).toEqual({ name: 'src', config: { ...cfg(), name: 'src' }, tasks: [], type: 'source' });

    const worker_id = w.workerId;
    expect(await waitForState(w, 'src', 'RUNNING', 'RUNNING', 1)).toEqual({
      name: 'src', connector: { state: 'RUNNING', worker_id }, tasks: [{ id: 0, state: 'RUNNING', worker_id }], type: 'source',
    });
    expect((await w.call('GET', '/connectors')).json).toEqual(['src']);
    const info = await w.call('GET', '/connectors/src');
    expect([info.status, info.json]).toEqual([200, { name: 'src', config: { ...cfg(), name: 'src' }, tasks: [{ connector: 'src', task: 0 }], type: 'source' }]);
    expect((await w.call('GET', '/connectors/src/config')).json).toEqual({ ...cfg(), name: 'src' });
    expect((await w.call('GET', '/connectors/src/tasks')).json).toEqual([{ id: { connector: 'src', task: 0 }, config: { ...cfg(), name: 'src' } }]);
    expect((await w.call('GET', '/connectors/src/tasks-config')).json).toEqual({ 'src-0': { ...cfg(), name: 'src' } });
    expect((await w.call('GET', '/connectors/src/tasks/0/status')).json).toEqual({ id: 0, state: 'RUNNING', worker_id });
    expectError(await w.call('GET', '/connectors/src/tasks/1/status'), 404, 'No status found for task src-1');
    expectError(await w.call('GET', '/connectors/src/tasks/zero/status'), 404, 'HTTP 404 Not Found');
  });

  it('keeps numbers and booleans as strings, and encodes odd names in Location', async () => {
    const { w, cfg } = await setup();
    const name = 'my conn/1';
    const a = await w.call('POST', '/connectors', { name, config: { ...cfg(), 'tasks.max': 1, 'errors.log.enable': true } });
    expect(a.status).toBe(201);
    expect(a.headers.get('location')).toBe('/connectors/my%20conn%2F1');
    expect((await w.call('GET', `/connectors/${encodeURIComponent(name)}/config`)).json).toEqual({ ...cfg(), 'tasks.max': '1', 'errors.log.enable': 'true', name });
  });

  it('a second POST of the same name is 409 and changes nothing', async () => {
    const { w, cfg } = await setup();
    expect((await w.call('POST', '/connectors', { name: 'src', config: cfg() })).status).toBe(201);
    expectError(await w.call('POST', '/connectors', { name: 'src', config: cfg({ topic: 'other' }) }), 409, 'Connector src already exists');
    expect((await w.call('GET', '/connectors/src/config')).json.topic).toBe('lines');
  });

  it('a name in the config that differs from the request is 400, for POST, PUT and PATCH', async () => {
    const { w, cfg } = await setup();
    const mismatch = (inConfig: string, url: string) => `Connector name configuration (${inConfig}) doesn't match connector name in the URL (${url})`;
    expectError(await w.call('POST', '/connectors', { name: 'a', config: cfg({ name: 'b' }) }), 400, mismatch('b', 'a'));
    expectError(await w.call('PUT', '/connectors/a/config', cfg({ name: 'b' })), 400, mismatch('b', 'a'));
    expect((await w.call('GET', '/connectors')).json).toEqual([]);
    expect((await w.call('POST', '/connectors', { name: 'a', config: cfg({ name: 'a' }) })).status).toBe(201);
    expectError(await w.call('PATCH', '/connectors/a/config', { name: 'b' }), 400, mismatch('b', 'a'));
  });

  it('rejects malformed create requests with 400', async () => {
    const { w, cfg } = await setup();
    expectError(await w.call('POST', '/connectors', { config: cfg() }), 400, "Connector name must be given in the request's 'name' field");
    expectError(await w.call('POST', '/connectors', { name: '  ', config: cfg() }), 400, "Connector name must be given in the request's 'name' field");
    expectError(await w.call('POST', '/connectors', { name: 'x' }), 400, "The request must contain a 'config' object");
    expectError(await w.call('POST', '/connectors', [1, 2]), 400, 'Request body must be a JSON object');
    expectError(await w.call('POST', '/connectors', { name: 'x', config: { ...cfg(), nested: { a: 1 } } }), 400, "Connector configuration value for 'nested' must be a string");
    expectError(await w.call('POST', '/connectors', { name: 'x', config: cfg(), initial_state: 'ASLEEP' }), 400, "Invalid initial_state 'ASLEEP'; expected one of RUNNING, PAUSED, STOPPED");
    expect((await w.call('GET', '/connectors')).json).toEqual([]);
  });

  it('an invalid config is 400 listing every field error in Kafka\'s format, for POST and PUT; nothing is written', async () => {
    const { w, cfg } = await setup();
    const bad = { 'connector.class': 'FileStreamSource', 'tasks.max': '0', 'batch.size': 'x' };
    const message =
      'Connector configuration is invalid and contains the following 3 error(s):\n' +
      'Invalid value 0 for configuration tasks.max: Value must be at least 1\n' +
      'Missing required configuration "topic" which has no default value.\n' +
      'Invalid value x for configuration batch.size: Not a number of type INT' +
      INVALID_TAIL;
    expectError(await w.call('POST', '/connectors', { name: 'bad', config: bad }), 400, message);
    expectError(await w.call('PUT', '/connectors/bad/config', bad), 400, message);
    expectError(await w.call('GET', '/connectors/bad'), 404, 'Connector bad not found');
    expectError(
      await w.call('POST', '/connectors', { name: 'nope', config: { 'connector.class': 'NoSuchConnector' } }),
      400,
      'Connector configuration is invalid and contains the following 1 error(s):\n' +
        'Invalid value NoSuchConnector for configuration connector.class: Class NoSuchConnector could not be found. Known connectors: FileStreamSource, FileStreamSink, PostgresCdcSource, S3Sink, SecretSource' +
        INVALID_TAIL,
    );
    // An invalid update leaves the running connector as it was.
    expect((await w.call('POST', '/connectors', { name: 'ok', config: cfg() })).status).toBe(201);
    expectError(await w.call('PUT', '/connectors/ok/config', cfg({ topic: 'a,b' })), 400, /contains the following 1 error\(s\):\nInvalid value a,b for configuration topic: 'topic' must be a single topic, not a list\n/);
    expect((await w.call('GET', '/connectors/ok/config')).json).toEqual({ ...cfg(), name: 'ok' });
    expect((await waitForState(w, 'ok', 'RUNNING', 'RUNNING', 1)).connector.state).toBe('RUNNING');
  });

  it('an unknown connector is 404 with Kafka Connect\'s message on every per-connector endpoint', async () => {
    const { w } = await setup();
    const cases: Array<[string, string, unknown, string]> = [
      ['GET', '/connectors/foo', undefined, 'Connector foo not found'],
      ['GET', '/connectors/foo/config', undefined, 'Connector foo not found'],
      ['PATCH', '/connectors/foo/config', { topic: 'x' }, 'Connector foo not found'],
      ['GET', '/connectors/foo/status', undefined, 'No status found for connector foo'],
      ['GET', '/connectors/foo/tasks', undefined, 'Connector foo not found'],
      ['GET', '/connectors/foo/tasks-config', undefined, 'Connector foo not found'],
      ['GET', '/connectors/foo/tasks/0/status', undefined, 'No status found for task foo-0'],
      ['POST', '/connectors/foo/tasks/0/restart', undefined, 'Connector foo not found'],
      ['POST', '/connectors/foo/restart', undefined, 'Connector foo not found'],
      ['POST', '/connectors/foo/restart?includeTasks=true', undefined, 'Unknown connector: foo'],
      ['PUT', '/connectors/foo/pause', undefined, 'Unknown connector foo'],
      ['PUT', '/connectors/foo/resume', undefined, 'Unknown connector foo'],
      ['PUT', '/connectors/foo/stop', undefined, 'Unknown connector foo'],
      ['DELETE', '/connectors/foo', undefined, 'Connector foo not found'],
      ['GET', '/connectors/foo/offsets', undefined, 'Connector foo not found'],
      ['PATCH', '/connectors/foo/offsets', { offsets: [{ partition: { filename: 'f' }, offset: { position: 1 } }] }, 'Connector foo not found'],
      ['DELETE', '/connectors/foo/offsets', undefined, 'Connector foo not found'],
    ];
    for (const [method, path, body, message] of cases) expectError(await w.call(method, path, body), 404, message);
    expect((await w.call('GET', '/connectors')).json).toEqual([]);
  });

  it('initial_state PAUSED and STOPPED: created without tasks in that state; resume starts them', async () => {
    const { w, cfg } = await setup();
    const worker_id = w.workerId;
    for (const state of ['PAUSED', 'STOPPED']) {
      const name = state.toLowerCase();
      const a = await w.call('POST', '/connectors', { name, config: cfg(), initial_state: state });
      expect([a.status, a.json.tasks]).toEqual([201, []]);
      expect((await w.call('GET', `/connectors/${name}/status`)).json).toEqual({ name, connector: { state, worker_id }, tasks: [], type: 'source' });
      expect((await w.call('GET', `/connectors/${name}/tasks`)).json).toEqual([]);
      expectEmpty(await w.call('PUT', `/connectors/${name}/resume`), 202);
      await waitForState(w, name, 'RUNNING', 'RUNNING', 1);
      expect((await w.call('GET', `/connectors/${name}`)).json.tasks).toEqual([{ connector: name, task: 0 }]);
    }
  });

  it('GET /connectors?expand=status|info|both; an unknown expansion gives an empty entry', async () => {
    const { w, cfg } = await setup();
    await w.call('POST', '/connectors', { name: 'run', config: cfg() });
    await w.call('POST', '/connectors', { name: 'stop', config: cfg(), initial_state: 'STOPPED' });
    const worker_id = w.workerId;
    const status = {
      run: { name: 'run', connector: { state: 'RUNNING', worker_id }, tasks: [{ id: 0, state: 'RUNNING', worker_id }], type: 'source' },
      stop: { name: 'stop', connector: { state: 'STOPPED', worker_id }, tasks: [], type: 'source' },
    };
    const info = {
      run: { name: 'run', config: { ...cfg(), name: 'run' }, tasks: [{ connector: 'run', task: 0 }], type: 'source' },
      stop: { name: 'stop', config: { ...cfg(), name: 'stop' }, tasks: [], type: 'source' },
    };
    await waitForState(w, 'run', 'RUNNING', 'RUNNING', 1);
    expect((await w.call('GET', '/connectors?expand=status')).json).toEqual({ run: { status: status.run }, stop: { status: status.stop } });
    expect((await w.call('GET', '/connectors?expand=info')).json).toEqual({ run: { info: info.run }, stop: { info: info.stop } });
    expect((await w.call('GET', '/connectors?expand=status&expand=info')).json).toEqual({
      run: { status: status.run, info: info.run },
      stop: { status: status.stop, info: info.stop },
    });
    expect((await w.call('GET', '/connectors?expand=bogus')).json).toEqual({ run: {}, stop: {} });
    expect((await w.call('GET', '/connectors/?forward=false')).json).toEqual(['run', 'stop']);
  });
});

describe('PUT/PATCH config and DELETE', () => {
  it('PUT config: 201 with Location when new, 200 when updated; the update reaches the task', async () => {
    const { w, cfg } = await setup();
    const created = await w.call('PUT', '/connectors/src/config', cfg());
    expect([created.status, created.headers.get('location')]).toEqual([201, '/connectors/src']);
    expect(created.json).toEqual({ name: 'src', config: { ...cfg(), name: 'src' }, tasks: [], type: 'source' });
    const updated = await w.call('PUT', '/connectors/src/config', cfg({ topic: 'other' }));
    expect([updated.status, updated.headers.get('location')]).toEqual([200, null]);
    expect(updated.json).toEqual({ name: 'src', config: { ...cfg({ topic: 'other' }), name: 'src' }, tasks: [{ connector: 'src', task: 0 }], type: 'source' });
    expect((await w.call('GET', '/connectors/src/tasks')).json).toEqual([{ id: { connector: 'src', task: 0 }, config: { ...cfg({ topic: 'other' }), name: 'src' } }]);
    await waitForState(w, 'src', 'RUNNING', 'RUNNING', 1);
  });

  it('PATCH config merges, null deletes a key; an invalid result is 400 and changes nothing', async () => {
    const { w, cfg } = await setup();
    await w.call('POST', '/connectors', { name: 'src', config: cfg({ 'batch.size': '10' }) });
    const patched = await w.call('PATCH', '/connectors/src/config', { 'batch.size': null, topic: 'patched' });
    expect(patched.status).toBe(200);
    expect(patched.json).toEqual({ name: 'src', config: { ...cfg({ topic: 'patched' }), name: 'src' }, tasks: [{ connector: 'src', task: 0 }], type: 'source' });
    expect((await w.call('GET', '/connectors/src/config')).json).toEqual({ ...cfg({ topic: 'patched' }), name: 'src' });
    expect((await w.call('GET', '/connectors/src/tasks')).json[0].config).toEqual({ ...cfg({ topic: 'patched' }), name: 'src' });
    expectError(
      await w.call('PATCH', '/connectors/src/config', { topic: null }),
      400,
      'Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration "topic" which has no default value.' + INVALID_TAIL,
    );
    expect((await w.call('GET', '/connectors/src/config')).json.topic).toBe('patched');
    expectError(await w.call('PATCH', '/connectors/src/config', { topic: ['x'] }), 400, "Connector configuration patch value for 'topic' must be a string or null");
  });

  it('DELETE: 204, then the connector, its status and tasks are gone, and the name can be reused', async () => {
    const { w, cfg } = await setup();
    await w.call('POST', '/connectors', { name: 'src', config: cfg() });
    await waitForState(w, 'src', 'RUNNING', 'RUNNING', 1);
    expectEmpty(await w.call('DELETE', '/connectors/src'), 204);
    expect((await w.call('GET', '/connectors')).json).toEqual([]);
    expectError(await w.call('GET', '/connectors/src'), 404, 'Connector src not found');
    expectError(await w.call('GET', '/connectors/src/status'), 404, 'No status found for connector src');
    expectError(await w.call('GET', '/connectors/src/tasks'), 404, 'Connector src not found');
    expectError(await w.call('DELETE', '/connectors/src'), 404, 'Connector src not found');
    const again = await w.call('POST', '/connectors', { name: 'src', config: cfg({ topic: 'again' }) });
    expect([again.status, again.json.config.topic]).toEqual([201, 'again']);
  });
});

describe('secrets', () => {
  it('PASSWORD settings read [hidden] in every answer, while the connector keeps the real value', async () => {
    const { w } = await setup();
    const config = { 'connector.class': 'SecretSource', 'db.password': 'hunter2', 'tasks.max': '2' };
    const masked = { ...config, 'db.password': '[hidden]', name: 'db' };
    const answers = [await w.call('POST', '/connectors', { name: 'db', config })];
    expect(answers[0]!.json).toEqual({ name: 'db', config: masked, tasks: [], type: 'source' });
    await waitForState(w, 'db', 'RUNNING', 'RUNNING', 2);
    const tasks = [0, 1].map((task) => ({ id: { connector: 'db', task }, config: masked }));
    const info = { name: 'db', config: masked, tasks: [{ connector: 'db', task: 0 }, { connector: 'db', task: 1 }], type: 'source' };
    const reads: Array<[string, unknown]> = [
      ['/connectors/db', info],
      ['/connectors/db/config', masked],
      ['/connectors/db/tasks', tasks],
      ['/connectors/db/tasks-config', { 'db-0': masked, 'db-1': masked }],
      ['/connectors?expand=info', { db: { info } }],
    ];
    for (const [path, body] of reads) {
      const a = await w.call('GET', path);
      answers.push(a);
      expect(a.json).toEqual(body);
    }
    // A PATCH merges into the stored config, not the masked view: the connector restarts with the secret.
    const patched = await w.call('PATCH', '/connectors/db/config', { 'db.user': 'app' });
    answers.push(patched);
    expect(patched.json.config).toEqual({ ...masked, 'db.user': 'app' });
    await waitForState(w, 'db', 'RUNNING', 'RUNNING', 2);
    const put = await w.call('PUT', '/connectors/db/config', { ...config, 'db.user': 'app2' });
    answers.push(put);
    expect(put.json.config).toEqual({ ...masked, 'db.user': 'app2' });
    const validated = await w.call('PUT', `/connector-plugins/${SECRET_SOURCE_CLASS}/config/validate`, { ...config, name: 'v' });
    answers.push(validated);
    expect(validated.json.error_count).toBe(0);
    expect(validated.json.configs.find((c: any) => c.definition.name === 'db.password')).toEqual({
      definition: {
        name: 'db.password', type: 'PASSWORD', required: true, default_value: null, importance: 'HIGH', documentation: 'Database password.',
        group: null, order: -1, width: 'NONE', display_name: 'db.password', dependents: [],
      },
      value: { name: 'db.password', value: '[hidden]', recommended_values: [], errors: [], visible: true },
    });
    for (const a of answers) expect(a.text).not.toContain('hunter2');
    // The masked value itself would fail the connector; it runs, so it was given the secret.
    await waitForState(w, 'db', 'RUNNING', 'RUNNING', 2);
  });
});
