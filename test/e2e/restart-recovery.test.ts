/**
 * End to end, through the built CLI: connectors created through the REST API survive a graceful
 * restart of the worker started WITHOUT connector files — same names, configs, task configs,
 * offsets, and target states (RUNNING, PAUSED, STOPPED). Connector files equal to the stored
 * configs, given on a later start, change nothing and restart nothing (idempotent re-apply); a file
 * that differs does replace the config (the control that shows a restart would be seen).
 */
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linesBuffer } from '../support/line-data.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useWorkers, waitFor, writeConnectorFile, writeWorkerProperties, type WorkerProcess } from '../support/worker-process.js';

const newDir = useTempDirs('tributary-e2e-recovery-');
const workers = useWorkers();

const NAMES = ['paused-sink', 'running-src', 'stopped-src'] as const;
type Name = (typeof NAMES)[number];
const EXPECTED_STATE: Record<Name, { connector: string; tasks: string[] }> = {
  'running-src': { connector: 'RUNNING', tasks: ['RUNNING'] },
  'paused-sink': { connector: 'PAUSED', tasks: ['PAUSED'] },
  'stopped-src': { connector: 'STOPPED', tasks: [] },
};

interface Snapshot {
  connectors: string[];
  perConnector: Record<string, { config: unknown; tasks: unknown; offsets: unknown; state: { connector: string; tasks: string[] }; info: unknown }>;
}

async function snapshot(w: WorkerProcess): Promise<Snapshot> {
  const connectors = ((await w.get('/connectors')) as string[]).slice().sort();
  const perConnector: Snapshot['perConnector'] = {};
  for (const c of connectors) {
    const status = await w.get(`/connectors/${c}/status`);
    perConnector[c] = {
      config: await w.get(`/connectors/${c}/config`),
      info: await w.get(`/connectors/${c}`),
      tasks: await w.get(`/connectors/${c}/tasks`),
      offsets: await w.get(`/connectors/${c}/offsets`),
      state: { connector: status.connector.state, tasks: (status.tasks as { id: number; state: string }[]).sort((x, y) => x.id - y.id).map((t) => t.state) },
    };
  }
  return { connectors, perConnector };
}

/** Waits until every connector reports its expected connector and task states. */
async function statesSettled(w: WorkerProcess): Promise<void> {
  await waitFor(
    'the connectors to report RUNNING / PAUSED / STOPPED',
    async () => {
      for (const name of NAMES) {
        const a = await w.request('GET', `/connectors/${name}/status`);
        if (a.status !== 200) return false;
        const tasks = (a.json.tasks as { id: number; state: string }[]).sort((x, y) => x.id - y.id).map((t) => t.state);
        if (a.json.connector.state !== EXPECTED_STATE[name].connector || JSON.stringify(tasks) !== JSON.stringify(EXPECTED_STATE[name].tasks)) return false;
      }
      return true;
    },
    { worker: w },
  );
}

async function stopOk(w: WorkerProcess): Promise<void> {
  const exit = await w.stop();
  expect(exit.code, exit.stderr).toBe(0);
  expect(exit.stderr).toBe('');
}

/** How often each connector and task instance was started in this process, from its log. */
function starts(w: WorkerProcess): Record<string, number> {
  const count: Record<string, number> = {};
  for (const l of w.logLines()) {
    const msg = String(l.msg);
    if (/^Starting file (source|sink) connector/.test(msg) || /^Reading .* from byte \d+$/.test(msg) || /^Appending records to /.test(msg)) {
      count[String(l.name)] = (count[String(l.name)] ?? 0) + 1;
    }
  }
  return count;
}

describe('restart recovery of connectors created through REST', () => {
  it('keeps configs, task configs, offsets and RUNNING/PAUSED/STOPPED across restarts; equal connector files change nothing', { timeout: 120_000 }, async () => {
    const dir = await newDir();
    const dataDir = join(dir, 'data');
    const inA = join(dir, 'a.txt');
    const inB = join(dir, 'b.txt');
    const outPath = join(dir, 'out.txt');
    const a = linesBuffer(0, 2000, 'a');
    const b = linesBuffer(0, 1000, 'b');
    await writeFile(inA, a);
    await writeFile(inB, b);
    const workerFile = await writeWorkerProperties(dir, dataDir, { 'offset.flush.interval.ms': '200' });
    const configs: Record<Name, Record<string, string>> = {
      'running-src': { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: inA, topic: 'topic-a', 'batch.size': '100' },
      'paused-sink': { 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: outPath, topics: 'topic-a' },
      'stopped-src': { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector', 'tasks.max': '1', file: inB, topic: 'topic-b' },
    };
    const position = async (w: WorkerProcess, name: Name): Promise<number | undefined> => (await w.get(`/connectors/${name}/offsets`)).offsets[0]?.offset?.position;
    const sinkOffset = async (w: WorkerProcess): Promise<number | undefined> => (await w.get('/connectors/paused-sink/offsets')).offsets[0]?.offset?.kafka_offset;

    // Run 1: no connector files; everything through REST.
    const w1 = await workers.start([workerFile]);
    expect(await w1.get('/connectors')).toEqual([]);
    for (const name of ['running-src', 'paused-sink', 'stopped-src'] as const) {
      const created = await w1.request('POST', '/connectors', { name, config: configs[name] });
      expect(created.status, created.text).toBe(201);
    }
    await waitFor('every line to be copied and every offset committed', async () =>
      (await position(w1, 'running-src')) === a.length && (await position(w1, 'stopped-src')) === b.length && (await sinkOffset(w1)) === 2000, { worker: w1 });
    expect((await readFile(outPath)).equals(a)).toBe(true);
    const paused = await w1.request('PUT', '/connectors/paused-sink/pause');
    expect(paused.status, paused.text).toBe(202);
    const stopped = await w1.request('PUT', '/connectors/stopped-src/stop');
    expect(stopped.status, stopped.text).toBe(204);
    await statesSettled(w1);
    const before = await snapshot(w1);
    expect(before.connectors).toEqual([...NAMES]);
    for (const name of NAMES) {
      expect(before.perConnector[name]!.config).toEqual({ ...configs[name], name });
      expect(before.perConnector[name]!.state).toEqual(EXPECTED_STATE[name]);
    }
    expect(before.perConnector['stopped-src']!.tasks).toEqual([]);
    expect(before.perConnector['running-src']!.tasks).toEqual([{ id: { connector: 'running-src', task: 0 }, config: expect.objectContaining({ file: inA, topic: 'topic-a' }) }]);
    await stopOk(w1);

    // Run 2: the worker file only. Everything comes back from the data directory.
    const w2 = await workers.start([workerFile]);
    await statesSettled(w2);
    expect(await snapshot(w2)).toEqual(before);
    await stopOk(w2);

    // Run 3: connector files equal to the stored configs are applied without restarting anything.
    const files = await Promise.all(NAMES.map((name) => writeConnectorFile(dir, name, configs[name])));
    const w3 = await workers.start([workerFile, ...files]);
    await statesSettled(w3);
    expect(await snapshot(w3)).toEqual(before);
    expect(starts(w3)).toEqual({
      'tributary.connector.running-src': 1,
      'tributary.task.running-src-0': 1,
      'tributary.task.paused-sink-0': 1,
    });

    // PAUSED is a real pause, not only a label: new lines reach the topic (the source commits them)
    // but not the output until the sink is resumed.
    const more = linesBuffer(2000, 2500, 'a');
    await appendFile(inA, more);
    await waitFor('the running source to commit the appended lines', async () => (await position(w3, 'running-src')) === a.length + more.length, { worker: w3 });
    expect((await stat(outPath)).size, 'the paused sink wrote nothing').toBe(a.length);
    const resumed = await w3.request('PUT', '/connectors/paused-sink/resume');
    expect(resumed.status, resumed.text).toBe(202);
    await waitFor('the resumed sink to write the appended lines', async () => (await stat(outPath)).size === a.length + more.length, { worker: w3 });
    expect((await readFile(outPath)).equals(Buffer.concat([a, more]))).toBe(true);
    await stopOk(w3);

    // Run 4 (control): a file that differs from the stored config replaces it, restarting the connector.
    const changedFile = await writeConnectorFile(dir, 'running-src', { ...configs['running-src'], 'batch.size': '50' });
    const w4 = await workers.start([workerFile, changedFile]);
    expect((await w4.get('/connectors/running-src/config'))['batch.size']).toBe('50');
    expect(starts(w4)['tributary.connector.running-src']).toBe(2);
    expect((await w4.get('/connectors/stopped-src/status')).connector.state).toBe('STOPPED');
    await stopOk(w4);
  });
});
