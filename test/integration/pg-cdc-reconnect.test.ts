/**
 * A lost replication connection (the walsender terminated, as a Postgres restart or failover does)
 * is retried: the task stays RUNNING, resumes from what it handed over, and loses nothing.
 */
import { expect, test } from 'vitest';
import { waitFor } from '../kit/checks.js';
import { useWorkerHarnesses } from '../kit/worker-harness.js';
import { cdcConfig, readChanges, waitForStreaming } from '../support/cdc.js';
import { useTestPostgres } from '../support/postgres.js';
import { useTempDirs } from '../support/temp-dir.js';

const pg = useTestPostgres();

const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

test('the walsender is terminated twice mid-stream: reconnected, every change delivered once', async () => {
  await pg.exec(`CREATE TABLE rc (id int PRIMARY KEY, v text)`);
  const w = await harnesses(await tempDir()).start();
  const name = 'reconnect';
  await w.herder.putConnectorConfig(name, cdcConfig(pg, name, { 'table.include.list': 'public.rc' }), { allowReplace: true });
  await waitForStreaming(w, name);
  const pidOf = async (): Promise<number | null> => {
    const [r] = await pg.query<{ pid: number | null }>(`SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = 'slot_reconnect'`);
    return r?.pid ?? null;
  };
  let id = 0;
  const insert = async (n: number): Promise<void> => {
    const c = await pg.client();
    for (let i = 0; i < n; i++) await c.query('INSERT INTO rc VALUES ($1, $2)', [++id, `v${id}`]);
    await c.end();
  };
  for (let round = 0; round < 2; round++) {
    await insert(50);
    const pid = await waitFor('an active walsender', async () => (await pidOf()) ?? undefined);
    await pg.query('SELECT pg_terminate_backend($1)', [pid]);
    await insert(50);
    await waitFor('a new walsender', async () => {
      const p = await pidOf();
      return p !== null && p !== pid;
    }, { timeoutMs: 30_000 });
  }
  const rows = await waitFor('every insert in the topic', async () => {
    const es = (await readChanges(w, `${name}.public.rc`)).filter((e) => e.value?.op === 'c');
    return new Set(es.map((e) => e.key.id)).size === id ? es : undefined;
  });
  expect(rows.map((e) => e.key.id), 'each insert exactly once').toEqual(Array.from({ length: id }, (_, i) => i + 1));
  const status = await w.herder.connectorStatus(name);
  expect(status.tasks[0]!.state).toBe('RUNNING');
  await w.stop();
});
