/**
 * Groups records per partition into batches and appends them, keeping a few appends in flight so
 * the producer pipelines instead of waiting once per record. `add` resolves only when there is room
 * for more (that is the backpressure on stdin).
 */
import { HEADER_SIZE } from '../log/codec/record-batch.js';
import type { Log, LogRecord } from '../log/log.js';

/** Bytes a record adds to a batch beyond its key and value: length, attributes, deltas, header count. */
const RECORD_OVERHEAD = 24;

export interface BatchLimits {
  /** Most records in one append. */
  readonly maxRecords: number;
  /** Most estimated encoded bytes in one append (keep it below the topic's max.message.bytes). */
  readonly maxBytes: number;
  /** Most appends awaiting acknowledgement at once. */
  readonly maxInFlight: number;
}

/** What a failed append covered, for the error report. */
export interface FailedAppend {
  readonly partition: number;
  readonly records: number;
  readonly firstLine: number;
  readonly lastLine: number;
  readonly error: unknown;
}

interface PendingBatch {
  records: LogRecord[];
  bytes: number;
  firstLine: number;
  lastLine: number;
}

export function batchLimitsFor(maxMessageBytes: number): BatchLimits {
  return { maxRecords: 500, maxBytes: Math.max(1, Math.min(1 << 20, maxMessageBytes - HEADER_SIZE)), maxInFlight: 8 };
}

export class AppendBatcher {
  /** Records whose append was acknowledged. */
  acknowledged = 0;
  /** Records whose append failed. */
  failed = 0;
  private readonly batches = new Map<number, PendingBatch>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly log: Log,
    private readonly topic: string,
    private readonly limits: BatchLimits,
    private readonly onFailure: (failure: FailedAppend) => void,
  ) {}

  /** Queues `record` (read from input line `line`) for `partition`. */
  async add(partition: number, record: LogRecord, line: number): Promise<void> {
    const size = (record.key?.length ?? 0) + (record.value?.length ?? 0) + RECORD_OVERHEAD;
    let batch = this.batches.get(partition);
    if (batch && batch.bytes + size > this.limits.maxBytes) {
      await this.send(partition);
      batch = undefined;
    }
    if (!batch) {
      batch = { records: [], bytes: 0, firstLine: line, lastLine: line };
      this.batches.set(partition, batch);
    }
    batch.records.push(record);
    batch.bytes += size;
    batch.lastLine = line;
    // A record alone above maxBytes still goes, alone: the log then says whether it is too large.
    if (batch.records.length >= this.limits.maxRecords || batch.bytes >= this.limits.maxBytes) await this.send(partition);
  }

  /** Appends what is queued and waits for every acknowledgement. */
  async finish(): Promise<void> {
    for (const partition of [...this.batches.keys()]) await this.send(partition);
    await Promise.all(this.inFlight);
  }

  private async send(partition: number): Promise<void> {
    const batch = this.batches.get(partition);
    if (!batch) return;
    this.batches.delete(partition);
    const n = batch.records.length;
    const done = this.log.append(this.topic, partition, batch.records).then(
      () => {
        this.acknowledged += n;
      },
      (error: unknown) => {
        this.failed += n;
        this.onFailure({ partition, records: n, firstLine: batch.firstLine, lastLine: batch.lastLine, error });
      },
    );
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
    while (this.inFlight.size >= this.limits.maxInFlight) await Promise.race(this.inFlight);
  }
}
