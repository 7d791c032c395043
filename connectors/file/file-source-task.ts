/**
 * The FileStreamSource task: one string record per line of a file (or of standard input), with the
 * file's byte position as source offset. See `FileFollower` for rotation, truncation and resume.
 */
import type { Readable } from 'node:stream';
import {
  ConnectError,
  Schemas,
  type ConnectHeader,
  type OffsetMap,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '../../src/sdk/index.js';
import { FILE_CONNECTOR_VERSION, FILENAME_FIELD, INODE_FIELD, parseFileSourceSettings, POSITION_FIELD } from './file-config.js';
import { FileFollower, type LineMaker, type ResumePoint } from './file-follower.js';
import { StreamLineSource } from './stream-line-source.js';

/** Tuning and I/O for the task; the worker uses the defaults, tests shrink them. */
export interface FileSourceTaskOptions {
  /** Bytes per file read (default 64 KiB). */
  readonly readChunkBytes?: number;
  /** How often an idle poll looks for new data, a rotation or the file's creation (default 100 ms). */
  readonly checkIntervalMs?: number;
  /** How long a poll waits for data before returning `[]` (default 1000 ms). */
  readonly maxWaitMs?: number;
  /** The stream read when `file` is not set (default `process.stdin`). */
  readonly stdin?: Readable;
}

/** Records are immutable: every line's record shares one empty header list. */
const NO_HEADERS: readonly ConnectHeader[] = Object.freeze([]);

interface LineSource {
  read<T>(max: number, make: LineMaker<T>): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Reads lines and returns up to `batch.size` records per poll. A line is emitted only once its
 * terminator (`\n`, `\r\n` or `\r`) is written; an unterminated last line waits, since the writer
 * may not be done with it, unless the file was rotated away or deleted (then it is finished).
 */
export class FileStreamSourceTask implements SourceTask {
  private source: LineSource | null = null;
  private topic = '';
  private batchSize = 1;
  private partition: OffsetMap | null = null;
  private readonly readChunkBytes: number;
  private readonly checkIntervalMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly options: FileSourceTaskOptions = {}) {
    this.readChunkBytes = options.readChunkBytes ?? 64 * 1024;
    this.checkIntervalMs = options.checkIntervalMs ?? 100;
    this.maxWaitMs = options.maxWaitMs ?? 1000;
    if (!(this.readChunkBytes >= 1)) throw new RangeError('readChunkBytes must be at least 1');
  }

  version(): string {
    return FILE_CONNECTOR_VERSION;
  }

  /** Parses the config and, for a file, reads the committed offset to resume from. */
  async start(props: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const settings = parseFileSourceSettings(props);
    this.topic = settings.topic;
    this.batchSize = settings.batchSize;
    if (settings.file === null) {
      context.logger.info('Reading lines from standard input; offsets are not tracked');
      this.source = new StreamLineSource(this.options.stdin ?? process.stdin);
      return;
    }
    this.partition = Object.freeze({ [FILENAME_FIELD]: settings.file });
    const stored = await context.offsetStorageReader.offset(this.partition);
    this.source = new FileFollower(settings.file, resumePoint(stored), {
      readChunkBytes: this.readChunkBytes,
      logger: context.logger,
    });
  }

  /**
   * Returns the lines available now, up to `batch.size`; otherwise checks for new data every
   * `checkIntervalMs` and returns `[]` after `maxWaitMs`, or at once when `signal` aborts.
   */
  async poll(signal: AbortSignal): Promise<readonly SourceRecord[]> {
    const source = this.source;
    if (source === null) throw new ConnectError('FileStreamSourceTask polled before start');
    const deadline = performance.now() + this.maxWaitMs;
    while (!signal.aborted) {
      const records = await source.read(this.batchSize, this.toRecord);
      if (records.length > 0) return records;
      const left = deadline - performance.now();
      if (left <= 0) break;
      await sleep(Math.min(this.checkIntervalMs, left), signal);
    }
    return [];
  }

  async stop(): Promise<void> {
    const source = this.source;
    this.source = null;
    await source?.close();
  }

  /** A line's record, built directly (what `sourceRecord` would make, without its spread). */
  private readonly toRecord = (text: string, offset: OffsetMap | null): SourceRecord => ({
    topic: this.topic,
    kafkaPartition: null,
    keySchema: null,
    key: null,
    valueSchema: Schemas.OPTIONAL_STRING,
    value: text,
    timestamp: null,
    headers: NO_HEADERS,
    sourcePartition: this.partition,
    sourceOffset: offset,
  });
}

/** The stored offset as a resume point; a malformed one fails the task, as in Kafka. */
function resumePoint(stored: OffsetMap | null): ResumePoint | null {
  if (stored === null) return null;
  const position = stored[POSITION_FIELD];
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
    throw new ConnectError(`Stored offset ${JSON.stringify(stored)} has no non-negative integer '${POSITION_FIELD}'`);
  }
  const inode = stored[INODE_FIELD];
  return inode === undefined || inode === null ? { position } : { position, inode: String(inode) };
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
