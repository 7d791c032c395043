/**
 * The S3 sink's memory budget with 200 topic partitions × 10 folders (FieldPartitioner on a field
 * with 10 values): 2000 open files whose records add up to about five times `memory.budget.bytes`
 * (5 MiB, its minimum), on a real S3-compatible server (s3rver, or S3_ENDPOINT), the task driven
 * in-process as the runtime drives it (test/support/s3/sink-driver.ts).
 *
 * What the task holds is counted outside its own accounting (bytes its record writers keep back,
 * plus bytes handed to uploads, minus bytes the store accepted), at every record it takes. The task
 * looks at the budget every 512 records (`BUDGET_CHECK_EVERY` in s3-sink-task.ts) and after each
 * batch, so the stated bound is the budget plus 512 records, and the budget itself after each `put`.
 *
 * Every record must land exactly once, in its folder; the cuts the budget forced must be in the cut
 * journals; and a crash before the last commit, then a replay from the committed offsets, must
 * rewrite each object the first run made after those offsets under the same key with the same
 * records: the replay makes no cut of its own up to the journal's `through`, and spills the files
 * it cannot cut to local disk instead.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaBuilder, Schemas, Struct, type SinkRecord } from '../../src/sdk/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { getObjects, jsonLines, parseDataKey, placementProblems, type DataKey, type PlacedRecord, type ReadRecord } from '../support/s3/lake-files.js';
import { useTestS3 } from '../support/s3/s3-server.js';
import { batches, sinkRecord, SinkTaskRun, tpKey } from '../support/s3/sink-driver.js';

const s3 = useTestS3();
const runs: SinkTaskRun[] = [];
afterEach(async () => {
  for (const r of runs.splice(0)) await r.stop().catch(() => {});
});

const MiB = 1024 * 1024;
const BUDGET = 5 * MiB;
/** s3-sink-task.ts: records `put` appends between two looks at the budget. */
const BUDGET_CHECK_EVERY = 512;
const PARTITIONS = 200;
const FOLDERS = 10;
const PER_PARTITION = 30;
const PAD = 4000;
const TOPIC = 'events';
const T0 = Date.UTC(2024, 4, 1, 12);
/** Idle time after which open files are flushed: only the end of a case waits that long (on the manual clock). */
const IDLE_MS = 3_600_000;
/** Batches between two commits. */
const COMMIT_EVERY = 5;

const folderOf = (p: number, o: number): string => `v${(p + o) % FOLDERS}`;

interface Format {
  readonly name: string;
  /** Whether the case also crashes and replays (the JSON case; the Parquet one stops at the first run, for time). */
  readonly replay: boolean;
  readonly props: Record<string, string>;
  readonly ext: string;
  record(p: number, o: number): SinkRecord;
  /** The bytes a record adds to what the task holds, at most. */
  readonly recordBytes: number;
  /** Each object's records, in file order, from the objects' bodies. */
  read(keys: readonly DataKey[], bodies: ReadonlyMap<string, Buffer>): Promise<Array<{ key: DataKey; records: ReadRecord[] }>>;
}

/** Random base64, which no codec shrinks much: the records stay several budgets in the files too. */
const pad = (): string => randomBytes(PAD).toString('base64').slice(0, PAD);

const json: Format = {
  name: 'JSON lines',
  replay: true,
  props: { 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat' },
  ext: '.json',
  record: (p, o) => sinkRecord(TOPIC, p, o, { p, o, f: folderOf(p, o), pad: pad() }, { timestamp: T0 }),
  recordBytes: JSON.stringify({ p: PARTITIONS, o: PER_PARTITION, f: 'v0', pad: pad() }).length + 1,
  async read(keys, bodies) {
    return keys.map((key) => ({
      key,
      records: jsonLines(key.key, bodies.get(key.key)!).map((v) => {
        const { p, o } = v as { p: number; o: number };
        return { topic: TOPIC, partition: p, offset: o };
      }),
    }));
  },
};

const ROW = SchemaBuilder.struct().name('Event').field('p', Schemas.INT32).field('o', Schemas.INT64).field('f', Schemas.STRING).field('pad', Schemas.STRING).build();

const parquet: Format = {
  name: 'Parquet (row groups flushed by bytes)',
  replay: false,
  props: { 'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat', 'parquet.codec': 'snappy', 'parquet.row.group.bytes': '6000' },
  ext: '.snappy.parquet',
  record: (p, o) => sinkRecord(TOPIC, p, o, Struct.fromValues(ROW, [p, o, folderOf(p, o), pad()]), { timestamp: T0, valueSchema: ROW }),
  // The writer's estimate of a pending row: its values plus per-value overhead.
  recordBytes: 2 * (PAD + 64),
  async read(keys, bodies) {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-memory-'));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const byPath = new Map<string, DataKey>();
      for (const [i, key] of keys.entries()) {
        const path = join(dir, `${i}.parquet`);
        await writeFile(path, bodies.get(key.key)!);
        byPath.set(path, key);
      }
      const rows = (await conn.runAndReadAll(`SELECT filename, file_row_number::BIGINT AS n, p, o::BIGINT AS o FROM read_parquet('${dir}/*.parquet', filename = true, file_row_number = true) ORDER BY filename, n`))
        .getRowObjectsJS() as Array<{ filename: string; n: bigint; p: number; o: bigint }>;
      const out = new Map<string, { key: DataKey; records: ReadRecord[] }>();
      for (const key of keys) out.set(key.key, { key, records: [] });
      for (const r of rows) out.get(byPath.get(r.filename)!.key)!.records.push({ topic: TOPIC, partition: r.p, offset: Number(r.o) });
      return [...out.values()];
    } finally {
      conn.closeSync();
      db.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

let cases = 0;

async function dataKeys(dir: string): Promise<DataKey[]> {
  return (await s3.listKeys(`${dir}/`)).map((k) => parseDataKey(dir, k)).filter((k) => k !== null);
}

/** Every partition's saved cuts. */
async function journals(dir: string): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  const keys = await s3.listKeys(`${dir}/_tributary/cuts/`);
  const bodies = await getObjects(s3, keys);
  for (const k of keys) {
    const m = new RegExp(`/${TOPIC}\\+(\\d+)\\.json$`).exec(k);
    expect(m, `journal key ${k}`).not.toBeNull();
    const j = JSON.parse(bodies.get(k)!.toString('utf8')) as { version: number; cuts: number[] };
    expect(j.version).toBe(1);
    out.set(Number(m![1]), j.cuts);
  }
  return out;
}

/**
 * Delivers `log` from `from` in batches of 500 (runs of 5 records per partition), committing every
 * `COMMIT_EVERY` batches, and checks the held bytes after every `put`. Returns the number of batches.
 */
async function deliver(run: SinkTaskRun, log: Map<number, SinkRecord[]>, from?: ReadonlyMap<string, number>): Promise<number> {
  const all = batches(log, { perRun: 5, batchSize: 500, from });
  for (const [i, b] of all.entries()) {
    await run.put(b);
    expect(run.probe.held(), `bytes held after put ${i + 1}`).toBeLessThanOrEqual(BUDGET);
    if ((i + 1) % COMMIT_EVERY === 0) await run.preCommit();
  }
  return all.length;
}

describe('memory budget: 200 partitions × 10 folders, about five times the budget', () => {
  for (const format of [json, parquet]) {
    it(`${format.name}: the held bytes stay within the budget + 512 records; every record once; memory cuts journaled${format.replay ? '; a replay from the committed offsets rewrites the same keys' : ''}`, async () => {
      const dir = `memory-${process.pid}-${++cases}`;
      const props = {
        ...s3.sinkConfig(),
        'topics.dir': dir,
        ...format.props,
        'partitioner.class': 'FieldPartitioner',
        'partition.field.name': 'f',
        'flush.size': '100000',
        'rotate.interval.ms': String(IDLE_MS),
        'timestamp.extractor': 'Record',
        'memory.budget.bytes': String(BUDGET),
        's3.part.size': String(5 * MiB),
      };
      const log = new Map<number, SinkRecord[]>();
      const written: PlacedRecord[] = [];
      for (let p = 0; p < PARTITIONS; p++) {
        log.set(p, Array.from({ length: PER_PARTITION }, (_, o) => format.record(p, o)));
        for (let o = 0; o < PER_PARTITION; o++) written.push({ topic: TOPIC, partition: p, offset: o, encoded: `f=${folderOf(p, o)}` });
      }
      const partitions = [...log.keys()].map((p) => ({ topic: TOPIC, partition: p }));
      const bound = BUDGET + BUDGET_CHECK_EVERY * format.recordBytes;
      const clock = new ManualClock(Date.UTC(2024, 4, 1, 12, 5));

      // First run: everything delivered, commits every few batches, then (JSON) a crash before the last commit.
      const first = await SinkTaskRun.start(props, { clock, partitions });
      runs.push(first);
      await deliver(first, log);
      expect(first.probe.samples).toBe(PARTITIONS * PER_PARTITION);
      expect(first.probe.max, `the most held at any record (bound ${bound})`).toBeLessThanOrEqual(bound);
      expect(first.probe.max, 'the budget was reached (the case tests something)').toBeGreaterThan(BUDGET);
      expect(first.store.dataBytesSent, 'the records add up to several budgets').toBeGreaterThan(3 * BUDGET);
      const committed = new Map(first.committed);
      const idleFlush = async (run: SinkTaskRun): Promise<void> => {
        clock.advance(IDLE_MS);
        await run.preCommit();
        expect(run.committed).toEqual(new Map(partitions.map((tp) => [tpKey(tp.topic, tp.partition), PER_PARTITION])));
        expect(run.probe.held(), 'nothing is held once every file is complete').toBe(0);
        expect(run.signals.errors).toEqual([]);
      };
      if (!format.replay) {
        // No crash: the last files are flushed when the partitions fall idle.
        await idleFlush(first);
        expect((await journals(dir)).size, 'partitions with journaled cuts').toBeGreaterThan(PARTITIONS / 2);
        const lake = await dataKeys(dir);
        expect(lake.every((k) => k.ext === format.ext)).toBe(true);
        expect(placementProblems(await format.read(lake, await getObjects(s3, lake.map((k) => k.key))), written)).toEqual([]);
        return;
      }
      first.crash();
      runs.splice(runs.indexOf(first), 1);

      const afterFirst = await dataKeys(dir);
      expect(afterFirst.every((k) => k.ext === format.ext)).toBe(true);
      const cuts = await journals(dir);
      expect(cuts.size, 'partitions with journaled cuts').toBeGreaterThan(PARTITIONS / 2);
      // Every boundary of the first run after the committed offsets is a journaled cut: only the budget cut.
      const firstFiles = await format.read(afterFirst, first.store.objects);
      for (const { key, records } of firstFiles) {
        const c = committed.get(tpKey(TOPIC, key.partition)) ?? 0;
        if (key.startOffset < c) continue;
        const lo = records[0]!.offset;
        const hi = records[records.length - 1]!.offset;
        const mine = cuts.get(key.partition) ?? [];
        expect(mine.some((x) => x >= hi), `${key.key} (${lo}..${hi}) ends a journaled segment (${mine})`).toBe(true);
        expect(mine.filter((x) => x >= lo && x < hi), `${key.key} (${lo}..${hi}) spans no journaled cut`).toEqual([]);
      }

      // The replay: a new task from the committed offsets; up to each journal's `through` the budget
      // cannot cut (the first run's segments are formed again), so it spills to local disk; then idle.
      const second = await SinkTaskRun.start(props, { clock, partitions, from: committed });
      runs.push(second);
      await deliver(second, log, committed);
      expect(second.probe.max).toBeLessThanOrEqual(bound);
      await idleFlush(second);
      expect(second.probe.spill?.onDisk() ?? 0, 'every spilled byte was read back').toBe(0);

      // Each object the first run made after the committed offsets is written again under the same
      // key with the same records, although the replay's batches differ from the first run's.
      const replayed = afterFirst.filter((k) => k.startOffset >= (committed.get(tpKey(TOPIC, k.partition)) ?? 0));
      expect(replayed.length, 'objects the first run made after its last commit').toBeGreaterThan(0);
      expect(replayed.filter((k) => !second.store.objects.has(k.key)).map((k) => k.key), 'objects not rewritten by the replay').toEqual([]);
      const lake = await dataKeys(dir);
      const files = await format.read(lake, await getObjects(s3, lake.map((k) => k.key)));
      const before = new Map(firstFiles.map((f) => [f.key.key, f.records]));
      const after = new Map(files.map((f) => [f.key.key, f.records]));
      for (const k of replayed) expect(after.get(k.key), `${k.key} rewritten with the first run's records`).toEqual(before.get(k.key));
      expect(placementProblems(files, written)).toEqual([]);
    }, 240_000);
  }
});

/**
 * A cut the budget forced during a replay, where the first run made none, would move the count cuts
 * after it, so objects the first run completed past the committed offset would not be rewritten and
 * their records would be in the lake twice. The journal's `through` marks the records the first run
 * cut: up to it the replay makes no cut of its own and spills instead. Records of 1 MiB, flush.size
 * 4, budget 5 MiB.
 */
describe('memory budget during a replay', () => {
  it('a budget cut the first run did not make, then count cuts: every record still once', async () => {
    const dir = `memory-${process.pid}-${++cases}`;
    const props = { ...s3.sinkConfig(), 'topics.dir': dir, 'format.class': 'JsonFormat', 'flush.size': '4', 'memory.budget.bytes': String(BUDGET), 's3.part.size': String(5 * MiB) };
    const big = (p: number, o: number): SinkRecord => sinkRecord(TOPIC, p, o, { p, o, pad: 'y'.repeat(MiB) });
    const a = Array.from({ length: 8 }, (_, o) => big(0, o));
    const others = [1, 2, 3, 4].map((p) => big(p, 0));
    const partitions = [0, 1, 2, 3, 4].map((p) => ({ topic: TOPIC, partition: p }));
    const clock = new ManualClock(T0);

    // First run: partition 0 alone, cut by count after 3 and 7 (4 MiB each: never over the budget); a crash before any commit.
    const first = await SinkTaskRun.start(props, { clock, partitions });
    runs.push(first);
    await first.put(a.slice(0, 4));
    await first.put(a.slice(4));
    expect(first.store.visibleDataKeys()).toEqual([0, 4].map((o) => `${dir}/${TOPIC}/partition=0/${TOPIC}+0+${String(o).padStart(10, '0')}.json`));
    first.crash();
    runs.splice(runs.indexOf(first), 1);

    // The replay from 0 gets two records of partition 0 with one of each other partition: 6 MiB, over
    // the budget. Partition 0 is replaying (up to 7): the budget cuts another partition, not it.
    const second = await SinkTaskRun.start(props, { clock, partitions });
    runs.push(second);
    await second.put([...a.slice(0, 2), ...others]);
    expect(second.probe.held()).toBeLessThanOrEqual(BUDGET);
    await second.put(a.slice(2));
    expect(second.store.visibleDataKeys().filter((k) => k.includes('/partition=0/'))).toEqual(first.store.visibleDataKeys());
    const lake = await dataKeys(dir);
    const files = await json.read(lake, await getObjects(s3, lake.map((k) => k.key)));
    const written = a.map((r) => ({ topic: TOPIC, partition: 0, offset: r.kafkaOffset, encoded: 'partition=0' }));
    // Without `through`: offsets 4 and 5 would be in the replay's +2 (2..5) and in the first run's +4 (4..7).
    expect(placementProblems(files.filter((f) => f.key.partition === 0), written)).toEqual([]);
  });

  it('every partition replaying: nothing can be cut, so the open files spill to local disk; the same objects, the same bytes; the spill directory goes on stop', async () => {
    const dir = `memory-${process.pid}-${++cases}`;
    const spillDir = await mkdtemp(join(tmpdir(), 'tributary-spill-test-'));
    try {
      const props = { ...s3.sinkConfig(), 'topics.dir': dir, 'format.class': 'JsonFormat', 'flush.size': '4', 'memory.budget.bytes': String(BUDGET), 's3.part.size': String(5 * MiB), 's3.spill.dir': spillDir };
      const big = (p: number, o: number): SinkRecord => sinkRecord(TOPIC, p, o, { p, o, pad: String.fromCharCode(97 + ((p + o) % 26)).repeat(MiB) });
      const partitions = [0, 1, 2, 3, 4].map((p) => ({ topic: TOPIC, partition: p }));
      const log = partitions.map(({ partition: p }) => Array.from({ length: 4 }, (_, o) => big(p, o)));
      const clock = new ManualClock(T0);

      // First run: one partition at a time (4 MiB, never over the budget), each cut by count after 3; a crash before any commit.
      const first = await SinkTaskRun.start(props, { clock, partitions });
      runs.push(first);
      for (const records of log) await first.put(records);
      expect(first.probe.spill?.writes ?? 0).toBe(0);
      first.crash();
      runs.splice(runs.indexOf(first), 1);

      // The replay: three records of every partition first (15 MiB), all inside the first run's segments.
      const second = await SinkTaskRun.start(props, { clock, partitions });
      runs.push(second);
      await second.put(log.flatMap((records) => records.slice(0, 3)));
      expect(second.probe.held(), 'within the budget once the files spilled').toBeLessThanOrEqual(BUDGET);
      expect(second.store.visibleDataKeys(), 'no cut inside the replay region').toEqual([]);
      expect(second.probe.spill!.onDisk()).toBeGreaterThan(5 * MiB);
      const [taskDir] = await readdir(spillDir);
      expect(taskDir, 'the task spills into a directory of its own').toMatch(/^tributary-s3-spill-/);
      expect((await readdir(join(spillDir, taskDir!))).length).toBeGreaterThan(0);

      await second.put(log.flatMap((records) => records.slice(3)));
      expect(second.probe.spill!.onDisk(), 'every spilled byte was read back').toBe(0);
      expect(await readdir(join(spillDir, taskDir!)), 'spill files are deleted once their objects are complete').toEqual([]);
      expect(second.store.visibleDataKeys().sort()).toEqual(first.store.visibleDataKeys().sort());
      for (const key of first.store.visibleDataKeys()) expect(second.store.objects.get(key)!.equals(first.store.objects.get(key)!), key).toBe(true);
      expect((await second.preCommit()).map((o) => o.offset)).toEqual([4, 4, 4, 4, 4]);

      runs.splice(runs.indexOf(second), 1);
      await second.stop();
      expect(await readdir(spillDir)).toEqual([]);

      // A third replay from 0, stopped with spilled open files: they and the task's directory are removed.
      const third = await SinkTaskRun.start(props, { clock, partitions });
      runs.push(third);
      await third.put(log.flatMap((records) => records.slice(0, 3)));
      expect(third.probe.spill!.onDisk()).toBeGreaterThan(5 * MiB);
      runs.splice(runs.indexOf(third), 1);
      await third.stop();
      expect(await readdir(spillDir)).toEqual([]);
    } finally {
      await rm(spillDir, { recursive: true, force: true });
    }
  });
});
