/**
 * Connector lifecycle through HTTP against a real standalone worker: pause, resume, stop, restart
 * (connector, connector and tasks, one FAILED task), active topics, and a worker restart on the same
 * data dir. Data flows through real FileStream connectors: lines written to a source file arrive in
 * a sink's output file. States are polled with bounded loops; nothing asserts on timing.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectEmpty, expectError, expectFile, useRestWorkers, waitForState, type RestWorker } from '../support/rest-harness.js';

const workers = useRestWorkers();

interface Pipeline {
  w: RestWorker;
  dir: string;
  input: string;
  output: string;
  source: Record<string, string>;
  sink: Record<string, string>;
}

/** A worker with `src` (input.txt → topic `lines`) and `sink` (`lines` → output.txt), both RUNNING. */
async function pipeline(): Promise<Pipeline> {
  const w = await workers.start();
  const dir = await workers.tempDir();
  const input = join(dir, 'input.txt');
  const output = join(dir, 'output.txt');
  await writeFile(input, '');
  const source = { 'connector.class': 'FileStreamSource', file: input, topic: 'lines' };
  const sink = { 'connector.class': 'FileStreamSink', file: output, topics: 'lines' };
  expect((await w.call('POST', '/connectors', { name: 'src', config: source })).status).toBe(201);
  expect((await w.call('POST', '/connectors', { name: 'sink', config: sink })).status).toBe(201);
  await waitForState(w, 'src', 'RUNNING', 'RUNNING', 1);
  await waitForState(w, 'sink', 'RUNNING', 'RUNNING', 1);
  return { w, dir, input, output, source, sink };
}

describe('pause, resume, stop', () => {
  it('pause → 202 and PAUSED; lines written meanwhile arrive after resume → 202 and RUNNING', async () => {
    const { w, input, output, source } = await pipeline();
    await appendFile(input, 'one\n');
    await expectFile(output, 'one\n');
    expectEmpty(await w.call('PUT', '/connectors/src/pause'), 202);
    const worker_id = w.workerId;
    expect(await waitForState(w, 'src', 'PAUSED', 'PAUSED', 1)).toEqual({
      name: 'src', connector: { state: 'PAUSED', worker_id }, tasks: [{ id: 0, state: 'PAUSED', worker_id }], type: 'source',
    });
    // Pausing keeps the task configs; a reconfigured paused connector stays PAUSED.
    expect((await w.call('GET', '/connectors/src')).json.tasks).toEqual([{ connector: 'src', task: 0 }]);
    const reconfigured = { ...source, 'batch.size': '7' };
    expect((await w.call('PUT', '/connectors/src/config', reconfigured)).status).toBe(200);
    await waitForState(w, 'src', 'PAUSED', 'PAUSED', 1);
    await appendFile(input, 'two\n');
    // A JSON content type with an empty body is accepted, as Kafka Connect accepts it.
    expectEmpty(await w.call('PUT', '/connectors/src/resume', '', { 'content-type': 'application/json' }), 202);
    await waitForState(w, 'src', 'RUNNING', 'RUNNING', 1);
    await expectFile(output, 'one\ntwo\n');
    expect((await w.call('GET', '/connectors/src/tasks')).json).toEqual([{ id: { connector: 'src', task: 0 }, config: { ...reconfigured, name: 'src' } }]);
  });

  it('stop → 204: STOPPED with no tasks anywhere; resume regenerates the task and data flows again', async () => {
    const { w, input, output } = await pipeline();
    expectEmpty(await w.call('PUT', '/connectors/src/stop'), 204);
    const worker_id = w.workerId;
    expect((await w.call('GET', '/connectors/src/status')).json).toEqual({ name: 'src', connector: { state: 'STOPPED', worker_id }, tasks: [], type: 'source' });
    expect((await w.call('GET', '/connectors/src/tasks')).json).toEqual([]);
    expect((await w.call('GET', '/connectors/src')).json.tasks).toEqual([]);
    expectError(await w.call('GET', '/connectors/src/tasks/0/status'), 404, 'No status found for task src-0');
    await appendFile(input, 'while stopped\n');
    expectEmpty(await w.call('PUT', '/connectors/src/resume'), 202);
    await waitForState(w, 'src', 'RUNNING', 'RUNNING', 1);
    expect((await w.call('GET', '/connectors/src')).json.tasks).toEqual([{ connector: 'src', task: 0 }]);
    await expectFile(output, 'while stopped\n');
  });
});

describe('restart', () => {
  it('connector only: 204 and no body; with includeTasks: 202 and the plan with RESTARTING; then RUNNING', async () => {
    const { w } = await pipeline();
    const worker_id = w.workerId;
    expectEmpty(await w.call('POST', '/connectors/src/restart'), 204);
    await waitForState(w, 'src', 'RUNNING', 'RUNNING', 1);
    const all = await w.call('POST', '/connectors/src/restart?includeTasks=true&onlyFailed=false');
    expect([all.status, all.json]).toEqual([
      202,
      { name: 'src', connector: { state: 'RESTARTING', worker_id }, tasks: [{ id: 0, state: 'RESTARTING', worker_id }], type: 'source' },
    ]);
    await waitForState(w, 'src', 'RUNNING', 'RUNNING', 1);
    // Nothing has failed: onlyFailed restarts nothing and answers the current states.
    const none = await w.call('POST', '/connectors/src/restart?includeTasks=true&onlyFailed=true');
    expect([none.status, none.json]).toEqual([
      202,
      { name: 'src', connector: { state: 'RUNNING', worker_id }, tasks: [{ id: 0, state: 'RUNNING', worker_id }], type: 'source' },
    ]);
    const connectorOnly = await w.call('POST', '/connectors/src/restart?onlyFailed=true');
    expect([connectorOnly.status, connectorOnly.json.connector.state, connectorOnly.json.tasks[0].state]).toEqual([202, 'RUNNING', 'RUNNING']);
  });

  it('a task that really fails is FAILED with a trace; once its cause is fixed, restarting it makes it RUNNING', async () => {
    const { w, dir, input } = await pipeline();
    const output = join(dir, 'missing-dir', 'out.txt');
    expect((await w.call('POST', '/connectors', { name: 'broken', config: { 'connector.class': 'FileStreamSink', file: output, topics: 'lines' } })).status).toBe(201);
    const failed = await waitForState(w, 'broken', 'RUNNING', 'FAILED', 1);
    const trace = failed.tasks[0].trace as string;
    expect(trace).toMatch(/^ConnectError: FileStreamSink cannot open .*out\.txt for appending: directory .*missing-dir does not exist\n/);
    const worker_id = w.workerId;
    expect((await w.call('GET', '/connectors/broken/tasks/0/status')).json).toEqual({ id: 0, state: 'FAILED', worker_id, trace });

    // onlyFailed picks the failed task, not the running connector; the task fails again (nothing fixed yet).
    const plan = await w.call('POST', '/connectors/broken/restart?includeTasks=true&onlyFailed=true');
    expect([plan.status, plan.json]).toEqual([
      202,
      { name: 'broken', connector: { state: 'RUNNING', worker_id }, tasks: [{ id: 0, state: 'RESTARTING', worker_id, trace }], type: 'sink' },
    ]);
    await waitForState(w, 'broken', 'RUNNING', 'FAILED', 1);

    await mkdir(join(dir, 'missing-dir'));
    expectEmpty(await w.call('POST', '/connectors/broken/tasks/0/restart'), 204);
    expect(await waitForState(w, 'broken', 'RUNNING', 'RUNNING', 1)).toEqual({
      name: 'broken', connector: { state: 'RUNNING', worker_id }, tasks: [{ id: 0, state: 'RUNNING', worker_id }], type: 'sink',
    });
    await appendFile(input, 'delivered\n');
    await expectFile(output, 'delivered\n');
    expectError(await w.call('POST', '/connectors/broken/tasks/1/restart'), 404, 'Task broken-1 not found');
    expectError(await w.call('POST', '/connectors/broken/tasks/x/restart'), 404, 'HTTP 404 Not Found');
  });
});

describe('active topics', () => {
  it('lists the topics each connector used; reset → 202 empties the list; any name answers 200', async () => {
    const { w, input, output } = await pipeline();
    await appendFile(input, 'x\n');
    await expectFile(output, 'x\n');
    expect((await w.call('GET', '/connectors/src/topics')).json).toEqual({ src: { topics: ['lines'] } });
    const sink = await w.call('GET', '/connectors/sink/topics');
    expect([sink.status, sink.json]).toEqual([200, { sink: { topics: ['lines'] } }]);
    expectEmpty(await w.call('PUT', '/connectors/src/topics/reset'), 202);
    expect((await w.call('GET', '/connectors/src/topics')).json).toEqual({ src: { topics: [] } });
    expect((await w.call('GET', '/connectors/sink/topics')).json).toEqual({ sink: { topics: ['lines'] } });
    // Kafka Connect answers from the status topic without looking the connector up.
    expect((await w.call('GET', '/connectors/foo/topics')).json).toEqual({ foo: { topics: [] } });
    expectEmpty(await w.call('PUT', '/connectors/foo/topics/reset'), 202);
  });
});

describe('worker restart', () => {
  it('a gracefully stopped worker comes back with every config, target state, task config and offset', async () => {
    const { w, dir, input, output, source, sink } = await pipeline();
    const pausedInput = join(dir, 'paused.txt');
    await writeFile(pausedInput, '');
    const paused = { 'connector.class': 'FileStreamSource', file: pausedInput, topic: 'paused' };
    const stopped = { 'connector.class': 'FileStreamSink', file: join(dir, 'stopped.txt'), topics: 'lines', 'tasks.max': '2' };
    expect((await w.call('POST', '/connectors', { name: 'paused', config: paused })).status).toBe(201);
    expect((await w.call('POST', '/connectors', { name: 'stopped', config: stopped })).status).toBe(201);
    await appendFile(input, 'one\ntwo\n');
    await expectFile(output, 'one\ntwo\n');
    await expectFile(join(dir, 'stopped.txt'), 'one\ntwo\n');
    expectEmpty(await w.call('PUT', '/connectors/paused/pause'), 202);
    expectEmpty(await w.call('PUT', '/connectors/stopped/stop'), 204);
    const stoppedOffsets = { offsets: [{ partition: { kafka_topic: 'lines', kafka_partition: 0 }, offset: { kafka_offset: 1 } }] };
    expect((await w.call('PATCH', '/connectors/stopped/offsets', stoppedOffsets)).status).toBe(200);
    await waitForState(w, 'paused', 'PAUSED', 'PAUSED', 1);

    const snapshot = async (x: RestWorker) => {
      const out: Record<string, unknown> = { list: (await x.call('GET', '/connectors?expand=info')).json };
      for (const name of ['src', 'sink', 'paused', 'stopped']) {
        out[`${name}/tasks`] = (await x.call('GET', `/connectors/${name}/tasks`)).json;
        out[`${name}/offsets`] = (await x.call('GET', `/connectors/${name}/offsets`)).json;
      }
      return out;
    };
    const before = await snapshot(w);
    expect(before['src/offsets']).toEqual({ offsets: [{ partition: { filename: input }, offset: { position: 8, inode: expect.any(String) } }] });
    expect(before['sink/offsets']).toEqual({ offsets: [{ partition: { kafka_topic: 'lines', kafka_partition: 0 }, offset: { kafka_offset: 2 } }] });
    expect(before['stopped/offsets']).toEqual(stoppedOffsets);
    expect(before['stopped/tasks']).toEqual([]);
    expect(before['paused/tasks']).toEqual([{ id: { connector: 'paused', task: 0 }, config: { ...paused, name: 'paused' } }]);

    await w.stop();
    const again = await workers.start({ dataDir: w.dataDir });
    expect(again.workerId).not.toBe(w.workerId);
    const worker_id = again.workerId;
    expect(await waitForState(again, 'src', 'RUNNING', 'RUNNING', 1)).toMatchObject({ connector: { worker_id }, tasks: [{ worker_id }] });
    await waitForState(again, 'sink', 'RUNNING', 'RUNNING', 1);
    expect(await waitForState(again, 'paused', 'PAUSED', 'PAUSED', 1)).toEqual({
      name: 'paused', connector: { state: 'PAUSED', worker_id }, tasks: [{ id: 0, state: 'PAUSED', worker_id }], type: 'source',
    });
    expect((await again.call('GET', '/connectors/stopped/status')).json).toEqual({ name: 'stopped', connector: { state: 'STOPPED', worker_id }, tasks: [], type: 'sink' });
    expect(await snapshot(again)).toEqual(before);
    expect((await again.call('GET', '/connectors/src/config')).json).toEqual({ ...source, name: 'src' });
    expect((await again.call('GET', '/connectors/sink/config')).json).toEqual({ ...sink, name: 'sink' });

    // Both ends resume where they left off: only the new line is delivered.
    await appendFile(input, 'three\n');
    await expectFile(output, 'one\ntwo\nthree\n');
    // The stopped sink resumes from the offset set while it was stopped.
    expectEmpty(await again.call('PUT', '/connectors/stopped/resume'), 202);
    await waitForState(again, 'stopped', 'RUNNING', 'RUNNING', 2);
    await expectFile(join(dir, 'stopped.txt'), 'one\ntwo\ntwo\nthree\n');
  });
});
