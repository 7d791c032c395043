/**
 * Lines from a readable stream (standard input when the source has no `file`). As in Kafka, no
 * offsets are tracked: what was read before a restart is not read again, and what was read but not
 * yet delivered is lost. At the end of the stream the unterminated rest is a line too.
 */
import type { Readable } from 'node:stream';
import { ConnectError } from '../../src/sdk/index.js';
import type { LineMaker } from './file-follower.js';
import { LineSplitter } from './line-reader.js';

export class StreamLineSource {
  private readonly splitter = new LineSplitter();
  private ended = false;
  private error: Error | null = null;
  private readonly onData = (chunk: Buffer | string): void => {
    this.splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    // Backpressure: stop reading while the unread bytes exceed the bound.
    if (this.splitter.buffered > this.maxBufferedBytes) this.stream.pause();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
  };
  private readonly onError = (err: Error): void => {
    this.error = err;
  };

  constructor(
    private readonly stream: Readable,
    private readonly maxBufferedBytes = 1024 * 1024,
  ) {
    stream.on('data', this.onData).on('end', this.onEnd).on('error', this.onError);
  }

  /** Up to `max` complete lines available now, made by `make`; `[]` when there is nothing new. Never waits. */
  async read<T>(max: number, make: LineMaker<T>): Promise<T[]> {
    if (this.error) throw new ConnectError(`Error reading standard input: ${this.error.message}`, { cause: this.error });
    const out: T[] = [];
    // Positions mean nothing here, so a trailing '\r' may end its line at once ('eof').
    for (let text; out.length < max && (text = this.splitter.nextText(this.ended ? 'final' : 'eof')) !== null; ) {
      out.push(make(text, null));
    }
    if (this.stream.isPaused() && !this.ended && this.splitter.buffered <= this.maxBufferedBytes >>> 1) this.stream.resume();
    return out;
  }

  /** Stops listening; the stream itself (usually process.stdin) is left open. */
  async close(): Promise<void> {
    this.stream.off('data', this.onData).off('end', this.onEnd).off('error', this.onError);
    this.stream.pause();
  }
}
