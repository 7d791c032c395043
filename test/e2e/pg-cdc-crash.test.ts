/**
 * kill -9 of a worker running the Postgres CDC source, mid-stream and mid-snapshot, while a writer
 * keeps changing the table: after restarts the log replays to the table, every committed change is
 * in it, and nothing up to the last committed offset appears twice.
 */
import { describe, expect, test } from 'vitest';
import { LogCompactedTopic } from '../../src/runtime/stores/log-compacted-topic.js';
import { OffsetStore } from '../../src/runtime/stores/offset-store.js';
import { DEFAULT_WORKER_SETTINGS } from '../../src/runtime/worker-settings.js';
import type { OffsetMap } from '../../src/sdk/index.js';
import { waitFor } from '../kit/checks.js';
import { useWorkerHarnesses, type WorkerHarness } from '../kit/worker-harness.js';
import { cdcConfig, readChanges, replay, type ChangeEvent, waitForStreaming } from '../support/cdc.js';
import { useTestPostgres } from '../support/postgres.js';
import { useTempDirs } from '../support/temp-dir.js';

const pg = useTestPostgres();

const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

/** Small transactions of inserts, updates and deletes; each insert/update writes a unique token. */
function startWriter(table: string, firstId: number, opts: { live?: number[]; perTx?: number } = {}) {
  const live = opts.live ?? [];
  let stop = false;
  let seq = 0;
  let nextId = firstId;
  const tokens: string[] = [];
  const done = (async () => {
    const c = await pg.client();
    try {
      while (!stop) {
        const txTokens: string[] = [];
        await c.query('BEGIN');
        for (let i = 0; i < (opts.perTx ?? 4); i++) {
          const r = seq % 5;
          const token = `w${firstId}-${seq++}`;
          if (r < 2 || live.length < 20) {
            const id = nextId++;
            await c.query(`INSERT INTO ${table} (id, token) VALUES ($1, $2)`, [id, token]);
            live.push(id);
            txTokens.push(token);
          } else if (r < 4) {
            await c.query(`UPDATE ${table} SET token = $2 WHERE id = $1`, [live[seq % live.length], token]);
            txTokens.push(token);
          } else {
            await c.query(`DELETE FROM ${table} WHERE id = $1`, [live.splice(seq % live.length, 1)[0]]);
          }
        }
        await c.query('COMMIT');
        tokens.push(...txTokens);
      }
    } finally {
      await c.end();
    }
  })();
  return { stop: async () => ((stop = true), await done, tokens) };
}

/** The connector's committed source offset, read from the offsets topic a killed worker left. */
async function committedOffset(h: WorkerHarness, connector: string, prefix: string): Promise<OffsetMap | null> {
  return h.withLog(async (log) => {
    const store = new OffsetStore(
      new LogCompactedTopic(log, { topic: DEFAULT_WORKER_SETTINGS.offsetTopic, partitions: DEFAULT_WORKER_SETTINGS.offsetPartitions }),
    );
    await store.start();
    try {
      return store.get(connector, { server: prefix });
    } finally {
      await store.stop();
    }
  });
}

async function tableRows(table: string): Promise<Map<string, string>> {
  const rows = await pg.query(`SELECT id::int8 AS id, token FROM ${table}`);
  return new Map(rows.map((r) => [JSON.stringify({ id: Number(r.id) }), String(r.token)]));
}

async function expectReplaysToTable(read: () => Promise<ChangeEvent[]>, table: string): Promise<ChangeEvent[]> {
  const expected = await tableRows(table);
  let events: ChangeEvent[] = [];
  await waitFor(
    'the log to replay to the table',
    async () => {
      events = await read();
      const got = replay(events);
      return got.size === expected.size && [...expected].every(([k, token]) => got.get(k)?.token === token);
    },
    { timeoutMs: 90_000, describe: async () => ({ replayed: replay(await read()).size, rows: expected.size }) },
  );
  return events;
}

/** A streamed change's position: transaction id (`xid:commitLsn`) and its order in the transaction. */
function position(e: ChangeEvent): { commitLsn: number; order: number } {
  const [, lsn] = String(e.value.transaction.id).split(':');
  return { commitLsn: Number(lsn), order: Number(e.value.transaction.total_order) };
}

/** Whether a streamed change is covered by a committed streaming offset. */
function coveredBy(o: OffsetMap, p: { commitLsn: number; order: number }): boolean {
  const proc = Number(o.lsn_proc);
  const commit = Number(o.lsn_commit ?? 0);
  const done = Number(o.lsn_events_processed ?? 0);
  return p.commitLsn < proc || p.commitLsn < commit || (p.commitLsn === commit && p.order <= done);
}

describe('Postgres CDC source under kill -9', () => {
  test('mid-stream: nothing lost, nothing up to the committed offset twice', async () => {
    const table = 'crash_stream';
    await pg.exec(`CREATE TABLE ${table} (id bigint PRIMARY KEY, token text NOT NULL)`);
    const name = 'crashstream';
    const topic = `${name}.public.${table}`;
    const h = harnesses(await tempDir());
    const config = cdcConfig(pg, name, { 'table.include.list': `public.${table}`, 'provide.transaction.metadata': 'true', 'max.batch.size': '20', 'max.queue.size': '100' });
    let w = await h.spawn();
    await w.herder.putConnectorConfig(name, config, { allowReplace: true });
    // Changes before the slot exists are in the snapshot only as final row states: write once streaming.
    await waitForStreaming(w, name);
    // Large transactions, small batches: the committed offset often falls inside a transaction.
    const writer = startWriter(table, 1, { perTx: 60 });
    const committedAtKill: OffsetMap[] = [];
    /** The topic's end offset at each kill: records before it came from earlier runs. */
    const boundaries: number[] = [];
    for (let kill = 0; kill < 2; kill++) {
      // Kill right after an offset inside a transaction was committed, so the restart must skip
      // the part of that transaction already delivered.
      const before = JSON.stringify(committedAtKill.at(-1) ?? null);
      await waitFor(
        'an offset committed inside a transaction',
        async () => {
          const o = (await w.herder.connectorOffsets(name)).offsets[0]?.offset as OffsetMap | undefined;
          const events = Number(o?.lsn_events_processed ?? 0);
          return o !== undefined && JSON.stringify(o) !== before && events > 0 && events < 60;
        },
        { timeoutMs: 60_000, intervalMs: 5 },
      );
      await w.kill();
      const o = await committedOffset(h, name, name);
      expect(o, 'an offset was committed before the kill').not.toBeNull();
      committedAtKill.push(o!);
      boundaries.push(await h.withLog((log) => log.latestOffset(topic, 0)));
      w = await h.spawn();
    }
    await waitFor('more changes after the restarts', async () => (await w.endOffsets(topic))[0]! > boundaries.at(-1)! + 2000, { timeoutMs: 60_000 });
    const tokens = await writer.stop();
    const events = await expectReplaysToTable(() => readChanges(w, topic), table);
    await w.stop();

    const data = events.filter((e) => e.value !== null && e.value.op !== 'r');
    const seen = new Set(data.filter((e) => e.value.op !== 'd').map((e) => e.value.after.token));
    const lost = tokens.filter((t) => !seen.has(t));
    expect(lost, 'committed changes missing from the log').toEqual([]);
    // A change is identified by the token it wrote (deletes by their key and position); its first
    // copy carries the position it was first emitted at.
    const copies = new Map<string, ChangeEvent[]>();
    for (const e of data) {
      const id = e.value.op === 'd' ? `d:${e.key.id}:${e.value.transaction.id}` : `t:${e.value.after.token}`;
      copies.set(id, [...(copies.get(id) ?? []), e]);
    }
    // What run k+1 emitted again must lie after the offset committed when run k was killed.
    committedAtKill.forEach((o, k) => {
      const [from, to] = [boundaries[k]!, boundaries[k + 1] ?? Infinity];
      const again = [...copies].filter(([, es]) => es.some((e) => e.offset < from) && es.some((e) => e.offset >= from && e.offset < to));
      const twice = again.filter(([, es]) => coveredBy(o, position(es[0]!))).map(([id]) => id);
      expect(twice, `changes at or before the offset committed at kill ${k + 1} (${JSON.stringify(o)}) emitted again`).toEqual([]);
    });
    expect(Math.max(...[...copies.values()].map((es) => es.length)), 'a change emitted more than once per restart').toBeLessThanOrEqual(3);
  });

  test('mid-snapshot: the snapshot resumes after the last committed chunk, nothing lost', async () => {
    const table = 'crash_snap';
    const rows = 150_000;
    await pg.exec(
      `CREATE TABLE ${table} (id bigint PRIMARY KEY, token text NOT NULL)`,
      `INSERT INTO ${table} SELECT g, 's' || g FROM generate_series(1, ${rows}) g`,
    );
    const name = 'crashsnap';
    const topic = `${name}.public.${table}`;
    const h = harnesses(await tempDir());
    const config = cdcConfig(pg, name, { 'table.include.list': `public.${table}`, 'snapshot.chunk.size': '500', 'max.batch.size': '500', 'max.queue.size': '1000' });
    let w = await h.spawn();
    await w.herder.putConnectorConfig(name, config, { allowReplace: true });
    const writer = startWriter(table, 10_000_000, { live: Array.from({ length: 50 }, (_, i) => i * 1000 + 1) });
    await waitFor('part of the snapshot', async () => (await w.endOffsets(topic).catch(() => [0]))[0]! >= 20_000, { timeoutMs: 60_000, intervalMs: 10 });
    await w.kill();
    const o = await committedOffset(h, name, name);
    expect(o?.snapshot, `killed mid-snapshot (committed offset ${JSON.stringify(o)})`).toBe(true);
    const after = (o!.snapshot_tables as Record<string, { after: string[] | null } | 'done'>)[`public.${table}`];
    expect(after).not.toBe('done');
    const lastKey = Number((after as { after: string[] }).after[0]);
    expect(lastKey).toBeGreaterThan(0);
    w = await h.spawn();
    await writer.stop();
    const events = await expectReplaysToTable(() => readChanges(w, topic), table);
    await w.stop();

    const reads = events.filter((e) => e.value?.op === 'r');
    const times = new Map<number, number>();
    for (const e of reads) times.set(e.key.id, (times.get(e.key.id) ?? 0) + 1);
    const repeated = [...times].filter(([id, n]) => id <= lastKey && n > 1).map(([id]) => id);
    expect(repeated, `rows up to the committed chunk end (${lastKey}) read twice`).toEqual([]);
    // At most one re-read per row after the committed chunk (the check above is the one a restart from zero fails).
    expect(reads.length).toBeLessThan(rows + (rows - lastKey) + 1);
    expect(reads.at(-1)!.value.source.snapshot).toBe('last');
  });
});
