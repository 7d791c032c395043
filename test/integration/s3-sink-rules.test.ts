/**
 * The S3 sink's partitioners and rotation rules through the whole task (S3SinkTask, its plan, the
 * record writers and the S3 object store) on a real S3-compatible server (s3rver, or S3_ENDPOINT),
 * driven in-process as the runtime drives it, with a manual clock (test/support/s3/sink-driver.ts).
 *
 * Each case compares the whole lake with the objects Confluent's S3 sink names for the same records,
 * `<topics.dir>/<topic>/<encoded partition>/<topic>+<partition>+<start offset, 10 digits>.<ext>`,
 * each with its records in offset order: every partitioner; flush.size; flush.size.bytes;
 * rotate.interval.ms on the Record and RecordField extractors (record-time cuts are not journaled,
 * the idle flush is); rotate.schedule.interval.ms on the wall clock (journaled, and replayed after a
 * crash into the same object; not firing inside the segments a crashed run cut); and a Parquet file whose schema gains an optional column mid-stream,
 * read back by DuckDB.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaBuilder, Schemas, Struct, type Schema, type SinkRecord } from '../../src/sdk/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { getObjects, jsonLines, parseDataKey } from '../support/s3/lake-files.js';
import { useTestS3 } from '../support/s3/s3-server.js';
import { sinkRecord, SinkTaskRun, tpKey } from '../support/s3/sink-driver.js';

const s3 = useTestS3();
const TOPIC = 'orders';

let cases = 0;
const runs: SinkTaskRun[] = [];
afterEach(async () => {
  for (const r of runs.splice(0)) await r.stop().catch(() => {});
});

/** A JSON sink config writing under a `topics.dir` of its own. */
function sinkConfig(extra: Record<string, string>): Record<string, string> {
  return {
    ...s3.sinkConfig(),
    'topics.dir': `rules-${process.pid}-${++cases}`,
    'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
    ...extra,
  };
}

async function start(props: Record<string, string>, partitions: number[], o: { clock?: ManualClock; from?: ReadonlyMap<string, number> } = {}): Promise<SinkTaskRun> {
  const run = await SinkTaskRun.start(props, { clock: o.clock ?? new ManualClock(Date.UTC(2024, 4, 1, 12)), partitions: partitions.map((p) => ({ topic: TOPIC, partition: p })), from: o.from });
  runs.push(run);
  return run;
}

const pad = (offset: number): string => String(offset).padStart(10, '0');
const keyOf = (dir: string, folder: string, partition: number, start: number, ext = '.json'): string => `${dir}/${TOPIC}/${folder}/${TOPIC}+${partition}+${pad(start)}${ext}`;

/** Every JSON data object under `dir`: key → its lines. */
async function jsonLake(dir: string): Promise<Record<string, unknown[]>> {
  const keys = (await s3.listKeys(`${dir}/`)).filter((k) => parseDataKey(dir, k) !== null);
  const bodies = await getObjects(s3, keys);
  return Object.fromEntries(keys.map((k) => [k, jsonLines(k, bodies.get(k)!)]));
}

async function journal(dir: string, partition: number): Promise<unknown> {
  const key = `${dir}/_tributary/cuts/${TOPIC}+${partition}.json`;
  return (await s3.listKeys(key)).includes(key) ? JSON.parse((await s3.getObject(key)).toString('utf8')) : null;
}

/**
 * The objects the sink must write for `records` (one partition, in offset order) cut into segments
 * ending after the offsets in `cutsAfter`: per segment, one file per folder named by its first offset.
 */
function expectedObjects(dir: string, records: readonly SinkRecord[], folderOf: (r: SinkRecord) => string, cutsAfter: readonly number[], ext = '.json'): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  let segment = new Map<string, string>();
  for (const r of records) {
    const folder = folderOf(r);
    let key = segment.get(folder);
    if (key === undefined) segment.set(folder, (key = keyOf(dir, folder, r.kafkaPartition, r.kafkaOffset, ext)));
    (out[key] ??= []).push(r.value);
    if (cutsAfter.includes(r.kafkaOffset)) segment = new Map();
  }
  return out;
}

describe('partitioners: object keys as Confluent names them, records in their folders', () => {
  // 45 minutes apart from 2024-03-30 22:30 UTC: across midnight, and across the spring-forward gap
  // in Europe/Berlin (2024-03-31 02:00 local time does not exist).
  const BASE = Date.UTC(2024, 2, 30, 22, 30);
  const at = (offset: number): number => BASE + offset * 45 * 60_000;
  const local = (ts: number, zone: string): Record<string, string> =>
    Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(ts).map((p) => [p.type, p.value]));
  const REGIONS = ['eu', 'us', 'apac'];
  const value = (p: number, o: number) => ({ id: `${p}:${o}`, region: REGIONS[(o + p) % 3], tier: o % 2 });

  const cases: Array<{ name: string; props: Record<string, string>; folder: (r: SinkRecord) => string }> = [
    { name: 'DefaultPartitioner', props: {}, folder: (r) => `partition=${r.kafkaPartition}` },
    {
      name: 'FieldPartitioner on two fields',
      props: { 'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner', 'partition.field.name': 'region,tier' },
      folder: (r) => {
        const v = r.value as { region: string; tier: number };
        return `region=${v.region}/tier=${v.tier}`;
      },
    },
    {
      name: 'TimeBasedPartitioner (2-hour buckets, UTC)',
      props: {
        'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner',
        'path.format': "'dt'=YYYY-MM-dd/'hr'=HH/",
        'partition.duration.ms': '7200000',
        locale: 'en-US',
        timezone: 'UTC',
        'timestamp.extractor': 'Record',
      },
      folder: (r) => {
        const d = new Date(Math.floor(r.timestamp! / 7_200_000) * 7_200_000).toISOString();
        return `dt=${d.slice(0, 10)}/hr=${d.slice(11, 13)}`;
      },
    },
    {
      name: 'DailyPartitioner (Europe/Berlin)',
      props: { 'partitioner.class': 'io.confluent.connect.storage.partitioner.DailyPartitioner', locale: 'de-DE', timezone: 'Europe/Berlin', 'timestamp.extractor': 'Record' },
      folder: (r) => {
        const l = local(r.timestamp!, 'Europe/Berlin');
        return `year=${l.year}/month=${l.month}/day=${l.day}`;
      },
    },
    {
      name: 'HourlyPartitioner (Europe/Berlin, across the spring-forward gap)',
      props: { 'partitioner.class': 'HourlyPartitioner', locale: 'de-DE', timezone: 'Europe/Berlin', 'timestamp.extractor': 'Record' },
      folder: (r) => {
        const l = local(r.timestamp!, 'Europe/Berlin');
        return `year=${l.year}/month=${l.month}/day=${l.day}/hour=${l.hour}`;
      },
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const props = sinkConfig({ 'flush.size': '4', ...c.props });
      const dir = props['topics.dir']!;
      const run = await start(props, [0, 1]);
      const log = [0, 1].map((p) => Array.from({ length: 8 }, (_, o) => sinkRecord(TOPIC, p, o, value(p, o), { timestamp: at(o + p) })));
      // Partition runs as a consumer fetch delivers them: 0..2 of each, then the rest.
      await run.put([...log[0]!.slice(0, 3), ...log[1]!.slice(0, 3)]);
      await run.put([...log[1]!.slice(3), ...log[0]!.slice(3)]);
      expect(await run.preCommit()).toEqual([0, 1].map((p) => ({ topic: TOPIC, partition: p, offset: 8 })));

      const expected = Object.assign({}, ...[0, 1].map((p) => expectedObjects(dir, log[p]!, c.folder, [3, 7])));
      expect(Object.keys(expected).length, 'the records span several folders per segment').toBeGreaterThan(c.name.startsWith('Default') ? 3 : 4);
      expect(await jsonLake(dir)).toEqual(expected);
      // Count cuts are found again in the records: no cut is journaled, only the last offset cut (`through`).
      for (const p of [0, 1]) expect(await journal(dir, p)).toEqual({ version: 1, cuts: [], through: 7 });
      expect(run.signals.errors).toEqual([]);
    });
  }

  it('the Berlin folders skip the hour that does not exist', () => {
    const hours = Array.from({ length: 9 }, (_, o) => local(at(o), 'Europe/Berlin').hour);
    expect(hours).toEqual(['23', '00', '01', '01', '03', '04', '05', '05', '06']);
  });
});

describe('rotation rules', () => {
  it('flush.size.bytes: the segment is cut when one file reaches the bytes, all its files with it', async () => {
    const props = sinkConfig({ 'flush.size.bytes': '57', 'partitioner.class': 'FieldPartitioner', 'partition.field.name': 'f' });
    const dir = props['topics.dir']!;
    // Every line is 19 bytes ({"n":"07","f":"a"} and a newline): a file of 3 lines reaches 57.
    const folders = 'aababbabaaab';
    const records = [...folders].map((f, o) => sinkRecord(TOPIC, 0, o, { n: String(o).padStart(2, '0'), f }));
    expect(JSON.stringify(records[7]!.value).length + 1).toBe(19);
    const run = await start(props, [0]);
    await run.put(records.slice(0, 5));
    await run.put(records.slice(5));
    const line = (o: number) => records[o]!.value;
    expect(await jsonLake(dir)).toEqual({
      [keyOf(dir, 'f=a', 0, 0)]: [0, 1, 3].map(line), // a reaches 57 bytes at offset 3
      [keyOf(dir, 'f=b', 0, 2)]: [2].map(line),
      [keyOf(dir, 'f=b', 0, 4)]: [4, 5, 7].map(line), // b reaches 57 bytes at offset 7
      [keyOf(dir, 'f=a', 0, 6)]: [6].map(line),
      [keyOf(dir, 'f=a', 0, 8)]: [8, 9, 10].map(line),
    });
    // Offset 11 is open: the group may commit up to it, not past it.
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 11 }]);
    expect(await journal(dir, 0)).toEqual({ version: 1, cuts: [], through: 10 });
  });

  /** Offset → seconds after T0 of the record's time: 3 is 10 s after 0 (cut), 4 goes back in time (no cut), 6 and 7 pass the interval again. */
  const SECONDS = [0, 3, 9.999, 10, 2, 19.999, 20, 35];
  const T0 = Date.UTC(2024, 4, 1, 8);

  async function expectTimeRotation(props: Record<string, string>, records: SinkRecord[]): Promise<void> {
    const dir = props['topics.dir']!;
    const clock = new ManualClock(Date.UTC(2024, 4, 1, 12));
    const run = await start(props, [0], { clock });
    await run.put(records.slice(0, 4));
    clock.advance(1000);
    await run.put(records.slice(4));
    const v = (o: number) => records[o]!.value;
    const cutByTime = {
      [keyOf(dir, 'partition=0', 0, 0)]: [0, 1, 2].map(v),
      [keyOf(dir, 'partition=0', 0, 3)]: [3, 4, 5].map(v),
      [keyOf(dir, 'partition=0', 0, 6)]: [6].map(v),
    };
    expect(await jsonLake(dir)).toEqual(cutByTime);
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 7 }]);
    expect(await journal(dir, 0), 'record-time cuts are found again in the records').toEqual({ version: 1, cuts: [], through: 6 });

    // Idle for rotate.interval.ms of the task's clock: the open file is cut, and the cut journaled.
    clock.advance(9_999);
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 7 }]);
    clock.advance(1);
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 8 }]);
    expect(await jsonLake(dir)).toEqual({ ...cutByTime, [keyOf(dir, 'partition=0', 0, 7)]: [v(7)] });
    expect(await journal(dir, 0)).toEqual({ version: 1, cuts: [7], through: 7 });
  }

  it('rotate.interval.ms with the Record extractor: cut before the record 10 s after the file began (not on earlier ones), idle flush journaled', async () => {
    const props = sinkConfig({ 'flush.size': '1000', 'rotate.interval.ms': '10000', 'timestamp.extractor': 'Record' });
    await expectTimeRotation(props, SECONDS.map((s, o) => sinkRecord(TOPIC, 0, o, { n: o }, { timestamp: T0 + s * 1000 })));
  });

  it('rotate.interval.ms with the RecordField extractor (nested field; ms numbers and ISO-8601 strings), Kafka timestamps ignored', async () => {
    const props = sinkConfig({ 'flush.size': '1000', 'rotate.interval.ms': '10000', 'timestamp.extractor': 'RecordField', 'timestamp.field': 'meta.at' });
    const records = SECONDS.map((s, o) => {
      const ms = T0 + s * 1000;
      return sinkRecord(TOPIC, 0, o, { n: o, meta: { at: o % 2 === 0 ? ms : new Date(ms).toISOString() } }, { timestamp: T0 - o * 3_600_000 });
    });
    await expectTimeRotation(props, records);
  });

  it('flush.size and rotate.interval.ms together: whichever comes first', async () => {
    const props = sinkConfig({ 'flush.size': '3', 'rotate.interval.ms': '10000', 'timestamp.extractor': 'Record' });
    const dir = props['topics.dir']!;
    const seconds = [0, 1, 2, 3, 4, 15, 16, 17, 18];
    const records = seconds.map((s, o) => sinkRecord(TOPIC, 0, o, { n: o }, { timestamp: T0 + s * 1000 }));
    const run = await start(props, [0]);
    await run.put(records);
    const v = (o: number) => records[o]!.value;
    expect(await jsonLake(dir)).toEqual({
      [keyOf(dir, 'partition=0', 0, 0)]: [0, 1, 2].map(v), // 3 records
      [keyOf(dir, 'partition=0', 0, 3)]: [3, 4].map(v), // 15 s is 12 s after 3 s
      [keyOf(dir, 'partition=0', 0, 5)]: [5, 6, 7].map(v), // 3 records
    });
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 8 }]);
  });

  it('rotate.schedule.interval.ms: cut on the task clock at each aligned minute, journaled; a replay after a crash rewrites the same object', async () => {
    const props = sinkConfig({ 'flush.size': '1000', 'rotate.schedule.interval.ms': '60000', timezone: 'UTC' });
    const dir = props['topics.dir']!;
    const clock = new ManualClock(Date.UTC(2024, 4, 1, 10, 0, 30));
    const records = Array.from({ length: 12 }, (_, o) => sinkRecord(TOPIC, 0, o, { n: o }));
    const v = (o: number) => records[o]!.value;
    const run = await start(props, [0], { clock });
    await run.put(records.slice(0, 5));
    clock.set(Date.UTC(2024, 4, 1, 10, 0, 59, 999));
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 0 }]);
    expect(await jsonLake(dir)).toEqual({});

    clock.set(Date.UTC(2024, 4, 1, 10, 1, 0));
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 5 }]);
    expect(await jsonLake(dir)).toEqual({ [keyOf(dir, 'partition=0', 0, 0)]: [0, 1, 2, 3, 4].map(v) });
    expect(await journal(dir, 0)).toEqual({ version: 1, cuts: [4], through: 4 });

    // A file begun at 10:01:00 ends at 10:02:00, however many records come before.
    await run.put(records.slice(5, 8));
    clock.set(Date.UTC(2024, 4, 1, 10, 1, 40));
    await run.put(records.slice(8, 10));
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 5 }]);
    clock.set(Date.UTC(2024, 4, 1, 10, 2, 5));
    // The runtime would commit 10 now; the task crashes before it does.
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 10 }]);
    const second = keyOf(dir, 'partition=0', 0, 5);
    const written = run.store.objects.get(second)!;
    expect(jsonLines(second, written)).toEqual([5, 6, 7, 8, 9].map(v));
    // The entry for the first cut is below the committed offset 5: pruned when the journal is saved again.
    expect(await journal(dir, 0)).toEqual({ version: 1, cuts: [9], through: 9 });
    run.crash();
    runs.splice(runs.indexOf(run), 1);

    // The replay from the committed offset 5 runs in another schedule window; the journal still cuts after 9.
    clock.set(Date.UTC(2024, 4, 1, 11, 30, 10));
    const replay = await start(props, [0], { clock, from: new Map([[tpKey(TOPIC, 0), 5]]) });
    await replay.put(records.slice(5));
    expect(replay.store.visibleDataKeys()).toEqual([second]);
    expect(replay.store.objects.get(second)!.equals(written), 'the replay writes the same bytes').toBe(true);
    expect(await replay.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 10 }]);
    clock.set(Date.UTC(2024, 4, 1, 11, 31, 0));
    expect(await replay.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 12 }]);
    expect(await jsonLake(dir)).toEqual({
      [keyOf(dir, 'partition=0', 0, 0)]: [0, 1, 2, 3, 4].map(v),
      [second]: [5, 6, 7, 8, 9].map(v),
      [keyOf(dir, 'partition=0', 0, 10)]: [10, 11].map(v),
    });
    expect(await journal(dir, 0)).toEqual({ version: 1, cuts: [11], through: 11 });
  });

  it('rotate.schedule.interval.ms firing during a replay does not cut inside the first run\'s segments: same keys, same bytes, no record twice', async () => {
    const props = sinkConfig({ 'flush.size': '4', 'rotate.schedule.interval.ms': '60000', timezone: 'UTC' });
    const dir = props['topics.dir']!;
    const clock = new ManualClock(Date.UTC(2024, 4, 1, 10, 0, 10));
    const records = Array.from({ length: 10 }, (_, o) => sinkRecord(TOPIC, 0, o, { n: o }));
    const v = (o: number) => records[o]!.value;
    const at = (o: number) => keyOf(dir, 'partition=0', 0, o);

    // First run, within one schedule window: count cuts after 3 and 7, both objects complete; a crash before any commit.
    const run = await start(props, [0], { clock });
    await run.put(records.slice(0, 4));
    await run.put(records.slice(4, 8));
    expect(run.store.visibleDataKeys()).toEqual([at(0), at(4)]);
    expect(await journal(dir, 0)).toEqual({ version: 1, cuts: [], through: 7 });
    run.crash();
    runs.splice(runs.indexOf(run), 1);

    // The replay from 0 spans three schedule windows. Up to 7 (`through`) the schedule does not cut.
    clock.set(Date.UTC(2024, 4, 1, 10, 0, 50));
    const replay = await start(props, [0], { clock });
    await replay.put(records.slice(0, 2));
    clock.set(Date.UTC(2024, 4, 1, 10, 1, 0));
    expect(await replay.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 0 }]);
    await replay.put(records.slice(2, 6));
    clock.set(Date.UTC(2024, 4, 1, 10, 2, 0));
    expect(await replay.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 4 }]);
    await replay.put(records.slice(6));
    expect(replay.store.visibleDataKeys()).toEqual([at(0), at(4)]);
    for (const o of [0, 4]) expect(replay.store.objects.get(at(o))!.equals(run.store.objects.get(at(o))!), `${at(o)}: the same bytes`).toBe(true);

    // Past 7 the schedule cuts again, journaled.
    clock.set(Date.UTC(2024, 4, 1, 10, 3, 0));
    expect(await replay.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 10 }]);
    expect(await jsonLake(dir)).toEqual({ [at(0)]: [0, 1, 2, 3].map(v), [at(4)]: [4, 5, 6, 7].map(v), [at(8)]: [8, 9].map(v) });
    expect(await journal(dir, 0)).toEqual({ version: 1, cuts: [9], through: 9 });
  });

  it('rotate.interval.ms with the Wallclock extractor: cuts on the task clock, journaled, so a replay cuts at the same records', async () => {
    const props = sinkConfig({ 'flush.size': '1000', 'rotate.interval.ms': '10000', 'timestamp.extractor': 'Wallclock' });
    const dir = props['topics.dir']!;
    const clock = new ManualClock(Date.UTC(2024, 4, 1, 10));
    const records = Array.from({ length: 6 }, (_, o) => sinkRecord(TOPIC, 0, o, { n: o }));
    const v = (o: number) => records[o]!.value;
    const run = await start(props, [0], { clock });
    await run.put(records.slice(0, 3));
    clock.advance(10_000);
    await run.put(records.slice(3));
    expect(await jsonLake(dir)).toEqual({ [keyOf(dir, 'partition=0', 0, 0)]: [0, 1, 2].map(v) });
    expect(await journal(dir, 0)).toEqual({ version: 1, cuts: [2], through: 2 });
    run.crash();
    runs.splice(runs.indexOf(run), 1);

    // The same records in one batch, at one instant: only the journal can cut them after 2.
    const replay = await start(props, [0], { clock });
    await replay.put(records);
    expect(replay.store.visibleDataKeys()).toEqual([keyOf(dir, 'partition=0', 0, 0)]);
    expect(await replay.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 3 }]);
  });
});

describe('schema evolution into Parquet, read back by DuckDB', () => {
  const v1 = SchemaBuilder.struct().name('Order').field('id', Schemas.INT64).field('name', Schemas.OPTIONAL_STRING).build();
  const v2 = SchemaBuilder.struct().name('Order').version(2).field('id', Schemas.INT64).field('name', Schemas.OPTIONAL_STRING).field('email', Schemas.OPTIONAL_STRING).build();
  /** `id` becomes a string: no file can hold both. */
  const v3 = SchemaBuilder.struct().name('Order').version(3).field('id', Schemas.STRING).field('name', Schemas.OPTIONAL_STRING).build();
  const row = (schema: Schema, o: number): SinkRecord => {
    const values: Record<string, unknown> = { id: schema === v3 ? `id-${o}` : o, name: `n${o}`, email: `c${o}@example.com` };
    return sinkRecord(TOPIC, 0, o, Struct.fromValues(schema, schema.fields!.map((f) => values[f.name])), { valueSchema: schema });
  };

  async function query(files: Map<string, Buffer>, sql: (path: (key: string) => string) => string): Promise<Record<string, unknown>[]> {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-rules-'));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const paths = new Map<string, string>();
      for (const [k, body] of files) {
        const path = join(dir, k.replaceAll('/', '__'));
        await writeFile(path, body);
        paths.set(k, path);
      }
      return (await conn.runAndReadAll(sql((k) => paths.get(k)!))).getRowObjectsJson() as Record<string, unknown>[];
    } finally {
      conn.closeSync();
      db.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('a new optional column continues the same file with the merged schema (row groups before it read as null); an incompatible change starts a new file', async () => {
    const props = sinkConfig({
      'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
      'parquet.codec': 'zstd',
      // Tiny row groups: some are written before the new column appears.
      'parquet.row.group.bytes': '64',
      'flush.size': '20',
    });
    const dir = props['topics.dir']!;
    const records = [
      ...Array.from({ length: 10 }, (_, o) => row(v1, o)),
      ...Array.from({ length: 5 }, (_, i) => row(v2, 10 + i)),
      ...Array.from({ length: 20 }, (_, i) => row(v3, 15 + i)),
    ];
    const run = await start(props, [0]);
    await run.put(records.slice(0, 12));
    await run.put(records.slice(12));
    expect(await run.preCommit()).toEqual([{ topic: TOPIC, partition: 0, offset: 35 }]);

    const first = keyOf(dir, 'partition=0', 0, 0, '.zstd.parquet');
    const second = keyOf(dir, 'partition=0', 0, 15, '.zstd.parquet');
    const keys = (await s3.listKeys(`${dir}/`)).filter((k) => parseDataKey(dir, k) !== null);
    expect(keys).toEqual([first, second]);
    expect(await journal(dir, 0), 'a schema cut is found again in the records').toEqual({ version: 1, cuts: [], through: 34 });
    const files = await getObjects(s3, keys);

    expect(await query(files, (p) => `SELECT id::VARCHAR AS id, name, email FROM read_parquet('${p(first)}') ORDER BY id::BIGINT`)).toEqual([
      ...Array.from({ length: 10 }, (_, o) => ({ id: String(o), name: `n${o}`, email: null })),
      ...Array.from({ length: 5 }, (_, i) => ({ id: String(10 + i), name: `n${10 + i}`, email: `c${10 + i}@example.com` })),
    ]);
    const groups = await query(files, (p) => `SELECT count(DISTINCT row_group_id)::INT AS n, count(DISTINCT path_in_schema)::INT AS columns FROM parquet_metadata('${p(first)}')`);
    expect(groups[0]!.n, 'row groups').toBeGreaterThan(2);
    expect(groups[0]!.columns).toBe(3);
    expect(await query(files, (p) => `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${p(first)}'))`)).toEqual([
      { column_name: 'id', column_type: 'BIGINT' },
      { column_name: 'name', column_type: 'VARCHAR' },
      { column_name: 'email', column_type: 'VARCHAR' },
    ]);
    expect(await query(files, (p) => `SELECT count(*)::INT AS n, min(id) AS lo, max(id) AS hi, count(*) FILTER (WHERE id LIKE 'id-%')::INT AS strings FROM read_parquet('${p(second)}')`)).toEqual([
      { n: 20, lo: 'id-15', hi: 'id-34', strings: 20 },
    ]);
  });
});
