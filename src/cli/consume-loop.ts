/**
 * The console consumer's poll loop: long-polls every followed partition at once, prints what
 * arrives in offset order per partition, and stops on --max-messages, on --timeout-ms without a
 * new record, on a stop signal, or when stdout's reader goes away.
 */
import type { Log, StoredRecord } from '../log/log.js';
import type { OutputWriter } from './io.js';

/** A partition being read and the next offset to print. */
export interface Position {
  readonly partition: number;
  offset: number;
}

export interface RecordFormat {
  readonly printPartition: boolean;
  readonly printOffset: boolean;
  readonly printKey: boolean;
}

export interface ConsumeLoopOptions {
  readonly topic: string;
  readonly positions: readonly Position[];
  readonly format: RecordFormat;
  readonly maxMessages?: number;
  readonly timeoutMs?: number;
  /** Aborted on SIGINT/SIGTERM. */
  readonly stop: AbortSignal;
  readonly now?: () => number;
}

/** Byte budget of one read of one partition. */
const READ_BYTES = 1 << 20;
/** Long-poll length while following without --timeout-ms (a stop signal cuts it short). */
const FOLLOW_WAIT_MS = 30_000;

function text(b: Buffer | null): string {
  return b === null ? 'null' : b.toString('utf8');
}

/** `[partition\t][offset\t][key\t]value\n`; a null key or value prints as `null`. */
export function formatRecord(partition: number, r: StoredRecord, f: RecordFormat): string {
  let line = '';
  if (f.printPartition) line += `${partition}\t`;
  if (f.printOffset) line += `${r.offset}\t`;
  if (f.printKey) line += `${text(r.key)}\t`;
  return `${line}${text(r.value)}\n`;
}

/** Runs the loop; returns how many records were printed. Positions are advanced in place. */
export async function consumeLoop(log: Log, out: OutputWriter, opts: ConsumeLoopOptions): Promise<number> {
  const now = opts.now ?? Date.now;
  let printed = 0;
  let lastArrival = now();
  const remaining = (): number => (opts.maxMessages === undefined ? Infinity : opts.maxMessages - printed);
  while (remaining() > 0 && !opts.stop.aborted && !out.closed) {
    const wait = opts.timeoutMs === undefined ? FOLLOW_WAIT_MS : Math.max(0, lastArrival + opts.timeoutMs - now());
    // One long poll per partition; the first partition with data cuts the others' waits short.
    const poll = new AbortController();
    const cut = (): void => poll.abort();
    opts.stop.addEventListener('abort', cut, { once: true });
    const results = await Promise.all(
      opts.positions.map((p) =>
        log.read(opts.topic, p.partition, p.offset, { maxBytes: READ_BYTES, maxWaitMs: wait, signal: poll.signal }).then((r) => {
          if (r.nextOffset > p.offset) poll.abort();
          return r;
        }),
      ),
    );
    opts.stop.removeEventListener('abort', cut);
    let chunk = '';
    let arrived = false;
    let moved = false;
    results.forEach((r, i) => {
      const pos = opts.positions[i]!;
      for (const rec of r.records) {
        if (remaining() <= 0) return;
        chunk += formatRecord(pos.partition, rec, opts.format);
        printed++;
        arrived = true;
        pos.offset = rec.offset + 1;
      }
      // Offsets past the last record (removed by compaction) are covered too.
      if (r.nextOffset > pos.offset) {
        pos.offset = r.nextOffset;
        moved = true;
      }
    });
    await out.write(chunk);
    if (arrived) lastArrival = now();
    else if (!moved && opts.timeoutMs !== undefined && now() - lastArrival >= opts.timeoutMs) break;
  }
  return printed;
}
