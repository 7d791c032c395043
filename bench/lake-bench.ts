/**
 * Benchmark of the S3 sink writing a data lake (Parquet, zstd) from CDC records already in the log,
 * against hyparquet-writer writing the same rows straight to a local file, in the same run (not a
 * test; run `npm run bench:lake`).
 *
 * Data set: LAKE_BENCH_ROWS (default 1,000,000) rows of the bench:cdc table (bigint key, md5 text,
 * numeric(12,2), timestamptz, small jsonb; `lake-bench-data.ts`) as Debezium `c` envelopes made by
 * the Postgres CDC source's own TableModel and EventBuilder (Connect Decimal scale 2,
 * io.debezium.time.ZonedTimestamp with µs, io.debezium.data.Json), converted by the worker's
 * JsonConverter with `schemas.enable=true` (a Parquet sink needs the schema) and appended to topic
 * `cdcbench.public.bench` (1 partition) of the embedded log before the clock starts.
 *
 * Worker: in process, assembled as `tributary standalone` does (`test/kit/runtime.ts`), embedded log
 * with the default `log.flush=fsync`, JsonConverter key+value with schemas, `offset.flush.interval.ms`
 * LAKE_BENCH_FLUSH_MS (default 1000), other worker settings default. S3: s3rver in a child process
 * (`test/support/s3/s3-server.ts`), or `S3_ENDPOINT`.
 *
 *  - Tributary: timed from putting the S3 sink config (ParquetFormat, `parquet.codec=zstd`,
 *    `cdc.flatten=true`, `flush.size` LAKE_BENCH_FLUSH_SIZE, default rows / 5, so several objects;
 *    other keys default: `parquet.row.group.bytes` 32 MiB, `s3.part.size` 25 MiB, DefaultPartitioner)
 *    until consumer group `connect-lake-bench` has committed the topic's end offset (the sink commits
 *    only past complete objects). Then the bucket is checked: footers (hyparquet) add up to the rows,
 *    object start offsets tile the topic, and DuckDB finds every row once with its values and the
 *    same Parquet schema and aggregates as the baseline file (`lake-bench-check.ts`).
 *  - Baseline: hyparquet-writer's `ParquetWriter` alone on its `fileWriter`, the same flattened
 *    columns, schema elements, codec and row-group cuts, only the write timed
 *    (`lake-bench-baseline.ts`).
 *
 * Order: baseline, Tributary, baseline; the baseline figure is the faster pass (conservative). Each
 * timed line shows process CPU and the 1-minute load average before it (other work on the machine
 * slows wall time, not CPU per row). Also shown, not a result: the first 100,000 records read and
 * converted (key and value) alone, the share of the sink's time that goes to log and JsonConverter.
 * LAKE_BENCH_PROFILE_DIR=<dir> writes a CPU profile of the Tributary span (lake.cpuprofile);
 * summarise it with `node dist/bench/cpuprofile-top.js <file>`. Also: LAKE_BENCH_POLL_MS (5),
 * LAKE_BENCH_STALL_MS (60000), LAKE_BENCH_DIR (scratch directory, default `.bench-tmp`).
 *
 * Last line: `RESULT lake rows_per_s=… baseline_rows_per_s=… ratio=…` (target ≥ 0.7).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { workerSettings } from '../src/cli/standalone-app.js';
import { loadWorkerConfig } from '../src/config/worker-config.js';
import { kitConverters, openRuntime, type Runtime } from '../test/kit/runtime.js';
import { startS3, type TestS3 } from '../test/support/s3/s3-server.js';
import { benchDir, envNumber, machine } from './bench-env.js';
import { baselineData, writeBaseline, type BaselineRun } from './lake-bench-baseline.js';
import { checkObjects, duckCheck } from './lake-bench-check.js';
import { decodeOnly, loadTopic } from './lake-bench-data.js';

const ROWS = Math.floor(envNumber('LAKE_BENCH_ROWS', 1_000_000, 1));
const FLUSH_SIZE = Math.floor(envNumber('LAKE_BENCH_FLUSH_SIZE', Math.max(1, Math.floor(ROWS / 5)), 1));
const FLUSH_MS = Math.floor(envNumber('LAKE_BENCH_FLUSH_MS', 1000, 1));
const POLL_MS = envNumber('LAKE_BENCH_POLL_MS', 5, 1);
const STALL_MS = envNumber('LAKE_BENCH_STALL_MS', 60_000, 100);
const PROFILE_DIR = process.env['LAKE_BENCH_PROFILE_DIR'] || undefined;
const BASE_DIR = benchDir('LAKE_BENCH_DIR');
const NAME = 'lake-bench';
const ROW_GROUP_BYTES = 32 << 20; // the sink's default parquet.row.group.bytes
const MiB = 1024 * 1024;
const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
/** The 1-minute load average: other work on the machine shows here (the runs are wall-clock timed). */
const load = (): string => `load average ${os.loadavg()[0]!.toFixed(2)} before`;

interface Worker {
  readonly runtime: Runtime;
  readonly converters: Awaited<ReturnType<typeof kitConverters>>;
}

async function openWorker(dataDir: string): Promise<Worker> {
  const overrides = [
    `data.dir=${dataDir}`,
    'key.converter=org.apache.kafka.connect.json.JsonConverter',
    'value.converter=org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable=true',
    'value.converter.schemas.enable=true',
    `offset.flush.interval.ms=${FLUSH_MS}`,
  ];
  const config = loadWorkerConfig({ overrides });
  if (config.get('log.flush') !== 'fsync') throw new Error('the bench expects the default log.flush=fsync');
  const settings = workerSettings(config);
  const runtime = await openRuntime({ dataDir, settings, flush: config.get('log.flush') });
  return { runtime, converters: await kitConverters({ dataDir, settings }, {}) };
}

/** Busy and total CPU time of the whole machine (all processes, s3rver included), in ms. */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

interface SinkRun {
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** Share of all cores busy over the span (all processes). */
  readonly machineBusy: number;
  /** Committed offsets as they moved: [seconds, offset]. */
  readonly commits: ReadonlyArray<readonly [number, number]>;
}

async function runSink(w: Worker, topic: string, config: Record<string, string>, profilePath?: string): Promise<SinkRun> {
  const { herder, log } = w.runtime;
  const session = profilePath ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const m0 = machineCpu();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  await herder.putConnectorConfig(NAME, { name: NAME, ...config }, { allowReplace: false });
  const commits: Array<[number, number]> = [];
  let committed = -1;
  let lastMove = performance.now();
  let lastStatus = performance.now();
  while (committed < ROWS) {
    const [c] = await log.fetchOffsets(`connect-${NAME}`, [{ topic, partition: 0 }]);
    const t = performance.now();
    if (c && c.offset !== committed) {
      committed = c.offset;
      commits.push([elapsed(), committed]);
      lastMove = t;
      continue;
    }
    if (t - lastMove > STALL_MS) throw new Error(`${NAME}: the committed offset stayed at ${committed} of ${ROWS} for ${STALL_MS} ms`);
    if (t - lastStatus > 1000) {
      lastStatus = t;
      const status = await herder.connectorStatus(NAME);
      const failed = [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
      if (failed) throw new Error(`${NAME} failed: ${failed.trace ?? '(no trace)'}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const seconds = elapsed();
  const u = process.cpuUsage(c0);
  const m1 = machineCpu();
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(dirname(profilePath!), { recursive: true });
    await writeFile(profilePath!, JSON.stringify(profile));
  }
  return { seconds, cpuSeconds: (u.user + u.system) / 1e6, machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total), commits };
}

async function main(): Promise<void> {
  if (ROWS % FLUSH_SIZE !== 0) {
    throw new Error(`LAKE_BENCH_FLUSH_SIZE=${FLUSH_SIZE} must divide LAKE_BENCH_ROWS=${ROWS}: the last object is complete only when flush.size records reached it (no rotation is configured)`);
  }
  await mkdir(BASE_DIR, { recursive: true });
  const root = await mkdtemp(join(BASE_DIR, 'lake-bench-'));
  const topic = 'cdcbench.public.bench';
  let s3: TestS3 | null = null;
  let worker: Worker | null = null;
  try {
    console.log('lake bench: CDC envelopes in the embedded log → S3 sink (Parquet, zstd) on a local S3 server vs hyparquet-writer to a local file');
    for (const l of machine(root)) console.log(`  ${l}`);
    console.log(`  data: ${fmtInt(ROWS)} Debezium c events of the bench:cdc table (id int8, name md5 text, amount numeric(12,2) → Decimal scale 2, created_at timestamptz → ZonedTimestamp µs, payload jsonb → Json), topic ${topic}, 1 partition`);

    const baseRuns: BaselineRun[] = [];
    const baseline = async (k: number): Promise<string> => {
      const b0 = performance.now();
      const data = baselineData(ROWS, topic, ROW_GROUP_BYTES);
      const built = (performance.now() - b0) / 1000;
      const file = join(root, `baseline-${k}.parquet`);
      const before = load();
      const r = writeBaseline(file, data);
      baseRuns.push(r);
      console.log(
        `${`baseline pass ${k} (hyparquet-writer → file)`.padEnd(40)} ${fmtInt(ROWS / r.seconds).padStart(10)} rows/s ${(r.bytes / MiB / r.seconds).toFixed(1).padStart(6)} MiB/s of Parquet  ` +
          `(${r.seconds.toFixed(2)} s; process CPU ${r.cpuSeconds.toFixed(2)} s; ${(r.bytes / MiB).toFixed(1)} MiB in ${data.rowGroupSizes.length} row groups of ${fmtInt(data.rowGroupSizes[0]!)} rows; columns built untimed in ${built.toFixed(1)} s; ${before})`,
      );
      return file;
    };
    const baseFile = await baseline(1);

    s3 = await startS3({ bucket: `lake-bench-${process.pid}` });
    worker = await openWorker(join(root, 'worker'));
    console.log(`  s3: ${s3.kind === 's3rver' ? 's3rver 3.7.1 in a child process' : 'S3_ENDPOINT'} at ${s3.endpoint}, bucket ${s3.bucket}`);
    console.log(`  worker: in process, log.flush=fsync, JsonConverter key+value schemas.enable=true, offset.flush.interval.ms=${FLUSH_MS}, consumer.max.poll.records 500, fetch 1 MiB per partition (defaults)`);
    const loaded = await loadTopic(worker.runtime.log, worker.converters, ROWS);
    console.log(
      `  loaded (untimed): ${fmtInt(loaded.records)} records in ${fmtInt(loaded.appends)} appends, ${((loaded.keyBytes + loaded.valueBytes) / MiB).toFixed(0)} MiB ` +
        `(${(loaded.valueBytes / loaded.records).toFixed(0)} B per value, ${(loaded.keyBytes / loaded.records).toFixed(0)} B per key, schema included) in ${loaded.seconds.toFixed(1)} s`,
    );

    const config: Record<string, string> = {
      'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
      'tasks.max': '1',
      topics: topic,
      ...s3.sinkConfig(),
      'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
      'parquet.codec': 'zstd',
      'flush.size': String(FLUSH_SIZE),
      'cdc.flatten': 'true',
    };
    console.log(`  sink: S3SinkConnector, tasks.max=1, ParquetFormat, parquet.codec=zstd, flush.size=${FLUSH_SIZE}, cdc.flatten=true (measured: flattened rows), other keys default (parquet.row.group.bytes 32 MiB, s3.part.size 25 MiB, DefaultPartitioner, Wallclock)`);
    const before = load();
    const run = await runSink(worker, topic, config, PROFILE_DIR && join(PROFILE_DIR, 'lake.cpuprofile'));
    const decode = await decodeOnly(worker.runtime.log, worker.converters, topic, Math.min(ROWS, 100_000));
    const errors = worker.runtime.errorLines();
    if (errors.length) throw new Error(`the worker logged errors:\n${errors.join('\n')}`);
    await worker.runtime.stop();
    worker = null;

    const lakeDir = join(root, 'lake');
    await mkdir(lakeDir);
    const objects = await checkObjects(s3, `topics/${topic}/`, ROWS, lakeDir);
    const cores = os.cpus().length;
    console.log(
      `${'Tributary (log → S3 sink → s3rver)'.padEnd(40)} ${fmtInt(ROWS / run.seconds).padStart(10)} rows/s ${(objects.bytes / MiB / run.seconds).toFixed(1).padStart(6)} MiB/s of Parquet  ` +
        `(${run.seconds.toFixed(2)} s; process CPU ${run.cpuSeconds.toFixed(2)} s = ${((run.cpuSeconds / ROWS) * 1e6).toFixed(1)} µs/row; machine ${(run.machineBusy * 100).toFixed(0)} % of ${cores} cores busy, s3rver included; ${before}; ` +
        `${((loaded.keyBytes + loaded.valueBytes) / MiB / run.seconds).toFixed(0)} MiB/s of log records)`,
    );
    console.log(
      `${'(info) log read + JsonConverter only'.padEnd(40)} ${fmtInt(decode.records / decode.seconds).padStart(10)} rows/s  ` +
        `(first ${fmtInt(decode.records)} records, key and value toConnectData as the sink runner calls it, nothing else; ${((decode.cpuSeconds / decode.records) * 1e6).toFixed(1)} µs CPU per record)`,
    );
    console.log(`  commits: ${run.commits.map(([t, o]) => `${fmtInt(o)}@${t.toFixed(2)}s`).join(' ')}`);
    console.log(
      `  checked: ${objects.keys.length} objects, ${(objects.bytes / MiB).toFixed(1)} MiB, ${fmtInt(objects.rows)} rows by their footers (${objects.objectRows.map(fmtInt).join(' + ')}), ` +
        `start offsets tile 0..${ROWS - 1}; ${objects.rowGroups} row groups (first object: ${objects.firstRowGroups.map(fmtInt).join(' + ')} rows); ${objects.others.length} other key(s) (cut journal)`,
    );
    const duck = await duckCheck(objects.files, baseFile, ROWS);
    console.log(`  DuckDB: lake = baseline file in Parquet schema and aggregates; ${duck.summary}`);
    console.log(`  columns: ${duck.columns}`);
    await rm(lakeDir, { recursive: true, force: true });
    await s3.stop();
    s3 = null;

    await baseline(2);
    const fastest = baseRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const best = fastest.seconds;
    const rate = ROWS / run.seconds;
    const baseRate = ROWS / best;
    console.log(`  baseline: the faster of ${baseRuns.length} passes (conservative); Tributary ran between them; Parquet ${(objects.bytes / MiB).toFixed(1)} MiB in the lake vs ${(baseRuns[0]!.bytes / MiB).toFixed(1)} MiB baseline`);
    console.log(
      `  CPU per row: Tributary ${((run.cpuSeconds / ROWS) * 1e6).toFixed(1)} µs (process CPU / rows; s3rver not included), baseline ${((fastest.cpuSeconds / ROWS) * 1e6).toFixed(1)} µs (its faster pass); ` +
        `ratio ${rate / baseRate >= 0.7 ? 'meets' : 'misses'} the 0.7 target`,
    );
    console.log(`RESULT lake rows_per_s=${Math.round(rate)} baseline_rows_per_s=${Math.round(baseRate)} ratio=${(rate / baseRate).toFixed(2)}`);
  } finally {
    await worker?.runtime.stop().catch(() => {});
    await s3?.stop().catch(() => {});
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
