/**
 * DDL and capture: while streaming, after ADD COLUMN, DROP COLUMN and ALTER COLUMN TYPE each event
 * carries the table's new shape (payload and Connect schema), events before keep the old one, and the
 * task goes on without failing or reconnecting; the same DDL made while the connector is down is
 * replayed with each event's own shape; and DDL on a table the snapshot has not reached yet does not
 * break the snapshot.
 */
import { describe, expect, test } from 'vitest';
import { waitFor } from '../kit/checks.js';
import { useWorkerHarnesses, type RunningWorker } from '../kit/worker-harness.js';
import { cdcConfig, readChanges } from '../support/cdc.js';
import { useTestPostgres } from '../support/postgres.js';
import { useTempDirs } from '../support/temp-dir.js';

const pg = useTestPostgres();

const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

interface FieldSchema {
  readonly field: string;
  readonly type: string;
  readonly optional: boolean;
  readonly fields?: FieldSchema[];
}

/** A row struct's columns as JsonConverter's schema part describes them: name → type, `?` when optional. */
function rowSchema(value: { schema: FieldSchema }, which: 'before' | 'after' = 'after', withOptional = true): Record<string, string> {
  const row = value.schema.fields!.find((f) => f.field === which)!;
  return Object.fromEntries(row.fields!.map((f) => [f.field, f.type + (withOptional && f.optional ? '?' : '')]));
}

/** Value events (with schemas) of the topic, in order. */
async function events(w: RunningWorker, topic: string): Promise<Array<{ schema: FieldSchema; payload: any }>> {
  return (await readChanges(w, topic)).filter((e) => e.value !== null).map((e) => e.value);
}

/** Heartbeats come from the streamer only: once one is in the log, later changes are streamed, not snapshotted. */
async function waitForStreaming(w: RunningWorker, name: string): Promise<void> {
  await waitFor(`${name} to stream`, async () => (await readChanges(w, `__debezium-heartbeat.${name}`)).length > 0, {
    describe: () => w.herder.connectorStatus(name),
  });
}

async function activePid(slot: string): Promise<number | null> {
  const [r] = await pg.query<{ active_pid: number | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return r?.active_pid ?? null;
}

async function waitForEvents(w: RunningWorker, topic: string, name: string, count: number): Promise<Array<{ schema: FieldSchema; payload: any }>> {
  return waitFor(
    `${count} events in ${topic}`,
    async () => {
      const es = await events(w, topic);
      if (es.length >= count) return es;
      const failed = (await w.herder.connectorStatus(name)).tasks.find((t) => t.state === 'FAILED');
      if (failed) throw new Error(`task of ${name} FAILED with ${es.length} of ${count} events: ${failed.trace}`);
      return undefined;
    },
    { describe: async () => ({ status: await w.herder.connectorStatus(name), errors: await w.errorLines() }) },
  );
}

describe('schema changes', () => {
  test('ADD COLUMN, DROP COLUMN and ALTER COLUMN TYPE: each later event has the new shape, earlier ones the old, the task runs on', async () => {
    await pg.exec('CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL, c1 text)');
    const name = 'ddl';
    const topic = `${name}.public.t`;
    const w = await harnesses(await tempDir()).start();
    const config = cdcConfig(pg, name, { 'table.include.list': 'public.t', 'value.converter.schemas.enable': 'true' });
    await w.herder.putConnectorConfig(name, config, { allowReplace: true });
    await waitForStreaming(w, name);

    const step = async (sql: string[], count: number): Promise<Array<{ schema: FieldSchema; payload: any }>> => {
      await pg.exec(...sql);
      return waitForEvents(w, topic, name, count);
    };

    await step([`INSERT INTO t VALUES (1, 10, 'one')`], 1);
    // The walsender now serving the slot (the session that created it held it until the stream began).
    const pid = await activePid(config['slot.name']!);
    await step(['ALTER TABLE t ADD COLUMN c2 text', `INSERT INTO t VALUES (2, 20, 'two', 'zwei')`], 2);
    await step(['ALTER TABLE t DROP COLUMN c1', `INSERT INTO t VALUES (3, 30, 'drei')`], 3);
    const all = await step(['ALTER TABLE t ALTER COLUMN n TYPE bigint', `INSERT INTO t VALUES (4, 5000000000, 'vier')`], 4);

    expect(all.map((e) => [e.payload.op, e.payload.after])).toEqual([
      ['c', { id: 1, n: 10, c1: 'one' }],
      ['c', { id: 2, n: 20, c1: 'two', c2: 'zwei' }],
      ['c', { id: 3, n: 30, c2: 'drei' }],
      ['c', { id: 4, n: 5000000000, c2: 'vier' }],
    ]);
    expect(all.map((e) => rowSchema(e))).toEqual([
      { id: 'int32', n: 'int32', c1: 'string?' },
      { id: 'int32', n: 'int32', c1: 'string?', c2: 'string?' },
      { id: 'int32', n: 'int32', c2: 'string?' },
      { id: 'int32', n: 'int64', c2: 'string?' },
    ]);
    // `before` has the same row schema as `after` in each envelope.
    for (const e of all) expect(rowSchema(e, 'before')).toEqual(rowSchema(e));

    // The same task, on the same replication connection, captured all of it.
    const status = await w.herder.connectorStatus(name);
    expect(status.tasks.map((t) => t.state)).toEqual(['RUNNING']);
    expect(await activePid(config['slot.name']!), 'no reconnect: the slot is held by the same walsender').toBe(pid);
    expect(await w.errorLines()).toEqual([]);
    await w.stop();
  });

  test('DDL while the connector is down: after the restart each event still has the columns and types of its own moment', async () => {
    await pg.exec('CREATE TABLE down (id int PRIMARY KEY, n int NOT NULL, c1 text)');
    const name = 'ddldown';
    const topic = `${name}.public.down`;
    const h = harnesses(await tempDir());
    const w1 = await h.start();
    const config = cdcConfig(pg, name, { 'table.include.list': 'public.down', 'value.converter.schemas.enable': 'true' });
    await w1.herder.putConnectorConfig(name, config, { allowReplace: true });
    await waitForStreaming(w1, name);
    await pg.exec(`INSERT INTO down VALUES (0, 0, 'zero')`);
    await waitForEvents(w1, topic, name, 1);
    await w1.stop();

    // Every change is committed before the restarted stream reads the first one, so when it handles
    // each Relation message the catalog already shows the last shape: the message must win.
    await pg.exec(
      `INSERT INTO down VALUES (1, 10, 'one')`,
      'ALTER TABLE down ADD COLUMN c2 text',
      `INSERT INTO down VALUES (2, 20, 'two', 'zwei')`,
      'ALTER TABLE down DROP COLUMN c1',
      `INSERT INTO down VALUES (3, 30, 'drei')`,
      'ALTER TABLE down ALTER COLUMN n TYPE bigint',
      `INSERT INTO down VALUES (4, 5000000000, 'vier')`,
    );
    const w2 = await h.start();
    const all = await waitForEvents(w2, topic, name, 5);
    expect(all.map((e) => [e.payload.op, e.payload.after])).toEqual([
      ['c', { id: 0, n: 0, c1: 'zero' }],
      ['c', { id: 1, n: 10, c1: 'one' }],
      ['c', { id: 2, n: 20, c1: 'two', c2: 'zwei' }],
      ['c', { id: 3, n: 30, c2: 'drei' }],
      ['c', { id: 4, n: 5000000000, c2: 'vier' }],
    ]);
    // Types only: NOT NULL comes from the catalog, which no longer describes the earlier shapes.
    expect(all.map((e) => rowSchema(e, 'after', false))).toEqual([
      { id: 'int32', n: 'int32', c1: 'string' },
      { id: 'int32', n: 'int32', c1: 'string' },
      { id: 'int32', n: 'int32', c1: 'string', c2: 'string' },
      { id: 'int32', n: 'int32', c2: 'string' },
      { id: 'int32', n: 'int64', c2: 'string' },
    ]);
    expect((await w2.herder.connectorStatus(name)).tasks.map((t) => t.state)).toEqual(['RUNNING']);
    expect(await w2.errorLines()).toEqual([]);
    await w2.stop();
  });

  test('a column dropped from a table still waiting for its turn in the snapshot: the snapshot completes', async () => {
    // snap_a is read first (tables go in name order, one reader) and long enough to change snap_b meanwhile.
    await pg.exec(
      'CREATE TABLE snap_a (id int PRIMARY KEY, pad text)',
      `INSERT INTO snap_a SELECT g, repeat('a', 50) FROM generate_series(1, 30000) g`,
      'CREATE TABLE snap_b (id int PRIMARY KEY, n int NOT NULL, c1 text)',
      `INSERT INTO snap_b SELECT g, g * 10, 'old' FROM generate_series(1, 3) g`,
    );
    const name = 'ddlsnap';
    const w = await harnesses(await tempDir()).start();
    const config = cdcConfig(pg, name, { 'table.include.list': 'public.snap_a,public.snap_b', 'snapshot.chunk.size': '200', 'value.converter.schemas.enable': 'true' });
    await w.herder.putConnectorConfig(name, config, { allowReplace: true });
    const readingA = async (): Promise<boolean> =>
      (await pg.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'tributary' AND query LIKE '%FROM "public"."snap_a"%'`)).length > 0;
    const readB = async (): Promise<boolean> =>
      (await pg.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'tributary' AND query LIKE '%FROM "public"."snap_b"%'`)).length > 0;
    await waitFor('the snapshot to be reading snap_a', readingA);
    await pg.exec('ALTER TABLE snap_b DROP COLUMN c1');
    // The change landed before the snapshot reached snap_b (else this case proves nothing).
    expect(await readB(), 'snap_b not read yet when its column was dropped').toBe(false);

    // Fails fast (with the task's trace) rather than timing out when the task fails instead.
    const outcome = await waitFor('snap_b snapshotted, or the task failed', async () => {
      const es = await events(w, `${name}.public.snap_b`);
      if (es.length >= 3) return { events: es, trace: undefined };
      const task = (await w.herder.connectorStatus(name)).tasks[0];
      return task?.state === 'FAILED' ? { events: es, trace: task.trace } : undefined;
    });
    expect(outcome.trace, 'the task did not fail').toBeUndefined();
    const b = outcome.events;
    expect(b.map((e) => [e.payload.op, e.payload.after.id])).toEqual([['r', 1], ['r', 2], ['r', 3]]);
    // Each event's payload has exactly the columns its schema declares (whichever shape the snapshot used).
    for (const e of b) expect(Object.keys(e.payload.after).sort()).toEqual(Object.keys(rowSchema(e)).sort());
    expect((await w.endOffsets(`${name}.public.snap_a`)).reduce((x, y) => x + y, 0)).toBe(30000);

    await pg.exec('INSERT INTO snap_b VALUES (4, 40)');
    const after = await waitForEvents(w, `${name}.public.snap_b`, name, 4);
    expect(after[3]!.payload.after).toEqual({ id: 4, n: 40 });
    expect((await w.herder.connectorStatus(name)).tasks.map((t) => t.state)).toEqual(['RUNNING']);
    await w.stop();
  });
});
