/**
 * The CLI's view of the process: its streams and its stop signals, injected so the commands never
 * reach for `process` themselves. Also the output writer that respects backpressure.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Calls `handler` on SIGINT or SIGTERM until the returned function is called. */
  onStopSignal(handler: () => void): () => void;
}

export const processIo: CliIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  onStopSignal(handler) {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

/** Prints one diagnostic line, `tributary: <message>`, folding any line breaks into spaces. */
export function warn(io: CliIo, message: string): void {
  io.stderr.write(`tributary: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`);
}

/**
 * Writes to a stream, waiting for 'drain' whenever `write` says its buffer is full. A closed reader
 * (EPIPE, e.g. `| head`) is not an error: `closed` turns true and later writes are dropped.
 */
export class OutputWriter {
  private failure: Error | null = null;
  private ended = false;
  private readonly closedListeners = new Set<() => void>();

  constructor(private readonly out: Writable) {
    out.on('error', this.onError);
  }

  /** Whether the reader went away; the caller should stop producing output. */
  get closed(): boolean {
    return this.ended;
  }

  /** Runs `fn` once when the reader goes away. */
  onClosed(fn: () => void): void {
    if (this.ended) fn();
    else this.closedListeners.add(fn);
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.ended || text.length === 0) return;
    if (this.out.write(text)) return;
    // `once` also settles on 'error'; `onError` has recorded it by then.
    const drained = once(this.out, 'drain').then(
      () => undefined,
      () => undefined,
    );
    const closed = new Promise<void>((resolve) => this.onClosed(resolve));
    await Promise.race([drained, closed]);
    if (this.failure) throw this.failure;
  }

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') this.failure = err;
    this.ended = true;
    for (const fn of this.closedListeners) fn();
    this.closedListeners.clear();
  };
}
