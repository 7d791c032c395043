/**
 * The S3 sink task driven in-process the way the runtime drives it (open, put in batches, preCommit,
 * a crash or a stop), writing to a real S3-compatible server (`TestS3`), with what the runtime
 * cannot give a test: a manual clock (`PlanDeps.now`), every write the store made, and the bytes the
 * task's open files hold, sampled at every record it takes.
 *
 * The held bytes are counted outside the task's own accounting: what the record writers keep back
 * (`RecordWriter.heldBytes`), plus the bytes they handed to their uploads, minus the bytes the store
 * accepted (PutObject, UploadPart), minus the bytes on local disk (written to spill files and not
 * read back yet).
 *
 * @example
 * ```ts
 * const clock = new ManualClock(Date.UTC(2024, 4, 1));
 * const run = await SinkTaskRun.start({ ...s3.sinkConfig(), ...props }, { clock, partitions: [{ topic: 't', partition: 0 }] });
 * await run.put(records);
 * await run.preCommit();
 * await run.stop();
 * ```
 */
import { ParquetRecordWriters } from '../../../connectors/s3/formats/parquet-record-writer.js';
import type { RecordWriter } from '../../../connectors/s3/formats/record-writer.js';
import type { ObjectStore, OpenUpload, UploadedPart } from '../../../connectors/s3/object-store.js';
import { S3SinkTask } from '../../../connectors/s3/s3-sink-task.js';
import { buildPlan, type SinkPlan } from '../../../connectors/s3/sink-plan.js';
import { LocalSpillFiles, type SpillFiles } from '../../../connectors/s3/spill-files.js';
import { JsonConverter } from '../../../src/runtime/converters/json-converter.js';
import { convertToString } from '../../../src/runtime/converters/values-text.js';
import type { ManualClock } from '../../../src/util/clock.js';
import type { Schema, SinkRecord, SinkTaskContext, TopicPartitionOffset, TopicPartitionRef } from '../../../src/sdk/index.js';

/** A record of `topic`-`partition` at `offset`, as the runtime delivers it. */
export function sinkRecord(topic: string, partition: number, offset: number, value: unknown, o: { timestamp?: number; valueSchema?: Schema | null } = {}): SinkRecord {
  return {
    topic,
    kafkaPartition: partition,
    kafkaOffset: offset,
    keySchema: null,
    key: null,
    valueSchema: o.valueSchema ?? null,
    value,
    timestamp: o.timestamp ?? 0,
    timestampType: 'CreateTime',
    headers: [],
    originalTopic: topic,
    originalKafkaPartition: partition,
    originalKafkaOffset: offset,
  };
}

/** One write the store accepted: a whole object (put, complete) or a part. */
interface StoreWrite {
  readonly op: 'put' | 'part' | 'complete';
  readonly key: string;
  readonly bytes: number;
  /** The object's bytes, for `put` (`complete`: see `RecordingStore.objects`). */
  readonly body?: Buffer;
}

/**
 * A store that forwards to the real one and records what it accepted: every write in order, the
 * bytes of data objects sent, and the content of each object made visible (parts joined on complete).
 */
class RecordingStore implements ObjectStore {
  readonly writes: StoreWrite[] = [];
  /** key → the bytes of the last version made visible through this store. */
  readonly objects = new Map<string, Buffer>();
  /** Bytes of data objects the store accepted (PutObject bodies, parts), not counting `_tributary/` objects. */
  dataBytesSent = 0;
  private readonly parts = new Map<string, Buffer[]>();

  constructor(
    private readonly inner: ObjectStore,
    private readonly isData: (key: string) => boolean,
  ) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.inner.put(key, body);
    const b = Buffer.from(body);
    this.writes.push({ op: 'put', key, bytes: b.length, body: b });
    this.objects.set(key, b);
    if (this.isData(key)) this.dataBytesSent += b.length;
  }

  get(key: string): Promise<Buffer | null> {
    return this.inner.get(key);
  }

  createUpload(key: string): Promise<string> {
    return this.inner.createUpload(key);
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<UploadedPart> {
    const part = await this.inner.uploadPart(key, uploadId, partNumber, body);
    const list = this.parts.get(uploadId) ?? [];
    list[partNumber - 1] = Buffer.from(body);
    this.parts.set(uploadId, list);
    this.writes.push({ op: 'part', key, bytes: body.length });
    if (this.isData(key)) this.dataBytesSent += body.length;
    return part;
  }

  async completeUpload(key: string, uploadId: string, parts: readonly UploadedPart[], totalBytes: number): Promise<void> {
    await this.inner.completeUpload(key, uploadId, parts, totalBytes);
    const body = Buffer.concat(this.parts.get(uploadId) ?? []);
    this.parts.delete(uploadId);
    this.writes.push({ op: 'complete', key, bytes: body.length });
    this.objects.set(key, body);
  }

  abortUpload(key: string, uploadId: string): Promise<void> {
    this.parts.delete(uploadId);
    return this.inner.abortUpload(key, uploadId);
  }

  listUploads(prefix: string): Promise<OpenUpload[] | null> {
    return this.inner.listUploads(prefix);
  }

  /** Keys of data objects made visible, in the order they became visible (repeats kept). */
  visibleDataKeys(): string[] {
    return this.writes.filter((w) => w.op !== 'part' && this.isData(w.key)).map((w) => w.key);
  }
}

/** The task's spill files, counting the bytes written to them and read back. */
class CountingSpillFiles implements SpillFiles {
  written = 0;
  readBack = 0;
  /** Spill writes made (one per file spilled). */
  writes = 0;
  private readonly inner: LocalSpillFiles;

  constructor(readonly parent: string) {
    this.inner = new LocalSpillFiles(parent);
  }

  newFile(): string {
    return this.inner.newFile();
  }

  async write(file: string, position: number, chunks: readonly Uint8Array[]): Promise<void> {
    await this.inner.write(file, position, chunks);
    this.writes++;
    for (const c of chunks) this.written += c.length;
  }

  async read(file: string, position: number, length: number): Promise<Buffer> {
    const b = await this.inner.read(file, position, length);
    this.readBack += b.length;
    return b;
  }

  remove(file: string): Promise<void> {
    return this.inner.remove(file);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Bytes on local disk not read back yet. */
  onDisk(): number {
    return this.written - this.readBack;
  }
}

/** The bytes a task's open files hold, counted outside the task, and sampled as records arrive. */
class HeldBytesProbe {
  private readonly writers = new Set<RecordWriter>();
  private pushed = 0;
  /** The task's spill files, once it made them. */
  spill: CountingSpillFiles | null = null;
  /** The largest count seen at a sample. */
  max = 0;
  samples = 0;

  constructor(private readonly store: RecordingStore) {}

  /** Wraps a writer factory's output so the bytes handed to uploads are counted. */
  track(make: (out: (chunk: Uint8Array) => void) => RecordWriter): (out: (chunk: Uint8Array) => void) => RecordWriter {
    return (out) => {
      const w = make((chunk) => {
        this.pushed += chunk.length;
        out(chunk);
      });
      this.writers.add(w);
      return w;
    };
  }

  /** Kept back by writers + handed to uploads − accepted by the store − on local disk. */
  held(): number {
    let n = 0;
    for (const w of this.writers) n += w.heldBytes();
    return n + this.pushed - this.store.dataBytesSent - (this.spill?.onDisk() ?? 0);
  }

  sample(): number {
    const h = this.held();
    this.samples++;
    if (h > this.max) this.max = h;
    return h;
  }
}

interface TaskRunOptions {
  readonly clock: ManualClock;
  readonly partitions: readonly TopicPartitionRef[];
}

/** What the task told its context: log lines and commit requests. */
class TaskSignals {
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  commitRequests = 0;
}

/** One instance of the task, from `start` to a `stop` or a `crash`. */
export class SinkTaskRun {
  /** What the last `preCommit` returned, per `topic\0partition` (what the runtime commits). */
  readonly committed = new Map<string, number>();
  /** The next offset to deliver, per `topic\0partition` (the consumer's position). */
  readonly position = new Map<string, number>();

  private constructor(
    readonly task: S3SinkTask,
    readonly plan: SinkPlan,
    readonly store: RecordingStore,
    readonly probe: HeldBytesProbe,
    readonly signals: TaskSignals,
    readonly partitions: readonly TopicPartitionRef[],
  ) {}

  /**
   * Starts a task of `props` (a full sink config, e.g. from `TestS3.sinkConfig()`) whose plan has
   * the manual clock and a recording store, and opens `partitions` (cut journals loaded, abandoned
   * uploads aborted), as the runtime does after a rebalance. Delivery starts at `from` (default 0).
   */
  static async start(props: Record<string, string>, o: TaskRunOptions & { from?: ReadonlyMap<string, number> }): Promise<SinkTaskRun> {
    const topicsDir = props['topics.dir'] ?? 'topics';
    const isData = (key: string): boolean => !key.startsWith(`${topicsDir}/_tributary/`);
    let made: { plan: SinkPlan; store: RecordingStore; probe: HeldBytesProbe } | undefined;
    const task = new S3SinkTask({
      plan: (p) => {
        const real = buildPlan(p, { newJsonConverter: () => new JsonConverter(), valuesText: convertToString, now: () => o.clock.now(), parquet: (s) => ParquetRecordWriters.factory(s) });
        const store = new RecordingStore(real.store, isData);
        const probe = new HeldBytesProbe(store);
        const deps = real.partitionDeps;
        const plan: SinkPlan = {
          ...real,
          store,
          partitionDeps: {
            ...deps,
            // Called once per record the writer takes, before it is appended.
            place: (r) => {
              probe.sample();
              return deps.place(r);
            },
            newWriter: probe.track(deps.newWriter),
          },
        };
        made = { plan, store, probe };
        return plan;
      },
      spillFiles: (dir) => (made!.probe.spill = new CountingSpillFiles(dir)),
    });
    const signals = new TaskSignals();
    const log = (into: string[]) => (a: unknown, b?: string) => void into.push(typeof a === 'string' ? a : (b ?? JSON.stringify(a)));
    const context: SinkTaskContext = {
      logger: { debug: () => {}, info: () => {}, warn: log(signals.warnings), error: log(signals.errors) },
      connector: 'sink-driver',
      taskId: 0,
      assignment: () => o.partitions,
      pause: () => {},
      resume: () => {},
      seek: () => {
        throw new Error('the S3 sink does not seek');
      },
      requestCommit: () => void signals.commitRequests++,
      // As a runtime with errors.tolerance=none: a reported record fails put.
      errantRecordReporter: {
        report: (_record, error) => {
          throw error;
        },
      },
    };
    await task.start(props, context);
    const run = new SinkTaskRun(task, made!.plan, made!.store, made!.probe, signals, o.partitions);
    for (const tp of o.partitions) run.position.set(tpKey(tp.topic, tp.partition), o.from?.get(tpKey(tp.topic, tp.partition)) ?? 0);
    await task.open(o.partitions);
    return run;
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    await this.task.put(records);
    for (const r of records) this.position.set(tpKey(r.topic, r.kafkaPartition), r.kafkaOffset + 1);
  }

  /** The runtime's commit: asks the task what may be committed at the current positions, and keeps it. */
  async preCommit(): Promise<readonly TopicPartitionOffset[]> {
    const offsets = this.partitions.map((tp) => ({ ...tp, offset: this.position.get(tpKey(tp.topic, tp.partition))! }));
    const out = await this.task.preCommit(offsets);
    for (const o of out) this.committed.set(tpKey(o.topic, o.partition), o.offset);
    return out;
  }

  /** A crash: the task is dropped without `close` or `stop`; only its S3 connections are released. */
  crash(): void {
    this.plan.close();
  }

  /** A graceful stop (open files are abandoned, as the runtime's stop does). */
  async stop(): Promise<void> {
    await this.task.stop();
  }
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * The records of a topic as the runtime would deliver them: batches made of runs of `perRun`
 * records of one partition, partitions in turn, at most `batchSize` records a batch, starting at
 * `from` (per `topic\0partition`, default 0).
 */
export function batches(log: ReadonlyMap<number, readonly SinkRecord[]>, o: { perRun: number; batchSize: number; from?: ReadonlyMap<string, number> }): SinkRecord[][] {
  const next = new Map<number, number>();
  for (const [p, records] of log) {
    const start = records[0] === undefined ? 0 : (o.from?.get(tpKey(records[0].topic, p)) ?? 0);
    next.set(p, records.findIndex((r) => r.kafkaOffset >= start));
  }
  const out: SinkRecord[][] = [];
  let batch: SinkRecord[] = [];
  for (;;) {
    let took = false;
    for (const [p, records] of log) {
      let i = next.get(p)!;
      if (i < 0 || i >= records.length) continue;
      const run = records.slice(i, i + o.perRun);
      i += run.length;
      next.set(p, i);
      took = true;
      for (const r of run) {
        batch.push(r);
        if (batch.length >= o.batchSize) {
          out.push(batch);
          batch = [];
        }
      }
    }
    if (!took) break;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}
