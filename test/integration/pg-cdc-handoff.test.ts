/**
 * Snapshot + stream hand-off against a real Postgres while a writer runs: every row state the
 * snapshot read and every change committed after it reaches the log exactly once, and the log
 * replayed equals the table.
 */
import { describe, expect, test } from 'vitest';
import { waitFor, WAIT_MS } from '../kit/checks.js';
import { useWorkerHarnesses } from '../kit/worker-harness.js';
import { cdcConfig, readChanges, replay } from '../support/cdc.js';
import { useTestPostgres } from '../support/postgres.js';
import { useTempDirs } from '../support/temp-dir.js';

const pg = useTestPostgres();

const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

/** A writer of small transactions: inserts, updates and deletes, each setting a unique token. */
function startWriter(table: string, firstId: number) {
  let stop = false;
  let seq = 0;
  let nextId = firstId;
  const live: number[] = [];
  const done = (async () => {
    const c = await pg.client();
    try {
      while (!stop) {
        await c.query('BEGIN');
        for (let i = 0; i < 5; i++) {
          const r = seq % 7;
          const token = `w${seq++}`;
          if (r < 3 || live.length < 10) {
            const id = nextId++;
            await c.query(`INSERT INTO ${table} (id, token, amount) VALUES ($1, $2, $3)`, [id, token, (id % 1000) / 100]);
            live.push(id);
          } else if (r < 6) {
            const id = live[seq % live.length]!;
            await c.query(`UPDATE ${table} SET token = $2, amount = amount + 1 WHERE id = $1`, [id, token]);
          } else {
            const id = live.splice(seq % live.length, 1)[0]!;
            await c.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
          }
        }
        await c.query('COMMIT');
      }
    } finally {
      await c.end();
    }
    return seq;
  })();
  return { stop: async () => ((stop = true), done), get count() { return seq; } };
}

async function tableState(table: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = await pg.query(`SELECT id::int8 AS id, token, amount::text AS amount FROM ${table} ORDER BY id`);
  return new Map(rows.map((r) => [JSON.stringify({ id: Number(r.id) }), { id: Number(r.id), token: r.token, amount: r.amount }]));
}

describe('snapshot and stream hand-off', () => {
  test('under concurrent writes, the log replays to the table with no change missed or emitted twice', async () => {
    const table = 'handoff';
    await pg.exec(
      `CREATE TABLE ${table} (id bigint PRIMARY KEY, token text NOT NULL, amount numeric(12,2))`,
      `INSERT INTO ${table} SELECT g, 's' || g, (g % 1000) / 100.0 FROM generate_series(1, 20000) g`,
    );
    const writer = startWriter(table, 1_000_000);
    const h = harnesses(await tempDir());
    const w = await h.start();
    const name = 'handoff';
    await w.herder.putConnectorConfig(
      name,
      cdcConfig(pg, name, { 'table.include.list': `public.${table}`, 'snapshot.chunk.size': '1000', 'decimal.handling.mode': 'string' }),
      { allowReplace: true },
    );
    const topic = `${name}.public.${table}`;
    // Keep writing until the stream has delivered some of the writer's changes, then a little more.
    await waitFor('streamed changes', async () => (await readChanges(w, topic)).some((e) => e.value?.op === 'u'), { timeoutMs: 60_000 });
    const written = await writer.stop();
    expect(written).toBeGreaterThan(0);

    const expected = await tableState(table);
    let events = await readChanges(w, topic);
    await waitFor(
      'the log to replay to the table',
      async () => {
        events = await readChanges(w, topic);
        const got = replay(events);
        return got.size === expected.size && [...expected].every(([k, v]) => {
          const g = got.get(k);
          return g !== undefined && g.token === v.token && g.amount === v.amount;
        });
      },
      { timeoutMs: WAIT_MS * 3, describe: async () => ({ rows: replay(await readChanges(w, topic)).size, expected: expected.size }) },
    );

    // Each token is one row state: read by the snapshot or written by one change, never both.
    const tokens = events.filter((e) => e.value && e.value.op !== 'd').map((e) => `${e.value.after.token}@${e.value.after.id}`);
    expect(tokens.length - new Set(tokens).size, 'row states emitted twice').toBe(0);
    const snapshot = events.filter((e) => e.value?.op === 'r');
    expect(snapshot.length).toBeGreaterThanOrEqual(20000);
    expect(snapshot[0]!.value.source.snapshot).toBe('first');
    expect(snapshot.at(-1)!.value.source.snapshot).toBe('last');
    const firstStreamed = events.findIndex((e) => e.value && e.value.op !== 'r');
    expect(firstStreamed).toBeGreaterThan(snapshot.length - 1);
    // Every delete is followed by its tombstone.
    events.forEach((e, i) => {
      if (e.value?.op === 'd') expect(events[i + 1]!.value, `tombstone after the delete at ${e.offset}`).toBeNull();
    });
    await w.stop();
  });
});
