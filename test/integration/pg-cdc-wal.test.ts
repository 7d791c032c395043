/**
 * WAL retention: a connector whose tables are idle must not pin the server's WAL while other
 * databases on the same server write (the slot's confirmed_flush_lsn follows the server, through
 * heartbeats or, without them, keepalives); and the slot must never be confirmed past a captured
 * change whose offset the worker has not committed (else a crash would lose it).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor, waitForState, watchPaused } from '../kit/checks.js';
import { useWorkerHarnesses, type RunningWorker } from '../kit/worker-harness.js';
import { cdcConfig, readChanges } from '../support/cdc.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { useTempDirs } from '../support/temp-dir.js';

let pg: TestPostgres;
/** The other database, written to while the captured one is idle. */
const OTHER = `other_${process.pid}`;
beforeAll(async () => {
  pg = await startPostgres();
  await pg.createDatabase(OTHER);
  const c = await pg.client(OTHER);
  await c.query('CREATE TABLE noise (id serial PRIMARY KEY, payload text)');
  await c.end();
});
afterAll(async () => {
  // A shared TEST_PG_URL server: the extra database goes too (the per-file one is dropped by stop()).
  if (process.env.TEST_PG_URL) await pg?.exec(`DROP DATABASE IF EXISTS ${OTHER} WITH (FORCE)`).catch(() => {});
  await pg?.stop();
});

const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

/** Writes to the other database only (several WAL segments' worth of switches); returns the LSN after. */
async function writeElsewhere(rounds = 20): Promise<string> {
  const c = await pg.client(OTHER);
  try {
    for (let i = 0; i < rounds; i++) {
      await c.query(`INSERT INTO noise (payload) SELECT repeat('x', 200) FROM generate_series(1, 50)`);
      if (i % 5 === 4) await c.query('SELECT pg_switch_wal()');
    }
    return (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
  } finally {
    await c.end();
  }
}

async function slot(name: string): Promise<{ confirmed: string; active_pid: number | null }> {
  const [r] = await pg.query<{ confirmed: string; active_pid: number | null }>(
    'SELECT confirmed_flush_lsn::text AS confirmed, active_pid FROM pg_replication_slots WHERE slot_name = $1',
    [name],
  );
  expect(r, `slot ${name} exists`).toBeDefined();
  return r!;
}

/** pg_wal_lsn_diff(a, b): bytes of WAL from b to a (negative when a is before b). */
async function lsnDiff(a: string, b: string): Promise<number> {
  const [r] = await pg.query<{ d: string }>('SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS d', [a, b]);
  return Number(r!.d);
}

async function waitConfirmedAtLeast(slotName: string, lsn: string, what: string): Promise<void> {
  await waitFor(what, async () => (await lsnDiff((await slot(slotName)).confirmed, lsn)) >= 0, {
    describe: async () => ({ slot: await slot(slotName), target: lsn, current: (await pg.query('SELECT pg_current_wal_lsn()::text AS l'))[0] }),
  });
}

async function dataEvents(w: RunningWorker, topic: string): Promise<number> {
  return (await readChanges(w, topic)).filter((e) => e.value !== null).length;
}

describe('an idle captured database does not pin WAL', () => {
  for (const [label, heartbeatMs] of [
    ['with heartbeats', '300'],
    ['with heartbeats off (keepalives alone)', '0'],
  ] as const) {
    test(`${label}: confirmed_flush_lsn follows writes to another database, with no data events`, async () => {
      const table = heartbeatMs === '0' ? 'idle_ka' : 'idle_hb';
      const name = heartbeatMs === '0' ? 'idleka' : 'idlehb';
      await pg.exec(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
      const w = await harnesses(await tempDir()).start();
      const config = cdcConfig(pg, name, { 'table.include.list': `public.${table}`, 'heartbeat.interval.ms': heartbeatMs });
      const slotName = config['slot.name']!;
      await w.herder.putConnectorConfig(name, config, { allowReplace: true });
      await waitForState(w, name, 'RUNNING');
      await waitFor('the slot to be streamed', async () => (await pg.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slotName])).length > 0);

      const topic = `${name}.public.${table}`;
      await pg.exec(`INSERT INTO ${table} VALUES (1, 'captured')`);
      await waitFor('the insert to be captured', async () => (await readChanges(w, topic)).some((e) => e.value?.after?.id === 1));
      const before = await dataEvents(w, topic);

      const start = (await slot(slotName)).confirmed;
      const target = await writeElsewhere();
      expect(await lsnDiff(start, target), 'the slot was behind the other database’s writes').toBeLessThan(0);
      await waitConfirmedAtLeast(slotName, target, `confirmed_flush_lsn to reach ${target}`);

      expect(await dataEvents(w, topic), 'no data events for the idle table').toBe(before);
      const heartbeats = (await readChanges(w, `__debezium-heartbeat.${name}`)).length;
      if (heartbeatMs === '0') expect(heartbeats, 'heartbeats are off').toBe(0);
      else expect(heartbeats).toBeGreaterThan(0);
      expect((await w.herder.connectorStatus(name)).tasks[0]!.state).toBe('RUNNING');
      await w.stop();
    });
  }
});

describe('the slot is confirmed only up to committed offsets', () => {
  test('while offset commits are held back, confirmed_flush_lsn stays at or before an uncommitted change; after a graceful stop it moves past', async () => {
    const table = 'held';
    const name = 'held';
    const topic = `${name}.public.${table}`;
    await pg.exec(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
    const config = cdcConfig(pg, name, {
      'table.include.list': `public.${table}`,
      // Keepalives are then the only thing that moves the slot while the table is idle.
      'heartbeat.interval.ms': '0',
      // The transaction id carries the commit LSN of the change: the bound the slot must respect.
      'provide.transaction.metadata': 'true',
      'status.update.interval.ms': '200',
    });
    const slotName = config['slot.name']!;
    const h = harnesses(await tempDir());

    // Run 1 (offsets committed every 200 ms): set up, capture a first row, stop.
    const w1 = await h.start();
    await w1.herder.putConnectorConfig(name, config, { allowReplace: true });
    await waitForState(w1, name, 'RUNNING');
    await pg.exec(`INSERT INTO ${table} VALUES (1, 'first')`);
    await waitFor('the first row', async () => (await readChanges(w1, topic)).some((e) => e.value?.after?.id === 1));
    await w1.stop();

    // Run 2: offsets are committed only on stop.
    const w2 = await h.start({ offsetFlushIntervalMs: 3_600_000 });
    await waitForState(w2, name, 'RUNNING');
    // Control: while nothing captured is in flight, this run does confirm keepalive positions.
    const idleTarget = await writeElsewhere(5);
    await waitConfirmedAtLeast(slotName, idleTarget, 'the idle slot to be confirmed in run 2');

    await pg.exec(`INSERT INTO ${table} VALUES (2, 'uncommitted')`);
    const afterInsert = (await pg.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l'))[0]!.l;
    const event = await waitFor('the second row in the topic', async () => (await readChanges(w2, topic)).find((e) => e.value?.after?.id === 2));
    // Debezium's Postgres transaction id: "<txid>:<LSN of the commit record>".
    const commitLsnNum = BigInt(String(event.value.transaction.id).split(':')[1]);
    const commitLsn = `${(commitLsnNum >> 32n).toString(16).toUpperCase()}/${(commitLsnNum & 0xffffffffn).toString(16).toUpperCase()}`;
    expect(await lsnDiff(commitLsn, idleTarget), 'the commit LSN read from the event is plausible').toBeGreaterThan(0);
    expect(await lsnDiff(commitLsn, afterInsert)).toBeLessThan(0);

    // The server moves on and the walsender sends past the change (keepalives carry its position).
    const later = await writeElsewhere(10);
    const pid = (await slot(slotName)).active_pid;
    await waitFor('the walsender to have sent past the change', async () => {
      const [r] = await pg.query<{ d: string }>('SELECT pg_wal_lsn_diff(sent_lsn, $1::pg_lsn)::text AS d FROM pg_stat_replication WHERE pid = $2', [later, pid]);
      return r !== undefined && Number(r.d) >= 0;
    });
    // A bounded watch, not a timing assertion: a correct connector passes however long it lasts.
    await watchPaused(1500, async () => {
      const confirmed = (await slot(slotName)).confirmed;
      expect(await lsnDiff(confirmed, commitLsn), `confirmed_flush_lsn ${confirmed} must not pass the uncommitted change's commit ${commitLsn}`).toBeLessThanOrEqual(0);
    });
    expect((await w2.herder.connectorStatus(name)).tasks[0]!.state).toBe('RUNNING');

    // A graceful stop commits the offsets; the next run confirms past the change without emitting it again.
    await w2.stop();
    const w3 = await h.start();
    await waitForState(w3, name, 'RUNNING');
    const beyond = await writeElsewhere(5);
    await waitConfirmedAtLeast(slotName, beyond, 'confirmed_flush_lsn to move past the committed change');
    expect(await lsnDiff((await slot(slotName)).confirmed, afterInsert)).toBeGreaterThan(0);
    const rows = (await readChanges(w3, topic)).filter((e) => e.value?.op === 'c' || e.value?.op === 'r').map((e) => e.value.after.id);
    expect(rows, 'each row emitted once').toEqual([1, 2]);
    await w3.stop();
  });
});
