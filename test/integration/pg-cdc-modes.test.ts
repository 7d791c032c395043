/**
 * Snapshot modes and slot life cycle as the connector's README states them: initial_only reads and
 * never makes a slot; the snapshot's progress shows in the task status; a slot gone while offsets
 * exist fails the task (initial) or takes a new snapshot (when_needed); always snapshots at every
 * start; slot.drop.on.stop drops the slot on stop; tables created later are streamed.
 */
import { describe, expect, test } from 'vitest';
import type { ConnectorStateInfo } from '../../src/runtime/herder/herder.js';
import { waitFor } from '../kit/checks.js';
import { useWorkerHarnesses, type RunningWorker, type WorkerHarness } from '../kit/worker-harness.js';
import { cdcConfig, readChanges, waitForStreaming, type ChangeEvent } from '../support/cdc.js';
import { useTestPostgres } from '../support/postgres.js';
import { useTempDirs } from '../support/temp-dir.js';

const pg = useTestPostgres();
const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

async function table(name: string, rows: number): Promise<void> {
  await pg.exec(`CREATE TABLE ${name} (id int PRIMARY KEY, v text)`, `INSERT INTO ${name} SELECT g, 'v' || g FROM generate_series(1, ${rows}) g`);
}

async function slotExists(slot: string): Promise<boolean> {
  return (await pg.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [slot])).length > 0;
}

async function ops(w: RunningWorker, topic: string, count: number): Promise<ChangeEvent[]> {
  return waitFor(`${count} records in ${topic}`, async () => {
    const e = await readChanges(w, topic);
    return e.length >= count ? e : undefined;
  });
}

/** Waits for connector `name` to send a heartbeat past offset `from` of its heartbeat topic: only a streaming task sends them. */
async function heartbeatPast(w: RunningWorker, name: string, from: number): Promise<void> {
  await waitFor(`${name} to stream (a heartbeat past offset ${from})`, async () => (await w.endOffsets(`__debezium-heartbeat.${name}`))[0]! > from);
}

async function start(h: WorkerHarness, name: string, tbl: string, extra: Record<string, string> = {}): Promise<RunningWorker> {
  const w = await h.start();
  await w.herder.putConnectorConfig(name, cdcConfig(pg, name, { 'table.include.list': `public.${tbl}`, ...extra }), { allowReplace: true });
  return w;
}

describe('snapshot modes and the slot', () => {
  test('initial_only: every row read, the progress reported complete, no slot made', async () => {
    await table('only_t', 25);
    const h = harnesses(await tempDir());
    const w = await start(h, 'onlysnap', 'only_t', { 'snapshot.mode': 'initial_only', 'snapshot.chunk.size': '10' });
    const reads = await ops(w, 'onlysnap.public.only_t', 25);
    expect(reads.map((e) => e.value.op)).toEqual(Array(25).fill('r'));
    const status = await waitFor('the snapshot reported complete', async () => {
      const s: ConnectorStateInfo = await w.herder.connectorStatus('onlysnap');
      return (s.tasks[0]?.progress as { snapshot?: { completed: boolean } } | undefined)?.snapshot?.completed ? s : undefined;
    });
    expect(status.tasks[0]!.progress).toEqual({ snapshot: { completed: true, tables_total: 1, tables_done: 1, rows_done: 25, rows_estimated: expect.any(Number), reading: [] } });
    expect(await slotExists('slot_onlysnap'), 'initial_only makes no replication slot').toBe(false);
    await w.stop();
  });

  test('a slot gone while offsets exist: FAILED naming the fix (initial); a new snapshot, then streaming (when_needed)', async () => {
    await table('gone_t', 5);
    const h = harnesses(await tempDir());
    let w = await start(h, 'gone', 'gone_t');
    await ops(w, 'gone.public.gone_t', 5);
    await waitForStreaming(w, 'gone');
    await w.stop();
    await pg.query(`SELECT pg_drop_replication_slot('slot_gone')`);

    w = await h.start();
    const failed = await waitFor('the task to fail', async () => {
      const t = (await w.herder.connectorStatus('gone')).tasks[0];
      return t?.state === 'FAILED' ? t : undefined;
    });
    expect(failed.trace).toMatch(/replication slot slot_gone does not exist, but the connector has offsets/);
    expect(failed.trace).toMatch(/snapshot\.mode=when_needed/);

    await w.herder.putConnectorConfig('gone', cdcConfig(pg, 'gone', { 'table.include.list': 'public.gone_t', 'snapshot.mode': 'when_needed' }), { allowReplace: true });
    await w.herder.restartConnector('gone', { includeTasks: true, onlyFailed: false });
    await waitFor('a new snapshot', async () => (await readChanges(w, 'gone.public.gone_t')).filter((x) => x.value?.op === 'r').length >= 10);
    // The first run's heartbeats are still in the log, so waitForStreaming alone would not wait: a
    // heartbeat past those the log held once the snapshot was in is one sent by the new stream.
    await waitForStreaming(w, 'gone');
    await heartbeatPast(w, 'gone', (await w.endOffsets('__debezium-heartbeat.gone'))[0]!);
    await pg.exec(`INSERT INTO gone_t VALUES (6, 'v6')`);
    const all = await waitFor('the insert streamed', async () => {
      const e = await readChanges(w, 'gone.public.gone_t');
      return e.some((x) => x.value?.op === 'c' && x.key.id === 6) ? e : undefined;
    });
    expect(all.filter((e) => e.value?.op === 'r' && e.key.id <= 5).length, 'rows 1-5 read by both snapshots').toBe(10);
    expect(all.filter((e) => e.value?.op === 'r').length, 'row 6 not read by a snapshot').toBe(10);
    expect(all.filter((e) => e.value?.op !== 'r')).toMatchObject([{ key: { id: 6 }, value: { op: 'c', after: { id: 6, v: 'v6' } } }]);
    expect(await slotExists('slot_gone')).toBe(true);
    await w.stop();
  });

  test('always: a snapshot at every start, streaming after each', async () => {
    await table('always_t', 4);
    const h = harnesses(await tempDir());
    let w = await start(h, 'always', 'always_t', { 'snapshot.mode': 'always' });
    await ops(w, 'always.public.always_t', 4);
    await waitForStreaming(w, 'always');
    await w.stop();
    w = await h.start();
    await pg.exec(`INSERT INTO always_t VALUES (5, 'v5')`);
    const e = await waitFor('the second snapshot and the insert', async () => {
      const x = await readChanges(w, 'always.public.always_t');
      return x.some((r) => r.value?.op === 'c' && r.key.id === 5) && x.filter((r) => r.value?.op === 'r').length >= 8 ? x : undefined;
    });
    expect(e.filter((r) => r.value?.op === 'r' && r.key.id <= 4).length, 'rows 1-4 read at each of the two starts').toBe(8);
    await w.stop();
  });

  test('slot.drop.on.stop drops the slot when the task stops; a table created later is streamed', async () => {
    await table('drop_t', 1);
    const h = harnesses(await tempDir());
    const w = await start(h, 'dropper', 'drop_t|later_t', { 'table.include.list': 'public.(drop_t|later_t)', 'publication.autocreate.mode': 'all_tables', 'slot.drop.on.stop': 'true' });
    await waitForStreaming(w, 'dropper');
    expect(await slotExists('slot_dropper')).toBe(true);
    await pg.exec(`CREATE TABLE later_t (id int PRIMARY KEY, v text)`, `INSERT INTO later_t VALUES (1, 'new')`);
    const [e] = await ops(w, 'dropper.public.later_t', 1);
    expect(e!.value).toMatchObject({ op: 'c', after: { id: 1, v: 'new' } });
    await w.stop();
    expect(await slotExists('slot_dropper'), 'slot dropped on stop').toBe(false);
  });
});
