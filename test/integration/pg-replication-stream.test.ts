import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from '../../connectors/postgres-cdc/lsn.js';
import { UNCHANGED_TOAST } from '../../connectors/postgres-cdc/pgoutput-messages.js';
import {
  ReplicationStream,
  type ReplicationHandler,
  type ReplicationStreamOptions,
} from '../../connectors/postgres-cdc/replication-stream.js';
import { freePort, startPostgres, type TestPostgres } from '../support/postgres.js';
import { Recorder, waitFor, type Delivered } from '../support/replication-recorder.js';

let pg: TestPostgres;
const open: ReplicationStream[] = [];

function connection(): ReplicationStreamOptions['connection'] {
  return { host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database };
}

/** The server's clock, µs since the Unix epoch (the commit times' clock, whatever the client's). */
async function serverMicros(): Promise<bigint> {
  const [r] = await pg.query<{ us: string }>(`SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::int8::text AS us`);
  return BigInt(r!.us);
}

function stream(
  handler: ReplicationHandler,
  opts: Partial<ReplicationStreamOptions> & Pick<ReplicationStreamOptions, 'slot' | 'publications'>,
): ReplicationStream {
  const s = new ReplicationStream(
    {
      connection: connection(),
      startLsn: 0n,
      messages: true,
      statusIntervalMs: 1000,
      ...opts,
    },
    handler,
  );
  open.push(s);
  return s;
}

interface SlotRow {
  active: boolean;
  active_pid: number | null;
  confirmed_flush_lsn: string;
}

async function slotRow(slot: string): Promise<SlotRow> {
  const sql = 'SELECT active, active_pid, confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = $1';
  return (await pg.query<SlotRow>(sql, [slot]))[0]!;
}

beforeAll(async () => {
  // A short wal_sender_timeout: only streams that answer keepalives and send status updates survive.
  pg = await startPostgres({ flags: ['-c', 'wal_sender_timeout=2s'] });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await pg?.stop();
});

describe('ReplicationStream against Postgres', () => {
  it('decodes inserts, updates, deletes, truncates and messages in commit order', async () => {
    // Random base64 does not compress, so 12 kB is stored out of line (TOASTed).
    const big = randomBytes(9000).toString('base64');
    await pg.exec(
      `CREATE TYPE mood AS ENUM ('sad', 'happy')`,
      `CREATE TABLE items (id int PRIMARY KEY, note text, big text, at timestamptz, m mood)`,
      `CREATE TABLE items_full (id int PRIMARY KEY, note text, big text)`,
      `ALTER TABLE items_full REPLICA IDENTITY FULL`,
      `CREATE PUBLICATION pub_items FOR TABLE items`,
      `CREATE PUBLICATION "pub ""q'x" FOR TABLE items_full`,
      `SELECT pg_create_logical_replication_slot('dml', 'pgoutput')`,
    );
    const [{ items, items_full, mood }] = (await pg.query(
      `SELECT 'items'::regclass::oid::int AS items, 'items_full'::regclass::oid::int AS items_full,
              'mood'::regtype::oid::int AS mood`,
    )) as [{ items: number; items_full: number; mood: number }];

    const rec = new Recorder();
    const s = stream(rec, { slot: 'dml', publications: ['pub_items', `pub "q'x`] });
    expect(s.command).toBe(
      `START_REPLICATION SLOT "dml" LOGICAL 0/0 ` +
        `(proto_version '1', publication_names '"pub_items","pub ""q''x"', messages 'true')`,
    );
    await s.start();

    const before = await serverMicros();
    await pg.query(`INSERT INTO items VALUES (1, $1, $2, '2024-02-29 23:59:59.123456+00', 'happy')`, [
      'héllo ✓ 😀',
      big,
    ]);
    await pg.exec(
      `INSERT INTO items (id) VALUES (2)`,
      `UPDATE items SET note = 'b' WHERE id = 1`,
      `UPDATE items SET id = 10 WHERE id = 1`,
      `DELETE FROM items WHERE id = 10`,
    );
    await pg.query(`INSERT INTO items_full VALUES (1, 'a', $1)`, [big]);
    await pg.exec(
      `UPDATE items_full SET note = 'b'`,
      `DELETE FROM items_full`,
      `TRUNCATE items, items_full RESTART IDENTITY CASCADE`,
    );
    const c = await pg.client();
    await c.query('BEGIN');
    const emitted = await c.query<{ lsn: string }>(`SELECT pg_logical_emit_message(true, 'wm', 'hello') AS lsn`);
    const txMsgLsn = emitted.rows[0]!.lsn;
    await c.query(`INSERT INTO items (id) VALUES (3)`);
    await c.query('COMMIT');
    await c.end();
    const [{ lsn: ntMsgLsn }] = (await pg.query<{ lsn: string }>(
      `SELECT pg_logical_emit_message(false, 'nt', '\\x00ff'::bytea) AS lsn`,
    )) as [{ lsn: string }];
    const after = await serverMicros();

    await waitFor('the non-transactional message', () =>
      rec.messages.some((d) => d.msg.tag === 'message' && !d.msg.transactional),
    );
    const { txns, outside } = rec.transactions();
    expect(txns).toHaveLength(10);

    let prevEnd = 0n;
    for (const t of txns) {
      expect(t.begin.msg.finalLsn).toBe(t.commit.msg.commitLsn);
      expect(t.commit.msg.endLsn).toBeGreaterThan(t.commit.msg.commitLsn);
      expect(t.commit.msg.commitLsn).toBeGreaterThan(prevEnd);
      prevEnd = t.commit.msg.endLsn;
      // XLogData header of COMMIT: both positions are the transaction's end LSN.
      expect(t.commit.walStart).toBe(t.commit.msg.endLsn);
      expect(t.commit.walEnd).toBe(t.commit.msg.endLsn);
      expect(t.begin.msg.commitTimeUs).toBe(t.commit.msg.commitTimeUs);
      // Commit times (µs since the Unix epoch) lie between the server's clock read before and after.
      expect(t.begin.msg.commitTimeUs).toBeGreaterThanOrEqual(before);
      expect(t.begin.msg.commitTimeUs).toBeLessThanOrEqual(after);
      for (const ch of t.changes) {
        if (ch.msg.tag === 'relation' || ch.msg.tag === 'type') expect(ch.walStart).toBe(0n);
        else expect(ch.walStart).toBeGreaterThan(0n);
      }
    }
    // RELATION (and TYPE before it) may come again before any change, e.g. after a TRUNCATE.
    const isSchema = (d: Delivered) => d.msg.tag === 'relation' || d.msg.tag === 'type';
    expect(txns.map((t) => t.changes.filter((d) => !isSchema(d)).map((d) => d.msg.tag).join(','))).toEqual([
      'insert',
      'insert',
      'update',
      'update',
      'delete',
      'insert',
      'update',
      'delete',
      'truncate',
      'message,insert',
    ]);
    const ch = txns.map((t) => t.changes.map((d) => d.msg));
    expect(ch[0]!.map((m) => m.tag)).toEqual(['type', 'relation', 'insert']);
    expect(ch[5]!.map((m) => m.tag)).toEqual(['relation', 'insert']);

    expect(ch[0]![0]).toEqual({ tag: 'type', typeOid: mood, namespace: 'public', name: 'mood' });
    expect(ch[0]![1]).toEqual({
      tag: 'relation',
      relationOid: items,
      namespace: 'public',
      name: 'items',
      replicaIdentity: 'd',
      columns: [
        { flags: 1, isKey: true, name: 'id', typeOid: 23, typeMod: -1 },
        { flags: 0, isKey: false, name: 'note', typeOid: 25, typeMod: -1 },
        { flags: 0, isKey: false, name: 'big', typeOid: 25, typeMod: -1 },
        { flags: 0, isKey: false, name: 'at', typeOid: 1184, typeMod: -1 },
        { flags: 0, isKey: false, name: 'm', typeOid: mood, typeMod: -1 },
      ],
    });
    // Text exactly as Postgres prints it in the session's UTC/ISO settings: microseconds kept.
    expect(ch[0]![2]).toEqual({
      tag: 'insert',
      relationOid: items,
      newTuple: ['1', 'héllo ✓ 😀', big, '2024-02-29 23:59:59.123456+00', 'happy'],
    });
    expect(ch[1]![0]).toEqual({ tag: 'insert', relationOid: items, newTuple: ['2', null, null, null, null] });
    // REPLICA IDENTITY DEFAULT, key unchanged: no old image; the TOASTed column is not sent.
    expect(ch[2]![0]).toEqual({
      tag: 'update',
      relationOid: items,
      keyTuple: null,
      oldTuple: null,
      newTuple: ['1', 'b', UNCHANGED_TOAST, '2024-02-29 23:59:59.123456+00', 'happy'],
    });
    // Key changed: the old key, other columns null.
    expect(ch[3]![0]).toEqual({
      tag: 'update',
      relationOid: items,
      keyTuple: ['1', null, null, null, null],
      oldTuple: null,
      newTuple: ['10', 'b', UNCHANGED_TOAST, '2024-02-29 23:59:59.123456+00', 'happy'],
    });
    expect(ch[4]![0]).toEqual({
      tag: 'delete',
      relationOid: items,
      keyTuple: ['10', null, null, null, null],
      oldTuple: null,
    });

    expect(ch[5]![0]).toMatchObject({ tag: 'relation', relationOid: items_full, replicaIdentity: 'f' });
    const fullColumns = (ch[5]![0] as { columns: { isKey: boolean }[] }).columns;
    expect(fullColumns.map((col) => col.isKey)).toEqual([true, true, true]);
    expect(ch[5]![1]).toEqual({ tag: 'insert', relationOid: items_full, newTuple: ['1', 'a', big] });
    // FULL: the old row is complete, yet the new row still marks the unchanged TOASTed column.
    expect(ch[6]![0]).toEqual({
      tag: 'update',
      relationOid: items_full,
      keyTuple: null,
      oldTuple: ['1', 'a', big],
      newTuple: ['1', 'b', UNCHANGED_TOAST],
    });
    expect(ch[7]![0]).toEqual({ tag: 'delete', relationOid: items_full, keyTuple: null, oldTuple: ['1', 'b', big] });
    const truncate = ch[8]!.at(-1)!;
    expect(truncate).toMatchObject({ tag: 'truncate', cascade: true, restartIdentity: true });
    expect([...(truncate as { relationOids: number[] }).relationOids].sort()).toEqual([items, items_full].sort());

    expect(ch[9]!.filter((m) => m.tag !== 'relation' && m.tag !== 'type')).toEqual([
      {
      tag: 'message',
      transactional: true,
      lsn: parseLsn(txMsgLsn),
      prefix: 'wm',
      content: Buffer.from('hello'),
      },
      { tag: 'insert', relationOid: items, newTuple: ['3', null, null, null, null] },
    ]);

    const nonTx = outside.filter((d) => d.msg.tag === 'message');
    expect(nonTx.map((d) => d.msg)).toEqual([
      { tag: 'message', transactional: false, lsn: parseLsn(ntMsgLsn), prefix: 'nt', content: Buffer.from([0, 0xff]) },
    ]);
    expect(outside.filter((d) => d.msg.tag !== 'message' && d.msg.tag !== 'relation')).toEqual([]);
    expect(s.received).toBeGreaterThanOrEqual(parseLsn(ntMsgLsn));
  });

  it('acknowledges exactly the flushed LSN, refuses a second consumer, resumes after the acknowledged commit', async () => {
    await pg.exec(
      `CREATE TABLE acks (id int PRIMARY KEY)`,
      `CREATE PUBLICATION pub_acks FOR TABLE acks`,
      `SELECT pg_create_logical_replication_slot('acks', 'pgoutput')`,
    );
    const rec = new Recorder();
    const a = stream(rec, { slot: 'acks', publications: ['pub_acks'], statusIntervalMs: 200 });
    await a.start();

    await pg.exec(`INSERT INTO acks VALUES (1)`);
    const c1 = (await waitFor('commit 1', () => rec.commits()[0]))!;
    a.setFlushed(c1.endLsn);
    a.setFlushed(c1.endLsn - 1n); // ignored: never backwards
    expect(a.flushed).toBe(c1.endLsn);
    a.sendStatus();
    const confirmed = async () => parseLsn((await slotRow('acks')).confirmed_flush_lsn);
    await waitFor('confirmed_flush_lsn at commit 1 end', async () => (await confirmed()) === c1.endLsn);

    await pg.exec(`INSERT INTO acks VALUES (2)`);
    const c2 = (await waitFor('commit 2', () => rec.commits()[1]))!;
    const begin2 = rec.transactions().txns[1]!.begin.msg;
    expect(a.received).toBeGreaterThanOrEqual(c2.endLsn);
    // Ask Postgres to answer our status; once it has, it has seen flush = commit 1's end.
    const seen = rec.keepalives.length;
    a.sendStatus(true);
    await waitFor('keepalive answering our status', () => rec.keepalives.length > seen);
    expect(await confirmed()).toBe(c1.endLsn);

    const second = stream(new Recorder(), { slot: 'acks', publications: ['pub_acks'] });
    const err = await second.start().then(
      () => null,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err).toMatchObject({
      code: '55006',
      message: expect.stringMatching(/replication slot "acks" is active for PID \d+/),
    });
    await expect(second.done).rejects.toBe(err);

    await a.stop();
    await a.done;
    await waitFor('slot released', async () => !(await slotRow('acks')).active);
    expect(await confirmed()).toBe(c1.endLsn);

    const rec2 = new Recorder();
    const b = stream(rec2, { slot: 'acks', publications: ['pub_acks'], startLsn: c1.endLsn });
    expect(b.command).toContain(`LOGICAL ${formatLsn(c1.endLsn)} (`);
    await b.start();
    await waitFor('the unacknowledged transaction again', () => rec2.commits()[0]);
    const { txns } = rec2.transactions();
    expect(txns[0]!.begin.msg.xid).toBe(begin2.xid);
    expect(txns[0]!.commit.msg).toEqual(c2);
    expect(txns[0]!.changes.filter((d) => d.msg.tag === 'insert').map((d) => d.msg)).toEqual([
      { tag: 'insert', relationOid: expect.any(Number), newTuple: ['2'] },
    ]);
    await b.stop();
    await expect(b.done).resolves.toBeUndefined();
  });

  it('answers keepalive reply requests, so the connection outlives wal_sender_timeout on its own', async () => {
    await pg.exec(
      `CREATE TABLE ka (id int PRIMARY KEY)`,
      `CREATE PUBLICATION pub_ka FOR TABLE ka`,
      `SELECT pg_create_logical_replication_slot('ka', 'pgoutput')`,
    );
    const rec = new Recorder();
    const s = stream(rec, { slot: 'ka', publications: ['pub_ka'], statusIntervalMs: 3_600_000 });
    let ended = false;
    void s.done.then(
      () => (ended = true),
      () => (ended = true),
    );
    await s.start();
    const pid = (await slotRow('ka')).active_pid;
    expect(pid).not.toBeNull();
    // Postgres asks for a reply at wal_sender_timeout/2 and gives up at wal_sender_timeout: three
    // requests in a row are only possible if the earlier ones were answered.
    await waitFor('three reply requests', () => rec.keepalives.filter((k) => k.replyRequested).length >= 3);
    await pg.exec(`INSERT INTO ka VALUES (1)`);
    await waitFor('the insert', () => rec.commits().length === 1);
    expect(ended).toBe(false);
    expect((await slotRow('ka')).active_pid).toBe(pid);
  });

  it('pause() stops deliveries at the socket until resume(), then delivers everything in order', async () => {
    await pg.exec(
      `CREATE TABLE bulk (id int PRIMARY KEY, pad text)`,
      `CREATE PUBLICATION pub_bulk FOR TABLE bulk`,
      `SELECT pg_create_logical_replication_slot('bulk', 'pgoutput')`,
    );
    const rows = 100_000; // ~12 MB of pgoutput data: far more than socket buffers hold
    const rec = new Recorder();
    // Status updates every 500 ms keep the paused connection within the 2 s wal_sender_timeout.
    const s = stream(rec, { slot: 'bulk', publications: ['pub_bulk'], statusIntervalMs: 500 });
    await s.start();
    const pid = (await slotRow('bulk')).active_pid;
    const walsenderBlocked = async () => {
      const sql = `SELECT wait_event FROM pg_stat_activity WHERE pid = $1`;
      return (await pg.query<{ wait_event: string | null }>(sql, [pid]))[0]?.wait_event === 'WalSenderWriteData';
    };

    s.pause();
    const [receivedAtPause, keepalivesAtPause] = [s.received, rec.keepalives.length];
    await pg.exec(`INSERT INTO bulk SELECT i, repeat('x', 100) FROM generate_series(1, ${rows}) i`);
    await waitFor('the walsender blocked on a full socket', walsenderBlocked);
    // Paused longer than wal_sender_timeout: our status updates still reach the blocked walsender.
    const [{ t0 }] = (await pg.query<{ t0: Date }>(`SELECT clock_timestamp() AS t0`)) as [{ t0: Date }];
    await waitFor('a status update 2.5 s into the pause', async () => {
      const sql = `SELECT 1 FROM pg_stat_replication WHERE pid = $1 AND reply_time > $2::timestamptz + interval '2.5 s'`;
      return (await pg.query(sql, [pid, t0])).length === 1;
    });
    expect(rec.messages).toHaveLength(0);
    expect(rec.keepalives).toHaveLength(keepalivesAtPause);
    expect(s.received).toBe(receivedAtPause);
    s.resume();
    await waitFor('all rows of batch 1', () => rec.commits().length === 1);
    expect(rec.inserts).toBe(rows);

    // Pausing from inside the handler: messages already parsed from the same socket read wait too.
    const pauseAt = rows + 5000;
    rec.onInsert = (n) => {
      if (n === pauseAt) s.pause();
    };
    await pg.exec(`INSERT INTO bulk SELECT i, repeat('y', 100) FROM generate_series(${rows + 1}, ${2 * rows}) i`);
    await waitFor('the pause', () => rec.inserts >= pauseAt);
    await waitFor('the walsender blocked on a full socket', walsenderBlocked);
    expect(rec.inserts).toBe(pauseAt);
    const receivedWhilePaused = s.received;
    await waitFor('the walsender blocked on a full socket again', walsenderBlocked);
    expect(rec.inserts).toBe(pauseAt);
    expect(s.received).toBe(receivedWhilePaused);
    s.resume();
    await waitFor('all rows of batch 2', () => rec.commits().length === 2);

    const ids = rec.messages.flatMap((d) => (d.msg.tag === 'insert' ? [Number(d.msg.newTuple[0])] : []));
    expect(ids).toHaveLength(2 * rows);
    expect(ids.every((id, i) => id === i + 1)).toBe(true);
    expect((await slotRow('bulk')).active_pid).toBe(pid);
  });

  it('ends cleanly on stop() before start() finished, and rejects done on errors', async () => {
    await pg.exec(
      `CREATE TABLE ends (id int PRIMARY KEY)`,
      `CREATE PUBLICATION pub_ends FOR TABLE ends`,
      `SELECT pg_create_logical_replication_slot('ends', 'pgoutput')`,
    );
    const early = stream(new Recorder(), { slot: 'ends', publications: ['pub_ends'] });
    const starting = early.start();
    const stopping = early.stop();
    await expect(starting).rejects.toThrow(/stopped before streaming began/);
    await stopping;
    await expect(early.done).resolves.toBeUndefined();
    await early.stop(); // twice is fine
    early.sendStatus(); // a no-op once stopped

    const thrower = new Recorder();
    const boom = new Error('handler gave up');
    thrower.onInsert = () => {
      throw boom;
    };
    const t = stream(thrower, { slot: 'ends', publications: ['pub_ends'] });
    await t.start();
    await pg.exec(`INSERT INTO ends VALUES (1)`);
    await expect(t.done).rejects.toBe(boom);
    await waitFor('slot released after the handler threw', async () => !(await slotRow('ends')).active);

    const refused = stream(new Recorder(), {
      slot: 'ends',
      publications: ['pub_ends'],
      connection: { ...connection(), port: await freePort() },
    });
    await expect(refused.start()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(refused.done).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await refused.stop();

    const badPassword = stream(new Recorder(), {
      slot: 'ends',
      publications: ['pub_ends'],
      connection: { ...connection(), password: 'wrong' },
    });
    await expect(badPassword.start()).rejects.toMatchObject({ code: '28P01' });
    await expect(badPassword.done).rejects.toMatchObject({ code: '28P01' });

    const killed = stream(new Recorder(), { slot: 'ends', publications: ['pub_ends'] });
    await killed.start();
    const pid = (await slotRow('ends')).active_pid;
    await pg.query('SELECT pg_terminate_backend($1)', [pid]);
    await expect(killed.done).rejects.toMatchObject({ code: '57P01' });
  });
});
