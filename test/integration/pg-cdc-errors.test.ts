/**
 * What a user sees when the database is not ready for capture: each problem ends as a FAILED task
 * (or a refused config) whose message names the fix, against a real Postgres and a real worker.
 * Also: identifiers that need quoting are captured, with Debezium's sanitized topic name.
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isTributaryError } from '../../src/errors/codes.js';
import type { ConfigInfos, TaskStatusEntry } from '../../src/runtime/herder/herder.js';
import { waitFor } from '../kit/checks.js';
import { useWorkerHarnesses, type RunningWorker } from '../kit/worker-harness.js';
import { cdcConfig, readChanges } from '../support/cdc.js';
import { freePort, startPostgres, type TestPostgres } from '../support/postgres.js';
import { useTempDirs } from '../support/temp-dir.js';

let pg: TestPostgres;
/** Roles are per server: unique names, dropped at the end (a shared TEST_PG_URL server keeps them otherwise). */
const roles: string[] = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  for (const r of roles) await pg?.exec(`DROP OWNED BY ${r}`, `DROP ROLE ${r}`).catch(() => {});
  await pg?.stop();
});

const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

async function worker(): Promise<RunningWorker> {
  return harnesses(await tempDir()).start();
}

/** Waits for the connector's task to be FAILED and returns its trace. */
async function failedTask(w: RunningWorker, name: string): Promise<string> {
  const task = await waitFor(
    `task of ${name} to be FAILED`,
    async () => {
      const s = await w.herder.connectorStatus(name).catch(() => undefined);
      return s?.tasks.find((t: TaskStatusEntry) => t.state === 'FAILED');
    },
    { describe: () => w.herder.connectorStatus(name).catch((e: Error) => e.message) },
  );
  expect(task.trace, 'a failed task carries a trace').toBeTypeOf('string');
  return task.trace!;
}

function role(prefix: string): string {
  const name = `${prefix}_${process.pid}_${roles.length}`;
  roles.push(name);
  return name;
}

function errorsOf(infos: ConfigInfos, key: string): readonly string[] {
  const c = infos.configs.find((x) => x.definition.name === key);
  expect(c, `validate reports key ${key}`).toBeDefined();
  return c!.value.errors;
}

/**
 * A TCP relay to Postgres, so the test decides when Postgres becomes unreachable: `close()` stops
 * listening (the port then refuses connections) and cuts the connections it relays.
 */
async function relay(): Promise<{ port: number; close(): void }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(pg.port, pg.host);
    sockets.push(client, upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, close: () => (server.close(), sockets.forEach((s) => s.destroy())) };
}

describe('setup problems fail the task with the fix in the message', () => {
  // With TEST_PG_URL the server is shared and flags are not applied: this case needs its own server.
  test.skipIf(!!process.env.TEST_PG_URL)('wal_level=replica: names wal_level=logical', async () => {
    const replica = await startPostgres({ flags: ['-c', 'wal_level=replica'] });
    try {
      // The later flag wins over the harness' default wal_level=logical.
      expect((await replica.query<{ wal_level: string }>('SHOW wal_level'))[0]!.wal_level).toBe('replica');
      await replica.exec('CREATE TABLE t (id int PRIMARY KEY)');
      const w = await worker();
      await w.herder.putConnectorConfig('walrep', cdcConfig(replica, 'walrep', { 'table.include.list': 'public.t' }), { allowReplace: true });
      const trace = await failedTask(w, 'walrep');
      expect(trace).toContain('wal_level=replica');
      expect(trace).toContain('wal_level=logical');
      expect(trace).toMatch(/ALTER SYSTEM SET wal_level = logical/);
      expect(await replica.query('SELECT 1 FROM pg_replication_slots')).toEqual([]);
      await w.stop();
    } finally {
      await replica.stop();
    }
  });

  test('a user without REPLICATION: names REPLICATION and ALTER ROLE', async () => {
    const user = role('cdc_norepl');
    await pg.exec(
      'CREATE TABLE norepl (id int PRIMARY KEY)',
      `CREATE ROLE ${user} LOGIN PASSWORD 'p'`,
      `GRANT SELECT ON norepl TO ${user}`,
    );
    const w = await worker();
    await w.herder.putConnectorConfig(
      'norepl',
      cdcConfig(pg, 'norepl', { 'database.user': user, 'database.password': 'p', 'table.include.list': 'public.norepl' }),
      { allowReplace: true },
    );
    const trace = await failedTask(w, 'norepl');
    expect(trace).toContain(`user ${user} lacks the REPLICATION privilege`);
    expect(trace).toContain(`ALTER ROLE "${user}" WITH REPLICATION`);
    expect(await pg.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'slot_norepl'`)).toEqual([]);
    await w.stop();
  });

  test('a REPLICATION user without SELECT on a captured table: names the table and GRANT SELECT', async () => {
    const user = role('cdc_nosel');
    await pg.exec(
      'CREATE TABLE sel_ok (id int PRIMARY KEY)',
      'CREATE TABLE sel_denied (id int PRIMARY KEY)',
      `CREATE ROLE ${user} LOGIN REPLICATION PASSWORD 'p'`,
      `GRANT SELECT ON sel_ok TO ${user}`,
    );
    const w = await worker();
    await w.herder.putConnectorConfig(
      'nosel',
      cdcConfig(pg, 'nosel', { 'database.user': user, 'database.password': 'p', 'table.include.list': 'public.sel_ok,public.sel_denied' }),
      { allowReplace: true },
    );
    const trace = await failedTask(w, 'nosel');
    const message = trace.split('\n')[0]!;
    expect(message).toContain(`lacks SELECT on "public"."sel_denied"`);
    expect(message).toContain(`GRANT SELECT ON "public"."sel_denied" TO "${user}"`);
    expect(message, 'the readable table is not named').not.toContain('sel_ok');
    await w.stop();
  });

  test('slot active for another client: retried, then FAILED naming the PID holding it', async () => {
    await pg.exec('CREATE TABLE busy (id int PRIMARY KEY)');
    const w = await worker();
    const holder = cdcConfig(pg, 'holder', { 'table.include.list': 'public.busy' });
    await w.herder.putConnectorConfig('holder', holder, { allowReplace: true });
    // Heartbeats come from the streamer: once one is in the log, the slot is held by the stream's walsender.
    await waitFor('the holder to stream', async () => (await readChanges(w, '__debezium-heartbeat.holder')).length > 0);
    const slot = holder['slot.name']!;
    const { active_pid: pid } = await waitFor('the holder to stream from its slot', async () => {
      const [r] = await pg.query<{ active_pid: number | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      return r?.active_pid ? r : undefined;
    });

    await w.herder.putConnectorConfig(
      'intruder',
      cdcConfig(pg, 'intruder', { 'table.include.list': 'public.busy', 'slot.name': slot, 'errors.max.retries': '1' }),
      { allowReplace: true },
    );
    const trace = await failedTask(w, 'intruder');
    expect(trace).toContain(`replication slot ${slot} is active for PID ${pid}`);
    expect(trace).toContain(`pg_terminate_backend(${pid})`);
    expect(trace, 'it failed after its retries').toContain('gave up after 1 retries; errors.max.retries');

    // The holder kept its slot and still captures.
    const [after] = await pg.query<{ active_pid: number | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    expect(after?.active_pid).toBe(pid);
    await pg.exec('INSERT INTO busy VALUES (1)');
    await waitFor('the holder to capture the insert', async () => (await readChanges(w, 'holder.public.busy')).some((e) => e.value?.op === 'c'));
    expect((await w.herder.connectorStatus('holder')).tasks[0]!.state).toBe('RUNNING');
    await w.stop();
  });

  test('publication.autocreate.mode=disabled and a table missing from the publication: names it and ALTER PUBLICATION', async () => {
    await pg.exec('CREATE TABLE pm_a (id int PRIMARY KEY)', 'CREATE TABLE pm_b (id int PRIMARY KEY)', 'CREATE PUBLICATION pub_pm FOR TABLE pm_a');
    const w = await worker();
    await w.herder.putConnectorConfig(
      'pubmiss',
      cdcConfig(pg, 'pubmiss', {
        'publication.name': 'pub_pm',
        'publication.autocreate.mode': 'disabled',
        'table.include.list': 'public.pm_a,public.pm_b',
      }),
      { allowReplace: true },
    );
    const message = (await failedTask(w, 'pubmiss')).split('\n')[0]!;
    expect(message).toContain('publication pub_pm does not include captured table(s) "public"."pm_b"');
    expect(message).toContain('ALTER PUBLICATION "pub_pm" ADD TABLE "public"."pm_b"');
    expect(message).not.toContain('pm_a');
    // disabled means hands off: the publication is as the user made it.
    const published = await pg.query<{ tablename: string }>(`SELECT tablename FROM pg_publication_tables WHERE pubname = 'pub_pm'`);
    expect(published.map((r) => r.tablename)).toEqual(['pm_a']);
    await w.stop();
  });
});

describe('connection problems', () => {
  test('Postgres unreachable after the connector was created: retried, then FAILED naming host:port and the keys', async () => {
    await pg.exec('CREATE TABLE unreach (id int PRIMARY KEY)');
    // Creating the connector validates the connection (through the relay); then Postgres goes away.
    const r = await relay();
    try {
      const w = await worker();
      await w.herder.putConnectorConfig(
        'unreach',
        cdcConfig(pg, 'unreach', { 'database.hostname': '127.0.0.1', 'database.port': String(r.port), 'errors.max.retries': '1', 'table.include.list': 'public.unreach' }),
        { allowReplace: true },
      );
      r.close();
      const message = (await failedTask(w, 'unreach')).split('\n')[0]!;
      expect(message).toContain(`cannot reach Postgres at 127.0.0.1:${r.port}`);
      expect(message).toContain('check database.hostname and database.port');
      expect(message, 'it failed after its retries').toContain('gave up after 1 retries; errors.max.retries');
      await w.stop();
    } finally {
      r.close();
    }
  });

  test('config validation reports an unreachable host on database.hostname and a wrong password on database.password', async () => {
    const w = await worker();
    const good = { ...cdcConfig(pg, 'validate'), name: 'validate' };
    const ok = await w.herder.validateConnectorConfig(good);
    expect(ok.configs.filter((c) => c.value.errors.length).map((c) => [c.definition.name, c.value.errors])).toEqual([]);
    expect(ok.error_count).toBe(0);

    const closed = await freePort();
    const unreachable = await w.herder.validateConnectorConfig({ ...good, 'database.hostname': '127.0.0.1', 'database.port': String(closed) });
    expect(unreachable.error_count).toBe(1);
    expect(errorsOf(unreachable, 'database.hostname').join('\n')).toContain(`cannot reach Postgres at 127.0.0.1:${closed}`);
    expect(errorsOf(unreachable, 'database.password')).toEqual([]);

    const badPassword = await w.herder.validateConnectorConfig({ ...good, 'database.password': 'not-the-password' });
    expect(badPassword.error_count).toBe(1);
    const pwErrors = errorsOf(badPassword, 'database.password').join('\n');
    expect(pwErrors).toContain(`refused user ${pg.user}`);
    expect(pwErrors).toContain('database.password');
    expect(errorsOf(badPassword, 'database.hostname')).toEqual([]);
    expect(JSON.stringify(badPassword), 'the wrong password is not echoed').not.toContain('not-the-password');
    await w.stop();
  });

  test('plugin.name=decoderbufs is refused at config time, pointing to pgoutput', async () => {
    const w = await worker();
    const config = cdcConfig(pg, 'decoderbufs', { 'plugin.name': 'decoderbufs' });
    const infos = await w.herder.validateConnectorConfig(config);
    const errors = errorsOf(infos, 'plugin.name').join('\n');
    expect(errors).toContain('only pgoutput is supported');
    expect(errors).toContain('plugin.name=pgoutput');

    const err = await w.herder.putConnectorConfig('decoderbufs', config, { allowReplace: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTributaryError(err, 'CONFIG_INVALID'), `refused with CONFIG_INVALID, got ${String(err)}`).toBe(true);
    expect((err as Error).message).toContain('plugin.name=pgoutput');
    expect(w.herder.connectors()).not.toContain('decoderbufs');
    await w.stop();
  });
});

describe('identifiers', () => {
  test('a schema, table and columns whose names need quoting are snapshotted and streamed, to a sanitized topic', async () => {
    await pg.exec(
      'CREATE SCHEMA "Mixed Case"',
      'CREATE TABLE "Mixed Case"."we""ird" ("ID" int PRIMARY KEY, "Odd Col" text, "sel""ect" int)',
      `INSERT INTO "Mixed Case"."we""ird" VALUES (1, 'snap', 10)`,
    );
    const w = await worker();
    await w.herder.putConnectorConfig(
      'quoted',
      // 'snapshot.chunk.size' small: the keyset scan's ORDER BY / WHERE on "ID" runs too.
      cdcConfig(pg, 'quoted', { 'table.include.list': 'Mixed Case\\.we"ird', 'snapshot.chunk.size': '1' }),
      { allowReplace: true },
    );
    const topic = 'quoted.Mixed_Case.we_ird';
    await waitFor('the snapshot row', async () => (await readChanges(w, topic)).some((e) => e.value?.op === 'r'), {
      describe: () => w.herder.connectorStatus('quoted'),
    });
    await pg.exec(`INSERT INTO "Mixed Case"."we""ird" VALUES (2, 'stream', 20)`, `UPDATE "Mixed Case"."we""ird" SET "Odd Col" = 'upd' WHERE "ID" = 1`);
    const events = await waitFor('the streamed changes', async () => {
      const es = await readChanges(w, topic);
      return es.filter((e) => e.value && e.value.op !== 'r').length >= 2 ? es : undefined;
    });
    expect(events.map((e) => [e.value.op, e.key, e.value.after])).toEqual([
      ['r', { ID: 1 }, { ID: 1, 'Odd Col': 'snap', 'sel"ect': 10 }],
      ['c', { ID: 2 }, { ID: 2, 'Odd Col': 'stream', 'sel"ect': 20 }],
      ['u', { ID: 1 }, { ID: 1, 'Odd Col': 'upd', 'sel"ect': 10 }],
    ]);
    for (const e of events) expect([e.value.source.schema, e.value.source.table]).toEqual(['Mixed Case', 'we"ird']);
    const published = await pg.query<{ schemaname: string; tablename: string }>(`SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = 'pub_quoted'`);
    expect(published).toEqual([{ schemaname: 'Mixed Case', tablename: 'we"ird' }]);
    expect((await w.herder.connectorStatus('quoted')).tasks[0]!.state).toBe('RUNNING');
    await w.stop();
  });
});
