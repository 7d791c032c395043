/**
 * What the REST server does around the herder, through HTTP against a real standalone worker: the
 * error entity for requests no route can serve (malformed JSON, unknown paths, wrong methods,
 * oversized or non-JSON bodies), concurrency while a connector's `validate()` is slow, and the
 * request timeout. A test connector whose validation waits at a gate the test opens stands in for
 * a slow external system.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectError, pollJson, useRestWorkers, waitForState } from '../support/rest-harness.js';
import { buggySourcePlugin, Gate, gatedSourcePlugin } from '../support/test-connectors.js';

const workers = useRestWorkers();

describe('requests no route serves', () => {
  it('malformed JSON is 400 naming the problem; nothing is created', async () => {
    const w = await workers.start();
    expectError(await w.call('POST', '/connectors', '{"name": "x", '), 400, /^Malformed JSON in request body: .+/);
    expectError(await w.call('PUT', '/connectors/x/config', '{"topic": }'), 400, /^Malformed JSON in request body: .+/);
    expectError(await w.call('POST', '/connectors', '{"name":"x","__proto__":{}}'), 400, 'Malformed JSON in request body: "__proto__" is not allowed as a key');
    expect((await w.call('GET', '/connectors')).json).toEqual([]);
  });

  it('an unknown route is 404 "HTTP 404 Not Found"', async () => {
    const w = await workers.start();
    for (const path of ['/no/such/route', '/connectors/a/b/c/d', '/connector-plugins/x/y', '/admin']) {
      expectError(await w.call('GET', path), 404, 'HTTP 404 Not Found');
    }
  });

  it('a known path asked with another method is 405 with Allow', async () => {
    const w = await workers.start();
    const cases: Array<[string, string, string]> = [
      ['DELETE', '/connector-plugins', 'GET, HEAD'],
      ['PUT', '/connectors', 'GET, HEAD, POST'],
      ['POST', '/connectors/x/status', 'GET, HEAD'],
      ['GET', '/connectors/x/pause', 'PUT'],
      ['DELETE', '/connectors/x/config', 'GET, HEAD, PATCH, PUT'],
      ['GET', '/connectors/x/restart', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const a = await w.call(method, path);
      expectError(a, 405, 'HTTP 405 Method Not Allowed');
      expect(a.headers.get('allow')).toBe(allow);
    }
  });

  it('a body over the limit is 413; a body that is not JSON is 415', async () => {
    const w = await workers.start({ bodyLimit: 64 * 1024 });
    const big = { name: 'big', config: { 'connector.class': 'FileStreamSource', topic: 't', pad: 'x'.repeat(70 * 1024) } };
    expectError(await w.call('POST', '/connectors', big), 413, 'Request body is too large');
    expectError(await w.call('POST', '/connectors', 'name=x', { 'content-type': 'text/plain' }), 415, 'Unsupported Media Type');
    expect((await w.call('GET', '/connectors')).json).toEqual([]);
  });

  it('an unexpected error (a plugin with a bug) is 500 with its message', async () => {
    const w = await workers.start({ plugins: [buggySourcePlugin] });
    expectError(await w.call('GET', '/connector-plugins/BuggySource/config'), 500, 'BuggySource: config() is broken');
    expect((await w.call('GET', '/health')).status).toBe(200);
  });

  it('the default limit (1 MiB) applies without a configured one', async () => {
    const w = await workers.start();
    const big = { name: 'big', config: { 'connector.class': 'FileStreamSource', topic: 't', pad: 'x'.repeat(1024 * 1024) } };
    expectError(await w.call('POST', '/connectors', big), 413, 'Request body is too large');
  });
});

describe('slow validation', () => {
  it('a POST stuck in validate() does not hold up reads, other creates or lifecycle calls', async () => {
    const gate = new Gate();
    const w = await workers.start({ plugins: [gatedSourcePlugin(gate)] });
    const file = join(await workers.tempDir(), 'in.txt');
    await writeFile(file, '');
    const stuck = w.call('POST', '/connectors', { name: 'slow', config: { 'connector.class': 'GatedSource', topic: 't' } });
    await gate.reached();

    expect((await w.call('GET', '/connectors')).json).toEqual([]);
    const other = await w.call('POST', '/connectors', { name: 'fast', config: { 'connector.class': 'FileStreamSource', file, topic: 't' } });
    expect(other.status).toBe(201);
    await waitForState(w, 'fast', 'RUNNING', 'RUNNING', 1);
    expect((await w.call('PUT', '/connectors/fast/pause')).status).toBe(202);
    await waitForState(w, 'fast', 'PAUSED', 'PAUSED', 1);
    expect((await w.call('GET', '/connectors')).json).toEqual(['fast']);
    expect((await w.call('GET', '/health')).status).toBe(200);

    gate.open();
    const created = await stuck;
    expect([created.status, created.json]).toEqual([
      201,
      { name: 'slow', config: { 'connector.class': 'GatedSource', topic: 't', name: 'slow' }, tasks: [], type: 'source' },
    ]);
    expect((await w.call('GET', '/connectors')).json).toEqual(['fast', 'slow']);
  });

  it('a call over the request timeout is 500 "Request timed out"; the operation goes on, as in Kafka Connect', async () => {
    const gate = new Gate();
    const w = await workers.start({ plugins: [gatedSourcePlugin(gate)], requestTimeoutMs: 200 });
    const config = { 'connector.class': 'GatedSource', topic: 't' };
    expectError(await w.call('POST', '/connectors', { name: 'late', config }), 500, 'Request timed out');
    expectError(await w.call('PUT', '/connector-plugins/GatedSource/config/validate', { ...config, name: 'v' }), 500, 'Request timed out');
    expect(gate.entered).toBe(2);
    expect((await w.call('GET', '/connectors')).json).toEqual([]);
    gate.open();
    expect(await pollJson(w, '/connectors', (names) => names.length > 0)).toEqual(['late']);
    await waitForState(w, 'late', 'RUNNING', 'RUNNING', 1);
    // Calls that finish in time are unaffected.
    const validated = await w.call('PUT', '/connector-plugins/GatedSource/config/validate', { ...config, name: 'v' });
    expect([validated.status, validated.json.error_count]).toEqual([200, 0]);
  });
});
