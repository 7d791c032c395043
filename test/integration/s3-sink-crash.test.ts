/**
 * The S3 sink's exactly-once claim under kill -9: a real worker in a child process (test/kit) writes
 * to a real S3-compatible server (s3rver, or S3_ENDPOINT) through the fault proxy, which holds one
 * request at the point a case wants the crash (`hold`: not forwarded, or carried out with its
 * response held). The test waits until the proxy holds it, checks the kill lands where intended,
 * SIGKILLs the worker, then restarts it over the same data directory.
 *
 * At each kill (offsets read before the lake, the lake only grows): every record below the group's
 * committed offset is in a complete object, and no record is in the lake twice. At the end: every
 * record of the topic in exactly one object, each object the run of offsets its key names, no stray
 * key, and no multipart upload of the case left open.
 *
 * Multipart needs parts of at least 5 MiB (`s3.part.size` minimum): a file of 1500 records of 4 KiB
 * is ~6 MiB, sent as part 1 while records arrive, and a last part 2 with the cut.
 */
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { ConnectorConfig } from '../../src/runtime/herder/herder.js';
import type { TaskConverters } from '../../src/runtime/task-plugins.js';
import type { WorkerSettings } from '../../src/runtime/worker-settings.js';
import { Schemas } from '../../src/sdk/index.js';
import { expectNoErrorLogs, uniqueName, waitFor, waitForState } from '../kit/checks.js';
import { kitConverters } from '../kit/runtime.js';
import { ChildWorker, useWorkerHarnesses, type RunningWorker, type WorkerHarness } from '../kit/worker-harness.js';
import { useFaultProxy, type HoldRule, type ProxiedRequest, type S3RequestKind } from '../support/s3/fault-proxy.js';
import { useTestS3 } from '../support/s3/s3-server.js';
import { committedButMissing, exactlyOnceProblems, lakeProblemsSoFar, readLake, type Lake, type WrittenRecord } from '../support/s3/sink-lake.js';
import { useTempDirs } from '../support/temp-dir.js';

const s3 = useTestS3();
const proxy = useFaultProxy(s3);
// afterEach hooks run in reverse: workers are killed before their directories go.
const tempDir = useTempDirs('tributary-s3-crash-');
const harnesses = useWorkerHarnesses();
beforeEach(() => proxy.resetCounts());

const MiB = 1024 * 1024;
/** Records per file (`flush.size`) in the multipart cases. */
const N = 1500;
/** Bytes of a record of a multipart file: N of them make ~6 MiB, part 1 sent before the cut. */
const BIG = 4096;
const SMALL = 40;
/** Long waits: a child worker starts through tsx on a shared machine. */
const LONG_MS = 60_000;

/** A line's identity: the value up to its padding. */
const identity = (v: unknown): string => String(v).split('|')[0]!;

interface Committed {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** What a kill left: the group's committed offsets (read first), then the lake. */
interface AtKill {
  readonly committed: Committed[];
  readonly lake: Lake;
  /** The topic's records as the log holds them after the kill. */
  readonly logged: WrittenRecord[];
}

/** One connector over one data directory, across the worker processes a case starts and kills. */
class CrashRun {
  /** Records whose append returned (the log may hold more: an append cut short by a kill). */
  readonly written: WrittenRecord[] = [];
  private seq = 0;
  private current: RunningWorker | null = null;

  constructor(
    readonly harness: WorkerHarness,
    readonly name: string,
    readonly topic: string,
    readonly partitions: number,
    readonly dir: string,
    readonly config: ConnectorConfig,
    private readonly converters: TaskConverters,
  ) {}

  get group(): string {
    return `connect-${this.name}`;
  }

  get worker(): RunningWorker {
    if (this.current === null) throw new Error('no worker is running');
    return this.current;
  }

  get running(): boolean {
    return this.current !== null;
  }

  /** The key the sink gives the file of `partition` starting at `offset`. */
  key(partition: number, offset: number): string {
    return `${this.dir}/${this.topic}/partition=${partition}/${this.topic}+${partition}+${String(offset).padStart(10, '0')}.json`;
  }

  journalKey(partition: number): string {
    return `${this.dir}/_tributary/cuts/${this.topic}+${partition}.json`;
  }

  /** Starts a worker process; the connector, once created, starts with it from the config topic. */
  async start(settings?: Partial<WorkerSettings>): Promise<RunningWorker> {
    this.current = await this.harness.spawn(settings);
    return this.current;
  }

  /** A worker in the test process, for a run that is not killed: it starts in a fraction of a child's time. */
  async startHere(settings?: Partial<WorkerSettings>): Promise<RunningWorker> {
    this.current = await this.harness.start(settings);
    return this.current;
  }

  /** The last restart of a case, which is not killed (in the test process); waits until the task runs. */
  async restartToFinish(): Promise<RunningWorker> {
    await this.startHere();
    await this.waitRunning();
    return this.worker;
  }

  /** Graceful stop (tasks flush and commit). */
  async stop(): Promise<void> {
    await this.worker.stop();
    this.current = null;
  }

  async create(): Promise<void> {
    await this.worker.herder.putConnectorConfig(this.name, this.config, { allowReplace: false });
    await this.waitRunning();
  }

  /** Waits until the connector's task runs (after a restart it starts from the stored config). */
  async waitRunning(): Promise<void> {
    await waitForState(this.worker, this.name, 'RUNNING');
  }

  /** Values of `count` records of `bytes` bytes for `partition`, with fresh identities. */
  private values(partition: number, count: number, bytes: number): Array<{ id: string; value: Buffer | null }> {
    return Array.from({ length: count }, () => {
      const id = `${partition}:${this.seq++}`;
      const text = `${id}|${'x'.repeat(Math.max(0, bytes - id.length - 1))}`;
      return { id, value: this.converters.value.fromConnectData(this.topic, Schemas.STRING, text) };
    });
  }

  /**
   * Appends `count` records of `bytes` bytes to `partition`: through the running worker, or, when
   * none runs (between a kill and a restart), to the log directly; only through `via` when given
   * (it fails once `via` is killed).
   */
  async write(partition: number, count: number, bytes = SMALL, via?: RunningWorker): Promise<void> {
    // Batches of at most ~512 KiB: the log refuses a batch above max.message.bytes (1 MiB).
    const perBatch = Math.min(500, Math.max(1, Math.floor((512 * 1024) / (bytes + 100))));
    for (let i = 0; i < count; i += perBatch) {
      const batch = this.values(partition, Math.min(perBatch, count - i), bytes);
      const records = batch.map((b) => ({ key: null, value: b.value }));
      const worker = via ?? this.current;
      const base = worker
        ? await worker.append(this.topic, partition, records)
        : await this.harness.withLog(async (log) => (await log.append(this.topic, partition, records)).baseOffset);
      batch.forEach((b, j) => this.written.push({ topic: this.topic, partition, offset: base + j, id: b.id }));
    }
  }

  lake(): Promise<Lake> {
    return readLake(s3, this.dir);
  }

  /** Every record of the topic as the log holds it. */
  async readLog(log: EmbeddedLog): Promise<WrittenRecord[]> {
    const out: WrittenRecord[] = [];
    for (let p = 0; p < this.partitions; p++) {
      let offset = await log.earliestOffset(this.topic, p);
      const end = await log.latestOffset(this.topic, p);
      while (offset < end) {
        const r = await log.read(this.topic, p, offset, { maxBytes: 4 * MiB });
        if (r.nextOffset <= offset) throw new Error(`read of ${this.topic}-${p}@${offset} made no progress`);
        for (const s of r.records) {
          const text = this.converters.value.toConnectData(this.topic, s.value).value;
          out.push({ topic: this.topic, partition: p, offset: s.offset, id: identity(text) });
        }
        offset = r.nextOffset;
      }
    }
    return out;
  }

  /**
   * kill -9, then what the crash left, checked: every record below the committed offsets is in a
   * complete object, none is in the lake twice, every object is the run of offsets its key names,
   * and the log holds every record whose append returned.
   */
  async kill(what: string): Promise<AtKill> {
    const w = this.worker;
    if (!(w instanceof ChildWorker)) throw new Error('only a worker in a child process can be killed');
    await w.kill();
    this.current = null;
    const { committed, logged } = await this.harness.withLog(async (log) => ({
      committed: (await log.fetchOffsets(this.group)).filter((c) => c.topic === this.topic).map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset })),
      logged: await this.readLog(log),
    }));
    const lake = await this.lake();
    const gone = committedButMissing(lake, logged, committed, identity).map((r) => `${r.partition}@${r.offset}`);
    expect(gone.slice(0, 20), `${what}: records committed (${JSON.stringify(committed)}) but in no complete object`).toEqual([]);
    expect(lakeProblemsSoFar(lake, logged, identity), `${what}: the lake the crash left`).toEqual([]);
    const logIds = new Set(logged.map((r) => r.id));
    expect(this.written.filter((r) => !logIds.has(r.id)).length, `${what}: appended records missing from the log`).toBe(0);
    return { committed, lake, logged };
  }

  async committed(): Promise<Committed[]> {
    return (await this.worker.groupOffsets(this.group)).filter((c) => c.topic === this.topic).sort((a, b) => a.partition - b.partition);
  }

  /** Multipart uploads of this case left open: the proxy's tracking, and the server's own list where it has one. */
  async openUploads(): Promise<string[]> {
    const prefix = `${this.dir}/`;
    const keys = proxy.openUploads(s3.bucket).filter((u) => u.key.startsWith(prefix)).map((u) => u.key);
    if (!proxy.emulatesMultipartListing) {
      const res = await s3.client().send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: prefix }));
      for (const u of res.Uploads ?? []) keys.push(`${u.Key} (server)`);
    }
    return keys.sort();
  }

  /**
   * Waits until the group committed every partition up to the log's end (the sink moves offsets only
   * past complete objects), then asserts the lake holds every record of the log exactly once, and
   * that no multipart upload of the case is open.
   */
  async delivered(): Promise<Lake> {
    const w = this.worker;
    const ends = await w.endOffsets(this.topic);
    await waitFor(
      'the group to commit every partition up to the log end',
      async () => {
        const t = (await w.herder.connectorStatus(this.name)).tasks[0];
        expect(t?.state, `task state (trace: ${t?.trace ?? 'none'})`).not.toBe('FAILED');
        const committed = await this.committed();
        return ends.every((e, p) => (committed.find((c) => c.partition === p)?.offset ?? 0) === e);
      },
      {
        timeoutMs: LONG_MS,
        intervalMs: 200,
        describe: async () => ({ committed: await this.committed(), ends, lake: lakeProblemsSoFar(await this.lake(), this.written, identity, 5), requests: proxy.counts() }),
      },
    );
    const logged = await w.read(this.topic);
    const records = logged.map((r) => ({ topic: this.topic, partition: r.partition, offset: r.offset, id: identity(this.converters.value.toConnectData(this.topic, r.value).value) }));
    const lake = await this.lake();
    expect(exactlyOnceProblems(lake, records, identity), 'the lake vs the records of the topic').toEqual([]);
    const ids = new Set(records.map((r) => r.id));
    expect(this.written.filter((r) => !ids.has(r.id)).length, 'appended records missing from the log').toBe(0);
    expect(await this.openUploads(), 'multipart uploads left open').toEqual([]);
    return lake;
  }
}

/** A data directory, a topic, a connector config (the connector is created by `run.create()` once a worker runs). */
async function prepare(config: Record<string, string>, partitions = 1): Promise<CrashRun> {
  const harness = harnesses(await tempDir());
  const name = uniqueName('s3-crash');
  const topic = `${name}-in`;
  const full: ConnectorConfig = {
    'connector.class': 'S3Sink',
    topics: topic,
    'tasks.max': '1',
    ...s3.sinkConfig(proxy.endpoint),
    'topics.dir': `crash-${name}`,
    'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
    's3.part.size': String(5 * MiB),
    ...config,
  };
  const converters = await kitConverters({ dataDir: harness.dataDir }, full);
  await harness.withLog((log) => log.createTopic(topic, { partitions }));
  return new CrashRun(harness, name, topic, partitions, full['topics.dir']!, full, converters);
}

/** Requests of `kind` for `key` through the proxy since the case began. */
const requestsFor = (kind: S3RequestKind, key: string): ProxiedRequest[] => proxy.requests().filter((r) => r.kind === kind && r.key === key);
const partNumber = (r: ProxiedRequest): string | null => new URL(r.url, 'http://proxy').searchParams.get('partNumber');
const uploadId = (r: ProxiedRequest): string | null => new URL(r.url, 'http://proxy').searchParams.get('uploadId');
const shape = (lake: Lake): Array<[string, number]> => lake.objects.map((o) => [o.key, o.values.length]);

/** Waits until `rule` holds a request (the worker is stopped at the crash point). */
async function held(rule: HoldRule, what: string): Promise<void> {
  await waitFor(`the proxy to hold ${what}`, () => rule.held === 1, { timeoutMs: LONG_MS, describe: () => ({ hits: rule.hits, requests: proxy.counts() }) });
}

/** A small seeded PRNG (mulberry32): the random case prints its seed so a failure can be replayed. */
function prng(seed: number): { next(): number; int(lo: number, hi: number): number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('S3 sink under kill -9 (child worker; the fault proxy holds the request at the crash point)', () => {
  const multipartPoints: Array<{ point: string; hold: (key: string) => Parameters<typeof proxy.hold>[0]; stored: string[]; crashes: number }> = [
    {
      point: 'part 1 stored, the last part held before the server saw it, no CompleteMultipartUpload',
      hold: (key) => ({ kind: 'UploadPart', key, query: { partNumber: '2' } }),
      stored: ['1'],
      crashes: 2,
    },
    {
      point: 'every part stored, CompleteMultipartUpload held before the server saw it',
      hold: (key) => ({ kind: 'CompleteMultipartUpload', key }),
      stored: ['1', '2'],
      crashes: 1,
    },
  ];
  for (const c of multipartPoints) {
    it(`multipart object half sent (${c.point}): the restart aborts the abandoned upload and writes the object once`, async () => {
      const run = await prepare({ 'flush.size': String(N) });
      await run.start();
      await run.create();
      // A first file, complete and committed before the crash.
      await run.write(0, N);
      await waitFor('the first file committed', async () => (await run.committed())[0]?.offset === N, { timeoutMs: LONG_MS });
      const big = run.key(0, N);
      const abandoned: string[] = [];
      for (let crash = 1; crash <= c.crashes; crash++) {
        const rule = proxy.hold(c.hold(big));
        if (crash === 1) await run.write(0, N, BIG);
        else await run.start();
        await held(rule, c.point);
        // Pinned: this run's upload got exactly the parts wanted, and no Complete reached the server.
        const id = uploadId(proxy.requests().find((r) => r.held && r.key === big)!)!;
        const parts = requestsFor('UploadPart', big).filter((r) => uploadId(r) === id);
        const stored = parts.filter((r) => r.status === 200).map(partNumber);
        expect(stored, `crash ${crash}: parts stored before the kill`).toEqual(c.stored);
        expect(requestsFor('CompleteMultipartUpload', big).filter((r) => uploadId(r) === id && r.upstream !== undefined), 'no Complete reached the server').toEqual([]);
        expect(proxy.openUploads(s3.bucket).map((u) => u.uploadId)).toContain(id);
        abandoned.push(id);

        const at = await run.kill(`crash ${crash} (${c.point})`);
        expect(at.committed, 'the group offset stays at the first file').toEqual([{ topic: run.topic, partition: 0, offset: N }]);
        expect(shape(at.lake)).toEqual([[run.key(0, 0), N]]);
        await waitFor('the held request to be dropped with its client', () => rule.held === 0 && proxy.requests().some((r) => r.fault === 'hold' && r.status === 'gone' && uploadId(r) === id));
      }
      await run.restartToFinish();
      const lake = await run.delivered();
      expect(shape(lake)).toEqual([[run.key(0, 0), N], [big, N]]);
      const aborted = proxy.requests().filter((r) => r.kind === 'AbortMultipartUpload' && r.key === big).map(uploadId);
      expect(aborted.sort(), 'each abandoned upload is aborted by the next run').toEqual([...abandoned].sort());
      expect(requestsFor('CreateMultipartUpload', big).length, 'one upload per run').toBe(c.crashes + 1);
      await expectNoErrorLogs(run.worker);
    }, 120_000);
  }

  it('CompleteMultipartUpload carried out by the server, the worker killed before it saw the response: the restart writes the same key with the same records', async () => {
    const run = await prepare({ 'flush.size': String(N) });
    await run.start();
    await run.create();
    await run.write(0, N);
    await waitFor('the first file committed', async () => (await run.committed())[0]?.offset === N, { timeoutMs: LONG_MS });
    const big = run.key(0, N);
    const rule = proxy.hold({ kind: 'CompleteMultipartUpload', key: big }, { forward: true });
    await run.write(0, N, BIG);
    await held(rule, 'the response to CompleteMultipartUpload');
    // Pinned: the server completed the object, the worker has not seen it.
    const complete = requestsFor('CompleteMultipartUpload', big);
    expect(complete.map((r) => [r.upstream, r.status])).toEqual([[200, 0]]);
    expect(proxy.openUploads(s3.bucket).filter((u) => u.key === big)).toEqual([]);

    const at = await run.kill('Complete carried out, response not seen');
    expect(at.committed, 'the group offset did not move past the object').toEqual([{ topic: run.topic, partition: 0, offset: N }]);
    expect(shape(at.lake)).toEqual([[run.key(0, 0), N], [big, N]]);
    const before = at.lake.objects.find((o) => o.key === big)!.values;

    await run.restartToFinish();
    const lake = await run.delivered();
    expect(shape(lake)).toEqual([[run.key(0, 0), N], [big, N]]);
    expect(lake.objects.find((o) => o.key === big)!.values, 'rewritten with the same records').toEqual(before);
    expect(requestsFor('CompleteMultipartUpload', big).map((r) => r.upstream), 'completed once per run').toEqual([200, 200]);
    await expectNoErrorLogs(run.worker);
  }, 120_000);

  it('objects complete, the worker killed before the group offset commit (offset.flush.interval.ms 10 min), twice: each replay rewrites the same keys with the same records', async () => {
    const run = await prepare({ 'flush.size': String(N) }, 2);
    await run.startHere();
    await run.create();
    await run.write(0, N);
    await run.write(1, N);
    await waitFor('the first files committed', async () => (await run.committed()).map((c) => c.offset).join() === `${N},${N}`, { timeoutMs: LONG_MS });
    await run.stop();
    // From here the periodic commit never comes within the case: only a kill ends each run.
    const rare = { offsetFlushIntervalMs: 600_000 };
    await run.start(rare);
    await run.waitRunning();
    await run.write(0, N, BIG); // multipart
    await run.write(1, N); // PutObject
    const second = [run.key(0, N), run.key(1, N)];
    await waitFor('the second files complete', async () => {
      const keys = (await run.lake()).objects.map((o) => o.key);
      return second.every((k) => keys.includes(k));
    }, { timeoutMs: LONG_MS, intervalMs: 200 });
    const committedBefore = [0, 1].map((p) => ({ topic: run.topic, partition: p, offset: N }));
    expect(await run.committed(), 'no commit since the objects completed').toEqual(committedBefore);
    let at = await run.kill('objects complete, offsets not committed');
    expect(at.committed).toEqual(committedBefore);
    const expected = shape(at.lake);
    expect(expected).toEqual([[run.key(0, 0), N], [run.key(0, N), N], [run.key(1, 0), N], [run.key(1, N), N]]);
    const before = at.lake.objects.map((o) => o.values);

    // The replay writes the same objects again; killed again before any commit.
    const mark = proxy.requests().length;
    await run.start(rare);
    await waitFor('the replay to rewrite the second files', () => {
      const since = proxy.requests().slice(mark);
      return since.some((r) => r.kind === 'CompleteMultipartUpload' && r.key === second[0] && r.status === 200) && since.some((r) => r.kind === 'PutObject' && r.key === second[1] && r.status === 200);
    }, { timeoutMs: LONG_MS });
    expect(await run.committed()).toEqual(committedBefore);
    at = await run.kill('the replay complete, offsets not committed');
    expect(at.committed).toEqual(committedBefore);
    expect(shape(at.lake)).toEqual(expected);
    expect(at.lake.objects.map((o) => o.values), 'the replay wrote the same records to the same keys').toEqual(before);

    await run.restartToFinish();
    const lake = await run.delivered();
    expect(shape(lake)).toEqual(expected);
    expect(lake.objects.map((o) => o.values)).toEqual(before);
    expect(await run.committed()).toEqual([0, 1].map((p) => ({ topic: run.topic, partition: p, offset: 2 * N })));
    await expectNoErrorLogs(run.worker);
  }, 120_000);

  const idlePoints = [
    { point: 'its PutObject held before the server saw it', forward: false },
    { point: 'its PutObject carried out by the server, the response held', forward: true },
  ];
  for (const c of idlePoints) {
    it(`idle flush then kill -9 (${c.point}); more records arrive before the restart: the replay cuts where the journal says`, async () => {
      // Wallclock rotation: no cut can be found in the records, so only the journal can reproduce it.
      const run = await prepare({ 'flush.size': '1000', 'rotate.interval.ms': '1000', 'timestamp.extractor': 'Wallclock' });
      await run.start();
      await run.create();
      await run.write(0, 5);
      await waitFor('the first idle flush committed', async () => (await run.committed())[0]?.offset === 5, { timeoutMs: LONG_MS });
      const idle = run.key(0, 5);
      const rule = proxy.hold({ kind: 'PutObject', key: idle }, { forward: c.forward });
      await run.write(0, 10);
      await held(rule, `the idle flush of offsets 5-14 (${c.point})`);
      // Pinned: the cut is journaled before the object is sent; the object is visible only if the server carried the put out.
      const journal = JSON.parse((await s3.getObject(run.journalKey(0))).toString('utf8')) as { cuts: number[] };
      expect(journal.cuts).toContain(14);
      expect(requestsFor('PutObject', idle).map((r) => r.upstream ?? 'not forwarded')).toEqual([c.forward ? 200 : 'not forwarded']);

      const at = await run.kill(`idle flush, ${c.point}`);
      expect(at.committed).toEqual([{ topic: run.topic, partition: 0, offset: 5 }]);
      expect(shape(at.lake)).toEqual(c.forward ? [[run.key(0, 0), 5], [idle, 10]] : [[run.key(0, 0), 5]]);
      // Offsets 15-24 arrive while the worker is down: the replay reads 5-24 at once.
      await run.write(0, 10);

      await run.restartToFinish();
      const lake = await run.delivered();
      expect(shape(lake), 'the idle-flushed object holds exactly the records before the idle cut').toEqual([[run.key(0, 0), 5], [idle, 10], [run.key(0, 15), 10]]);
      expect(requestsFor('PutObject', idle).filter((r) => r.status === 200).length, 'the idle-flushed object written by the restart').toBe(1);
      await expectNoErrorLogs(run.worker);
    }, 120_000);
  }

  it('cuts made by the memory budget (memory.budget.bytes 5 MiB), objects complete, killed before any commit: the replay cuts where the journal says', async () => {
    const run = await prepare(
      { 'flush.size': '100000', 'memory.budget.bytes': String(5 * MiB), 'rotate.interval.ms': '3000', 'timestamp.extractor': 'Wallclock' },
      2,
    );
    await run.start({ offsetFlushIntervalMs: 600_000 });
    await run.create();
    // ~6 MiB per partition, interleaved: together above the budget long before either file fills a part.
    for (let i = 0; i < 15; i++) for (const p of [0, 1]) await run.write(p, 100, BIG);
    const budgetCut = await waitFor('an object cut by the memory budget, complete, its cut journaled', async () => {
      const lake = await run.lake();
      for (const o of lake.objects) {
        const journal = await s3.getObject(run.journalKey(o.partition)).catch(() => null);
        const cuts = journal === null ? [] : (JSON.parse(journal.toString('utf8')) as { cuts: number[] }).cuts;
        if (cuts.includes(o.startOffset + o.values.length - 1)) return o;
      }
      return undefined;
    }, { timeoutMs: LONG_MS, intervalMs: 200 });
    expect(budgetCut.values.length, 'cut well before flush.size').toBeLessThan(1500);
    const at = await run.kill('memory-budget cuts complete, offsets not committed');
    expect(at.committed, 'nothing committed before the kill').toEqual([]);

    await run.restartToFinish();
    const lake = await run.delivered();
    // Every object the crash left starts an object of the replay and ends at one of its cuts.
    const starts = new Set(lake.objects.map((o) => `${o.partition}@${o.startOffset}`));
    const ends = new Set(lake.objects.map((o) => `${o.partition}@${o.startOffset + o.values.length - 1}`));
    for (const o of at.lake.objects) {
      expect(starts.has(`${o.partition}@${o.startOffset}`), `${o.key}: a replayed object starts there`).toBe(true);
      expect(ends.has(`${o.partition}@${o.startOffset + o.values.length - 1}`), `${o.key}: the replay cuts where it ended`).toBe(true);
    }
    await expectNoErrorLogs(run.worker);
  }, 120_000);

  /**
   * The first run writes one partition at a time (never over the budget: files end on flush.size);
   * the replay reads both at once, over the budget. A cut the budget forced in the replay would move
   * every flush.size cut after it, and the first run's later objects would then overlap the replay's.
   */
  it('count cuts made without memory pressure, killed before any commit, replayed under memory pressure: the replay cuts where the first run did', async () => {
    const run = await prepare({ 'flush.size': '1000', 'memory.budget.bytes': String(5 * MiB) }, 2);
    await run.start({ offsetFlushIntervalMs: 600_000 });
    await run.create();
    for (const p of [0, 1]) {
      await run.write(p, 2000, BIG);
      await waitFor(`partition ${p}'s two files complete`, async () => (await run.lake()).objects.filter((o) => o.partition === p).length === 2, { timeoutMs: LONG_MS, intervalMs: 200 });
    }
    const at = await run.kill('count cuts complete, offsets not committed');
    expect(at.committed).toEqual([]);
    const expected = [run.key(0, 0), run.key(0, 1000), run.key(1, 0), run.key(1, 1000)].map((k): [string, number] => [k, 1000]);
    expect(shape(at.lake)).toEqual(expected);

    await run.restartToFinish();
    const lake = await run.delivered();
    expect(shape(lake)).toEqual(expected);
    await expectNoErrorLogs(run.worker);
  }, 120_000);

  it('random kills while a writer appends to 3 partitions (seeded: CRASH_SEED=<seed> replays the same choices)', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`s3-sink-crash random case: seed ${seed} (CRASH_SEED=${seed} to replay the same choices)`);
    // Two streams, so the kill moments do not depend on how many batches the writer got to.
    const rnd = prng(seed);
    const kills = prng(seed ^ 0x5bd1e995);
    // Partition 0 gets big records (files often multipart), 1 and 2 small ones; Wallclock rotation
    // and idle flushes make journaled cuts.
    const run = await prepare({ 'flush.size': '1500', 'rotate.interval.ms': '1500', 'timestamp.extractor': 'Wallclock' }, 3);
    await run.start();
    await run.create();
    let writing = true;
    let failure: unknown = null;
    const writer = (async () => {
      while (writing) {
        if (!run.running) {
          await sleep(50);
          continue;
        }
        const w = run.worker;
        const p = rnd.int(0, 2);
        try {
          await run.write(p, p === 0 ? rnd.int(100, 1600) : rnd.int(10, 600), p === 0 ? BIG : SMALL, w);
        } catch (err) {
          // An append cut short by a kill: the log decides whether its records are there.
          if (!(w instanceof ChildWorker) || w.alive) throw err;
        }
        // Now and then a pause longer than rotate.interval.ms: the other partitions are flushed idle.
        await sleep(rnd.next() < 0.15 ? rnd.int(1600, 2500) : rnd.int(0, 400));
      }
    })().catch((err: unknown) => void (failure = err));
    for (let kill = 1; kill <= 3; kill++) {
      await run.waitRunning();
      const after = kills.int(300, 3500);
      await sleep(after);
      const at = await run.kill(`kill ${kill} (seed ${seed}, ${after} ms after the task ran)`);
      console.log(`kill ${kill} after ${after} ms: committed ${JSON.stringify(at.committed.map((c) => c.offset))}, ${at.lake.objects.length} objects, ${at.logged.length} records in the log, open uploads ${(await run.openUploads()).length}`);
      await sleep(kills.int(0, 500));
      if (kill < 3) await run.start();
      else await run.restartToFinish();
    }
    await sleep(kills.int(1000, 2000));
    writing = false;
    await writer;
    if (failure) throw failure;
    // Checked first: with nothing appended, "every record delivered once" would hold trivially.
    expect(run.written.length, 'records the writer appended').toBeGreaterThanOrEqual(300);
    const lake = await run.delivered();
    console.log(`seed ${seed}: ${lake.objects.length} objects, ${run.written.length} records appended, requests ${JSON.stringify(proxy.counts())}`);
    await expectNoErrorLogs(run.worker);
  }, 180_000);
});
