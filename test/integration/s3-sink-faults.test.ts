/**
 * The S3 sink under S3 faults, through a real worker (test/kit: EmbeddedLog, StandaloneHerder, the
 * worker's converters) writing to a real S3-compatible server (s3rver, or S3_ENDPOINT) behind the
 * fault proxy: 503 SlowDown, connections reset mid-body, lost and delayed responses, faults that
 * outlast the SDK's retries, permanent errors, abandoned multipart uploads, and an idle partition.
 *
 * Every case ends by reading the lake back: each record written to the topic is in exactly one
 * object, each object is the run of offsets its key names, and — sampled throughout every wait —
 * the group never committed an offset whose records no complete object holds.
 *
 * Multipart uploads need parts of at least 5 MiB: partition 0 gets one file of ~7.5 MiB (one 5 MiB
 * part sent while records arrive, the rest sent by the cut), partition 1 one small file (PutObject).
 */
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorConfig, TaskStatusEntry } from '../../src/runtime/herder/herder.js';
import type { WorkerSettings } from '../../src/runtime/worker-settings.js';
import { Schemas } from '../../src/sdk/index.js';
import { expectNoErrorLogs, uniqueName, waitFor, waitForState, WAIT_MS } from '../kit/checks.js';
import { kitConverters } from '../kit/runtime.js';
import { useWorkerHarnesses, type RunningWorker } from '../kit/worker-harness.js';
import { useFaultProxy, type FaultRule, type RequestMatch, type S3Request, type S3RequestKind } from '../support/s3/fault-proxy.js';
import { useTestS3 } from '../support/s3/s3-server.js';
import { committedButMissing, exactlyOnceProblems, readLake, type Lake, type WrittenRecord } from '../support/s3/sink-lake.js';
import { useTempDirs } from '../support/temp-dir.js';

const s3 = useTestS3();
const proxy = useFaultProxy(s3);
// afterEach hooks run in reverse: workers stop before their directories go.
const tempDir = useTempDirs('tributary-s3-faults-');
const harnesses = useWorkerHarnesses();
beforeEach(() => proxy.resetCounts());

const MiB = 1024 * 1024;
/** Records per file in the two-partition cases: partition 0's file is multipart, partition 1's is not. */
const N = 3750;
/** Bytes of a partition-0 record: N of them make ~7.5 MiB, one 5 MiB part and a last part. */
const BIG = 2048;
const SMALL = 40;

/** A line's identity: the value up to its padding. */
const identity = (v: unknown): string => String(v).split('|')[0]!;

class SinkRun {
  readonly written: WrittenRecord[] = [];
  private seq = 0;

  constructor(
    readonly worker: RunningWorker,
    readonly name: string,
    readonly topic: string,
    /** `topics.dir`, one per case. */
    readonly dir: string,
    readonly config: ConnectorConfig,
    private readonly encode: (value: string) => Buffer | null,
  ) {}

  get group(): string {
    return `connect-${this.name}`;
  }

  /** The key the sink gives the file of `topic`-`partition` starting at `offset`. */
  key(partition: number, offset: number, topic = this.topic): string {
    return `${this.dir}/${topic}/partition=${partition}/${topic}+${partition}+${String(offset).padStart(10, '0')}.json`;
  }

  async create(): Promise<void> {
    await this.worker.herder.putConnectorConfig(this.name, this.config, { allowReplace: false });
    await waitForState(this.worker, this.name, 'RUNNING');
  }

  /** Appends `count` records of `bytes` bytes (as JSON strings) to `partition`. */
  async write(partition: number, count: number, bytes = SMALL): Promise<void> {
    // Batches of at most ~512 KiB: the log refuses a batch above max.message.bytes (1 MiB).
    const perBatch = Math.min(500, Math.max(1, Math.floor((512 * 1024) / (bytes + 100))));
    for (let i = 0; i < count; i += perBatch) {
      const ids = Array.from({ length: Math.min(perBatch, count - i) }, () => `${partition}:${this.seq++}`);
      const values = ids.map((id) => `${id}|${'x'.repeat(Math.max(0, bytes - id.length - 1))}`);
      const base = await this.worker.append(this.topic, partition, values.map((v) => ({ key: null, value: this.encode(v) })));
      ids.forEach((id, j) => this.written.push({ topic: this.topic, partition, offset: base + j, id }));
    }
  }

  lake(): Promise<Lake> {
    return readLake(s3, this.dir);
  }

  async committed(): Promise<Array<{ topic: string; partition: number; offset: number }>> {
    return (await this.worker.groupOffsets(this.group)).filter((c) => c.topic === this.topic).sort((a, b) => a.partition - b.partition);
  }

  async task(): Promise<TaskStatusEntry | undefined> {
    return (await this.worker.herder.connectorStatus(this.name)).tasks[0];
  }

  async expectRunning(): Promise<void> {
    const t = await this.task();
    expect(t?.state, `task state (trace: ${t?.trace ?? 'none'})`).toBe('RUNNING');
  }

  /** The commit rule, sampled: the offsets first, then the lake (which only grows). */
  async checkCommitRule(): Promise<{ committed: Array<{ topic: string; partition: number; offset: number }>; lake: Lake }> {
    const committed = await this.committed();
    const lake = await this.lake();
    const missing = committedButMissing(lake, this.written, committed, identity).map((r) => `${r.partition}@${r.offset}`);
    expect(missing.slice(0, 20), `records committed in ${this.group} (${JSON.stringify(committed)}) but in no complete object`).toEqual([]);
    return { committed, lake };
  }

  /**
   * Waits until every record written is in the lake and the group committed up to the log end,
   * checking the commit rule (and, with `running`, that the task is RUNNING) at every look; then
   * asserts the lake holds every record exactly once.
   */
  async delivered(opts: { running?: boolean; timeoutMs?: number } = {}): Promise<Lake> {
    const lake = await waitFor(
      'every record in the lake and committed up to the log end',
      async () => {
        if (opts.running ?? true) await this.expectRunning();
        const { committed, lake } = await this.checkCommitRule();
        const ends = await this.worker.endOffsets(this.topic);
        const at = (p: number): number => committed.find((c) => c.partition === p)?.offset ?? 0;
        const have = new Set(lake.objects.flatMap((o) => o.values.map(identity)));
        return ends.every((e, p) => at(p) === e) && this.written.every((r) => have.has(r.id)) ? lake : undefined;
      },
      {
        timeoutMs: opts.timeoutMs ?? WAIT_MS,
        intervalMs: 200,
        describe: async () => ({
          problems: exactlyOnceProblems(await this.lake(), this.written, identity, 5),
          committed: await this.committed(),
          ends: await this.worker.endOffsets(this.topic),
          task: await this.task(),
          requests: proxy.counts(),
        }),
      },
    );
    expect(exactlyOnceProblems(lake, this.written, identity), 'the lake vs the records written').toEqual([]);
    return lake;
  }
}

/** A worker with a fresh topic and a connector config for it (not created yet: `run.create()`). */
async function prepare(config: Record<string, string>, opts: { partitions?: number; settings?: Partial<WorkerSettings> } = {}): Promise<SinkRun> {
  const harness = harnesses(await tempDir());
  const worker = await harness.start(opts.settings);
  const name = uniqueName('s3-faults');
  const topic = `${name}-in`;
  await worker.createTopic(topic, opts.partitions ?? 1);
  const full: ConnectorConfig = {
    'connector.class': 'S3Sink',
    topics: topic,
    'tasks.max': '1',
    ...s3.sinkConfig(proxy.endpoint),
    'topics.dir': `faults-${name}`,
    'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
    's3.part.size': String(5 * MiB),
    ...config,
  };
  const converters = await kitConverters({ dataDir: harness.dataDir, settings: opts.settings }, full);
  return new SinkRun(worker, name, topic, full['topics.dir']!, full, (v) => converters.value.fromConnectData(topic, Schemas.STRING, v));
}

/** Partition 0: one multipart file of N big records; partition 1: one PutObject file of N small ones. */
async function writeMixed(run: SinkRun): Promise<void> {
  await run.write(0, N, BIG);
  await run.write(1, N, SMALL);
}

const hits = (rules: readonly FaultRule[]): number[] => rules.map((r) => r.hits);

/** PutObject of a data object, not of the sink's cut journal (`_tributary/`, saved as segments are cut). */
const DATA_PUT: RequestMatch = { kind: 'PutObject', key: /^(?!.*\/_tributary\/)/ };
const dataPuts = (): number => proxy.requests().filter((r) => r.kind === 'PutObject' && !r.key?.includes('/_tributary/')).length;

/** When each request of `kind` reached the proxy from now on (a rule that watches and never applies). */
function recordTimes(kind: S3RequestKind): number[] {
  const times: number[] = [];
  const watch = (r: S3Request): boolean => {
    if (r.kind === kind) times.push(Date.now());
    return false;
  };
  proxy.addFault(watch, { type: 'delay', ms: 0 });
  return times;
}

const gaps = (times: readonly number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

describe('S3 sink under S3 faults (real worker, fault proxy)', () => {
  it('503 SlowDown on UploadPart, PutObject and CompleteMultipartUpload, and a lost Complete response, are retried: every record once, the task never fails', async () => {
    const run = await prepare({ 'flush.size': String(N) }, { partitions: 2 });
    const rules = [
      proxy.slowDown({ kind: 'UploadPart' }, 2),
      proxy.slowDown({ kind: 'PutObject' }, 2),
      proxy.slowDown({ kind: 'CompleteMultipartUpload' }, 1),
      // The store completes the upload, the client gets a 500: its retry finds the upload gone.
      proxy.fail({ kind: 'CompleteMultipartUpload' }, { status: 500, code: 'InternalError', forward: true }, 1),
    ];
    await run.create();
    await writeMixed(run);
    const lake = await run.delivered();
    expect(hits(rules)).toEqual([2, 2, 1, 1]);
    expect(lake.objects.map((o) => o.key)).toEqual([run.key(0, 0), run.key(1, 0)]);
    // Parts were retried by the SDK within one upload: it was never started again.
    expect(proxy.count('CreateMultipartUpload')).toBe(1);
    expect(proxy.count('UploadPart')).toBe(2 + 2);
    expect(await run.committed()).toEqual([0, 1].map((p) => ({ topic: run.topic, partition: p, offset: N })));
    await expectNoErrorLogs(run.worker);
  });

  it('a connection reset mid-body (UploadPart, PutObject) or before the Complete is answered is retried: every record once', async () => {
    const run = await prepare({ 'flush.size': String(N) }, { partitions: 2 });
    const rules = [
      proxy.resetAfter({ kind: 'UploadPart' }, MiB),
      proxy.resetAfter({ kind: 'PutObject' }, 16 * 1024),
      proxy.resetAfter({ kind: 'CompleteMultipartUpload' }, 0),
    ];
    await run.create();
    await writeMixed(run);
    const lake = await run.delivered();
    expect(hits(rules)).toEqual([1, 1, 1]);
    expect(proxy.requests().filter((r) => r.status === 'reset').map((r) => r.kind).sort()).toEqual(['CompleteMultipartUpload', 'PutObject', 'UploadPart']);
    expect(lake.objects.map((o) => o.key)).toEqual([run.key(0, 0), run.key(1, 0)]);
    expect(proxy.count('CreateMultipartUpload')).toBe(1);
    await expectNoErrorLogs(run.worker);
  });

  /**
   * 20 consecutive 503s with one SDK retry per call: `put` throws RetriableError 10 times and the
   * runtime redelivers the same batch each time, after `retry.backoff.ms` (100 ms here, so the
   * faults are used up in a few seconds).
   */
  it('faults outlasting the SDK retries (20 consecutive 503s, s3.part.retries=1, retry.backoff.ms=100): the task stays RUNNING, the batch is redelivered, then every record once', async () => {
    const run = await prepare({ 'flush.size': '50', 's3.part.retries': '1', 'retry.backoff.ms': '100' });
    const attempts = recordTimes('PutObject');
    const rule = proxy.slowDown(DATA_PUT, 20);
    await run.create();
    await run.write(0, 200);
    await waitFor(
      'the 20 faults to be used up, while the task stays RUNNING and commits nothing incomplete',
      async () => {
        await run.expectRunning();
        await run.checkCommitRule();
        return rule.remaining === 0;
      },
      { timeoutMs: 30_000, intervalMs: 100, describe: async () => ({ hits: rule.hits, msBetweenAttempts: gaps(attempts), task: await run.task() }) },
    );
    const lake = await run.delivered();
    expect(lake.objects.map((o) => o.key)).toEqual([0, 50, 100, 150].map((o) => run.key(0, o)));
    // 20 refused, then one accepted per object: the redelivered records were not written again.
    expect(dataPuts()).toBe(20 + 4);
    await expectNoErrorLogs(run.worker);
  }, 90_000);

  // The same redelivery at the runtime's own backoff (300 ms, doubling): few enough faults to finish
  // whatever `retry.backoff.ms` does.
  it('redelivery with the runtime backoff (6 consecutive 503s, s3.part.retries=1): no duplicate lines from the redelivered batch', async () => {
    const run = await prepare({ 'flush.size': '50', 's3.part.retries': '1' });
    const rule = proxy.slowDown(DATA_PUT, 6);
    await run.create();
    await run.write(0, 200);
    const lake = await run.delivered({ timeoutMs: 40_000 });
    expect(rule.hits).toBe(6);
    expect(lake.objects.map((o) => o.key)).toEqual([0, 50, 100, 150].map((o) => run.key(0, o)));
    expect(dataPuts()).toBe(6 + 4);
    await expectNoErrorLogs(run.worker);
  }, 60_000);

  // What `open` reads and aborts goes through the same store: a burst there is as transient as one in `put`.
  it('503 bursts on the calls made when partitions are opened (cut journal GetObject, ListMultipartUploads) that outlast the SDK retries: the task stays RUNNING and delivers once they stop', async () => {
    const run = await prepare({ 'flush.size': '10', 's3.part.retries': '1', 'retry.backoff.ms': '100' });
    const rules = [proxy.slowDown({ kind: 'GetObject' }, 2), proxy.slowDown({ kind: 'ListMultipartUploads' }, 2)];
    await run.worker.herder.putConnectorConfig(run.name, run.config, { allowReplace: false });
    await run.write(0, 20);
    await waitFor('the task to report a state', async () => (await run.task())?.state, { describe: () => run.task() });
    const lake = await run.delivered();
    expect(hits(rules)).toEqual([2, 2]);
    expect(lake.objects.map((o) => o.key)).toEqual([run.key(0, 0), run.key(0, 10)]);
    await expectNoErrorLogs(run.worker);
  });

  it('delayed responses (2 s on CompleteMultipartUpload, 1 s on PutObject and UploadPart): every record once, nothing committed early', async () => {
    const run = await prepare({ 'flush.size': String(N) }, { partitions: 2 });
    const rules = [
      proxy.delay({ kind: 'CompleteMultipartUpload' }, 2000),
      proxy.delay(DATA_PUT, 1000),
      proxy.delay({ kind: 'UploadPart' }, 1000),
    ];
    await run.create();
    await writeMixed(run);
    const lake = await run.delivered();
    expect(hits(rules)).toEqual([1, 1, 2]);
    expect(lake.objects.map((o) => o.key)).toEqual([run.key(0, 0), run.key(1, 0)]);
    await expectNoErrorLogs(run.worker);
  });

  describe('permanent errors fail the task, naming the cause; nothing is committed past complete objects', () => {
    const cases = [
      { code: 'NoSuchBucket', status: 404, says: 'the bucket does not exist (s3.bucket.name)' },
      { code: 'AccessDenied', status: 403, says: 'access denied: check the credentials' },
    ];
    for (const c of cases) {
      it(`${c.status} ${c.code} on PutObject`, async () => {
        const run = await prepare({ 'flush.size': '20' });
        await run.create();
        await run.write(0, 40);
        const before = await run.delivered();
        const rule = proxy.fail(DATA_PUT, { status: c.status, code: c.code });
        await run.write(0, 30); // one more file due (offsets 40–59), 10 records left open
        const task = await waitFor(
          'the task to fail',
          async () => {
            await run.checkCommitRule();
            const t = await run.task();
            return t?.state === 'FAILED' ? t : undefined;
          },
          { describe: () => run.task() },
        );
        expect(task.trace).toContain(c.says);
        expect(task.trace).toContain(`${c.code} (HTTP ${c.status})`);
        expect(task.trace).toContain(`PutObject s3://${s3.bucket}/${run.key(0, 40)}`);
        expect(rule.hits, 'a permanent error is neither retried nor redelivered').toBe(1);
        const { committed, lake } = await run.checkCommitRule();
        expect(committed).toEqual([{ topic: run.topic, partition: 0, offset: 40 }]);
        expect(lake.objects.map((o) => o.key)).toEqual(before.objects.map((o) => o.key));
        expect(exactlyOnceProblems(lake, run.written.filter((r) => r.offset < 40), identity)).toEqual([]);
      });
    }
  });

  it('multipart uploads abandoned under assigned partitions are aborted when the partitions are opened; others are left alone', async () => {
    const run = await prepare({ 'flush.size': '10' }, { partitions: 2 });
    const client = s3.client({ endpoint: proxy.endpoint });
    const start = async (key: string): Promise<string> => (await client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: key }))).UploadId!;
    const abandoned = new Map<string, string>();
    for (const key of [run.key(0, 0), run.key(1, 42)]) abandoned.set(key, await start(key));
    // A part, as a crashed writer leaves it.
    await client.send(new UploadPartCommand({ Bucket: s3.bucket, Key: run.key(0, 0), UploadId: abandoned.get(run.key(0, 0)), PartNumber: 1, Body: Buffer.alloc(5 * MiB, 'a') }));
    const other = `${run.topic}-other`;
    const foreign = new Map<string, string>();
    for (const key of [run.key(0, 0, other), `${run.dir}/${run.topic}/partition=0/notes.json`]) foreign.set(key, await start(key));
    const open = (): string[] => proxy.openUploads(s3.bucket).filter((u) => u.key.startsWith(`${run.dir}/`)).map((u) => u.key).sort();
    expect(open()).toEqual([...abandoned.keys(), ...foreign.keys()].sort());
    proxy.resetCounts();

    await run.create();
    const left = await waitFor('the abandoned uploads to be aborted', () => {
      const now = open();
      return [...abandoned.keys()].every((k) => !now.includes(k)) ? now : undefined;
    }, { describe: () => ({ open: open(), requests: proxy.counts() }) });
    expect(left).toEqual([...foreign.keys()].sort());
    expect(proxy.count('ListMultipartUploads')).toBeGreaterThanOrEqual(1);
    const aborted = proxy.requests().filter((r) => r.kind === 'AbortMultipartUpload').map((r) => new URL(r.url, 'http://proxy').searchParams.get('uploadId'));
    expect(aborted.sort()).toEqual([...abandoned.values()].sort());

    await run.write(0, 20);
    await run.write(1, 20);
    const lake = await run.delivered();
    expect(lake.objects.map((o) => o.key)).toEqual([run.key(0, 0), run.key(0, 10), run.key(1, 0), run.key(1, 10)]);
    expect(open()).toEqual([...foreign.keys()].sort());
    await expectNoErrorLogs(run.worker);
    for (const [Key, UploadId] of foreign) await client.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key, UploadId }));
  });

  it('an idle partition is flushed after rotate.interval.ms without new records: one object, a cut journal, group offset 10', async () => {
    // No periodic commit within the case: only the task's own wake-up can flush and commit.
    const run = await prepare({ 'flush.size': '1000', 'rotate.interval.ms': '500', 'timestamp.extractor': 'Record' }, { settings: { offsetFlushIntervalMs: 600_000 } });
    await run.create();
    await run.write(0, 10);
    const lake = await run.delivered();
    expect(lake.objects.map((o) => [o.key, o.values.length])).toEqual([[run.key(0, 0), 10]]);
    const journal = `${run.dir}/_tributary/cuts/${run.topic}+0.json`;
    expect(lake.internal).toEqual([journal]);
    expect(JSON.parse((await s3.getObject(journal)).toString('utf8'))).toEqual({ version: 1, cuts: [9], through: 9 });
    expect(await run.committed()).toEqual([{ topic: run.topic, partition: 0, offset: 10 }]);
    await expectNoErrorLogs(run.worker);
  });

  it('an idle flush whose upload fails once is retried without new records (no periodic commit to fall back on)', async () => {
    const run = await prepare(
      { 'flush.size': '1000', 'rotate.interval.ms': '500', 'timestamp.extractor': 'Record', 's3.part.retries': '0', 'retry.backoff.ms': '100' },
      { settings: { offsetFlushIntervalMs: 600_000 } },
    );
    const rule = proxy.slowDown({ kind: 'PutObject' }, 1);
    await run.create();
    await run.write(0, 10);
    const lake = await run.delivered();
    expect(rule.hits).toBe(1);
    expect(lake.objects.map((o) => [o.key, o.values.length])).toEqual([[run.key(0, 0), 10]]);
    expect(await run.committed()).toEqual([{ topic: run.topic, partition: 0, offset: 10 }]);
    await expectNoErrorLogs(run.worker);
  });
});
