/**
 * The Tributary side of `npm run bench:cdc`: an in-process worker assembled as the standalone
 * command assembles it (embedded log with the worker's `log.flush`, the built-in plugins, the
 * standalone herder; `test/kit/runtime.ts`), one connector run until its committed offset covers
 * the last change, and what arrived in the topic checked record by record afterwards.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';
import { workerSettings } from '../src/cli/standalone-app.js';
import { loadWorkerConfig } from '../src/config/worker-config.js';
import type { Log } from '../src/log/log.js';
import { openRuntime, type Runtime } from '../test/kit/runtime.js';

export interface BenchWorker {
  readonly runtime: Runtime;
  /** The worker config as `key=value` overrides (printed with the results). */
  readonly overrides: readonly string[];
}

/** Opens a worker on a fresh data dir: JsonConverter without schemas, offsets committed every `flushMs`. */
export async function openWorker(dataDir: string, flushMs: number): Promise<BenchWorker> {
  const overrides = [
    `data.dir=${dataDir}`,
    'key.converter=org.apache.kafka.connect.json.JsonConverter',
    'value.converter=org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable=false',
    'value.converter.schemas.enable=false',
    `offset.flush.interval.ms=${flushMs}`,
  ];
  const config = loadWorkerConfig({ overrides });
  if (config.get('log.flush') !== 'fsync') throw new Error('the bench expects the default log.flush=fsync');
  const runtime = await openRuntime({ dataDir, settings: workerSettings(config), flush: config.get('log.flush') });
  return { runtime, overrides };
}

export interface ConnectorRun {
  /** From putting the connector's config until its committed offset covered the last change. */
  readonly seconds: number;
  /** Process CPU time (all threads) over the same span. */
  readonly cpuSeconds: number;
  /** When the first record was in the topic, from the same start. */
  readonly firstRecordSeconds: number;
  /** Records in the topic when the run ended. */
  readonly records: number;
}

export interface RunOptions {
  readonly name: string;
  readonly config: Record<string, string>;
  readonly topic: string;
  readonly expected: number;
  /** Whether a committed offset of the connector covers the last change. */
  readonly covers: (offset: Record<string, unknown>) => boolean;
  readonly pollMs: number;
  /** Give up when nothing moves for this long. */
  readonly stallMs: number;
  /** Write a CPU profile of the timed span here (node:inspector), when set. */
  readonly profilePath?: string;
}

/** Records stored in `topic` (0 until it exists); `partitions` caches its partition count. */
async function topicCount(log: Log, topic: string, partitions: { n: number }): Promise<number> {
  if (partitions.n === 0) {
    if (!(await log.listTopics()).includes(topic)) return 0;
    partitions.n = (await log.describeTopic(topic)).partitions.length;
  }
  let n = 0;
  for (let p = 0; p < partitions.n; p++) n += (await log.latestOffset(topic, p)) - (await log.earliestOffset(topic, p));
  return n;
}

/**
 * Creates the connector and waits until every expected record is durable in the topic and the
 * connector's committed offset covers the last change (offsets are committed only for durable
 * records). Throws when a task fails or nothing moves for `stallMs`.
 */
export async function runConnector(w: BenchWorker, o: RunOptions): Promise<ConnectorRun> {
  const { herder, log } = w.runtime;
  const session = o.profilePath ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  await herder.putConnectorConfig(o.name, { name: o.name, ...o.config }, { allowReplace: false });
  let firstRecordSeconds = NaN;
  let records = 0;
  let lastMove = performance.now();
  let lastStatusCheck = performance.now();
  let seen = '';
  const partitions = { n: 0 };
  for (;;) {
    const count = await topicCount(log, o.topic, partitions);
    if (count > 0 && Number.isNaN(firstRecordSeconds)) firstRecordSeconds = elapsed();
    const offsets = (await herder.connectorOffsets(o.name)).offsets;
    const state = `${count} ${JSON.stringify(offsets)}`;
    if (count >= o.expected && offsets.some((e) => e.offset !== null && o.covers(e.offset))) {
      records = count;
      break;
    }
    const t = performance.now();
    if (state !== seen) {
      seen = state;
      lastMove = t;
    } else if (t - lastMove > o.stallMs) {
      throw new Error(`${o.name}: nothing moved for ${o.stallMs} ms: ${count} of ${o.expected} records, offsets ${JSON.stringify(offsets)}`);
    }
    if (t - lastStatusCheck > 1000) {
      lastStatusCheck = t;
      const status = await herder.connectorStatus(o.name);
      const failed = [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
      if (failed) throw new Error(`${o.name} failed: ${failed.trace ?? '(no trace)'}`);
    }
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
  const seconds = elapsed();
  const u = process.cpuUsage(c0);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(dirname(o.profilePath!), { recursive: true });
    await writeFile(o.profilePath!, JSON.stringify(profile));
  }
  return { seconds, cpuSeconds: (u.user + u.system) / 1e6, firstRecordSeconds, records };
}

export interface TopicCheck {
  readonly records: number;
  readonly keyBytes: number;
  readonly valueBytes: number;
}

/**
 * Reads the whole topic back and checks every record: key `{"id":n}`, a Debezium envelope with
 * `op` = `op` and `after.id` = n, each id 1..expected exactly once; every 997th row's `name` is
 * checked against md5(id), as the data set generates it.
 */
export async function checkTopic(log: Log, topic: string, expected: number, op: string): Promise<TopicCheck> {
  const seen = new Uint8Array(expected + 1);
  let records = 0;
  let keyBytes = 0;
  let valueBytes = 0;
  const d = await log.describeTopic(topic);
  for (let p = 0; p < d.partitions.length; p++) {
    let offset = await log.earliestOffset(topic, p);
    const end = await log.latestOffset(topic, p);
    while (offset < end) {
      const r = await log.read(topic, p, offset, { maxBytes: 8 << 20 });
      if (r.nextOffset <= offset) throw new Error(`read of ${topic}-${p}@${offset} made no progress`);
      for (const s of r.records) {
        if (!s.key || !s.value) throw new Error(`${topic}-${p}@${s.offset}: record without key or value`);
        keyBytes += s.key.length;
        valueBytes += s.value.length;
        const key = JSON.parse(s.key.toString('utf8')) as { id?: unknown };
        const value = JSON.parse(s.value.toString('utf8')) as { op?: unknown; after?: { id?: unknown; name?: unknown } };
        const id = key.id;
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > expected) throw new Error(`${topic}-${p}@${s.offset}: unexpected key ${s.key.toString('utf8')}`);
        if (value.op !== op || value.after?.id !== id) throw new Error(`${topic}-${p}@${s.offset}: expected op ${op} with after.id ${id}: ${s.value.toString('utf8').slice(0, 300)}`);
        if (id % 997 === 0 && value.after.name !== createHash('md5').update(String(id)).digest('hex')) {
          throw new Error(`${topic}-${p}@${s.offset}: name of row ${id} is ${JSON.stringify(value.after.name)}`);
        }
        if (seen[id]) throw new Error(`${topic}: row ${id} arrived twice (at ${p}@${s.offset})`);
        seen[id] = 1;
        records++;
      }
      offset = r.nextOffset;
    }
  }
  if (records !== expected) throw new Error(`${topic} holds ${records} records, expected ${expected}`);
  return { records, keyBytes, valueBytes };
}
