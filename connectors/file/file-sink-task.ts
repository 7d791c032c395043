/**
 * The FileStreamSink task: appends one line per record value to a file (or standard output).
 *
 * Durability: `put` only buffers (writing once per batch when the buffer passes its bound);
 * `flush` writes the rest and then fdatasyncs the file before it resolves, so the offsets the
 * runtime commits after it never run ahead of what is on disk. After a crash the records since
 * the last commit are appended again: at-least-once, as in Kafka.
 *
 * A write made by `put` is followed by an fdatasync in the background (one at a time), so the
 * sync that `flush` waits for covers only what was written since: durability earlier, never later.
 * A failed background sync fails every later `flush`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { ConnectError, type SinkRecord, type SinkTask, type SinkTaskContext, type TaskLogger, type TopicPartitionOffset } from '../../src/sdk/index.js';
import { FILE_CONNECTOR_VERSION, parseFileSinkSettings } from './file-config.js';
import { valueText } from './value-text.js';

/** Tuning and I/O for the task; the worker uses the defaults, tests shrink them. */
export interface FileSinkTaskOptions {
  /** Bytes held in memory before `put` writes them out (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** The stream written when `file` is not set (default `process.stdout`). */
  readonly stdout?: Writable;
}

const EMPTY = Buffer.alloc(0);
const MIN_BUFFER_BYTES = 64 * 1024;

/** Writes each record's value with `valueText` plus `\n`; a null value is the line `null`, as in Kafka. */
export class FileStreamSinkTask implements SinkTask {
  private fd: FileHandle | null = null;
  private stream: Writable | null = null;
  private path = '';
  /** `buf[0, len)` holds the encoded lines not yet written. */
  private buf: Buffer = EMPTY;
  private len = 0;
  /** Writes to the file so far, and how many of them a finished fdatasync covers. */
  private writes = 0;
  private syncedWrites = 0;
  /** The background fdatasync in flight; it never rejects (a failure is kept in `syncError`). */
  private syncing: Promise<void> | null = null;
  private syncError: unknown = null;
  private readonly maxBufferedBytes: number;

  constructor(private readonly options: FileSinkTaskOptions = {}) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  }

  version(): string {
    return FILE_CONNECTOR_VERSION;
  }

  /** Opens the file for appending (creating it, not its directory); throws ConnectError naming the path. */
  async start(props: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> {
    const { file } = parseFileSinkSettings(props);
    if (file === null) {
      this.stream = this.options.stdout ?? process.stdout;
      this.path = 'standard output';
      context.logger.info('Writing records to standard output');
      return;
    }
    this.path = file;
    try {
      this.fd = await open(file, 'a');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' ? `directory ${dirname(file)} does not exist` : e.message;
      throw new ConnectError(`FileStreamSink cannot open ${file} for appending: ${why}`, { cause: err });
    }
    await dropTornTail(this.fd, file, context.logger);
    await syncDirectory(dirname(file), context.logger);
    context.logger.info({ file }, `Appending records to ${file}`);
  }

  /** Buffers the batch's lines; writes them (one write) once the buffer passes its bound. */
  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Each line is encoded straight into the buffer: no joined string to flatten and encode again.
    for (const r of records) {
      const text = valueText(r.value);
      // At most 3 bytes per UTF-16 unit, plus the newline.
      if (this.len + 3 * text.length + 1 > this.buf.length) this.grow(3 * text.length + 1);
      this.len += this.buf.write(text, this.len, 'utf8');
      this.buf[this.len++] = 0x0a;
    }
    if (this.len >= this.maxBufferedBytes) {
      await this.writePending();
      this.syncInBackground();
    }
  }

  /** Writes what is buffered, then fdatasyncs the file; resolves only once both are done. */
  async flush(_offsets?: readonly TopicPartitionOffset[]): Promise<void> {
    await this.writePending();
    if (!this.fd) return;
    if (this.syncing) await this.syncing;
    if (this.syncError !== null) throw this.syncFailed(this.syncError);
    if (this.writes > this.syncedWrites) {
      const upTo = this.writes;
      try {
        // fdatasync covers the data and the new length: all an append changes that matters.
        await this.fd.datasync();
      } catch (err) {
        this.syncError = err;
        throw this.syncFailed(err);
      }
      this.syncedWrites = Math.max(this.syncedWrites, upTo);
    }
  }

  /** Flushes and closes the file (standard output stays open). */
  async stop(): Promise<void> {
    const fd = this.fd;
    try {
      if (fd || this.stream) await this.flush();
    } finally {
      this.fd = null;
      this.stream = null;
      await fd?.close();
    }
  }

  /** Starts an fdatasync of what is written so far, unless one is in flight already. */
  private syncInBackground(): void {
    const fd = this.fd;
    if (fd === null || this.syncing !== null || this.writes === this.syncedWrites) return;
    const upTo = this.writes;
    this.syncing = fd.datasync().then(
      () => {
        this.syncedWrites = Math.max(this.syncedWrites, upTo);
        this.syncing = null;
      },
      (err: unknown) => {
        // After a failed fdatasync the kernel may have dropped the pages: no later sync can vouch for them.
        this.syncError ??= err;
        this.syncing = null;
      },
    );
  }

  private syncFailed(err: unknown): ConnectError {
    return new ConnectError(`FileStreamSink cannot sync ${this.path}: ${(err as Error).message}`, { cause: err });
  }

  /** Room for `n` more bytes after the buffered ones. */
  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.len + n, 2 * this.buf.length, MIN_BUFFER_BYTES));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private async writePending(): Promise<void> {
    if (this.len === 0) return;
    // The buffer is lent to the write and taken back after it; a put meanwhile would start a new one.
    const buf = this.buf;
    const data = buf.subarray(0, this.len);
    this.buf = EMPTY;
    this.len = 0;
    try {
      if (this.fd) {
        // Counted before it starts: a write that fails halfway still leaves the file to sync.
        this.writes++;
        // Regular files rarely write short, but a short write must not lose the rest.
        for (let off = 0; off < data.length; ) off += (await this.fd.write(data, off, data.length - off)).bytesWritten;
      } else if (this.stream) {
        const stream = this.stream;
        await new Promise<void>((resolve, reject) => stream.write(data, (err) => (err ? reject(err) : resolve())));
      } else {
        throw new Error('the task is not started');
      }
    } catch (err) {
      throw new ConnectError(`FileStreamSink cannot write to ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    if (this.buf === EMPTY) this.buf = buf;
  }
}

const TAIL_WINDOW = 1024 * 1024;

/**
 * Every line this sink writes ends with `\n` and is synced before its offset is committed, so an
 * unterminated tail can only be a write torn by a crash, whose records are delivered again: it is
 * cut off, so the redelivered lines are not glued to a fragment. Looks back at most 1 MiB.
 */
async function dropTornTail(fd: FileHandle, file: string, logger: TaskLogger): Promise<void> {
  const { size } = await fd.stat();
  if (size === 0) return;
  const window = Math.min(size, TAIL_WINDOW);
  const tail = Buffer.alloc(window);
  const reader = await open(file, 'r');
  try {
    await reader.read(tail, 0, window, size - window);
  } finally {
    await reader.close();
  }
  if (tail[window - 1] === 0x0a) return;
  const nl = tail.lastIndexOf(0x0a);
  if (nl < 0 && window < size) {
    logger.warn(`${file} ends with over ${TAIL_WINDOW} bytes without a line break; left as it is`);
    return;
  }
  const keep = size - window + nl + 1;
  await fd.truncate(keep);
  await fd.datasync();
  logger.warn(`${file} ended with an unterminated line (${size - keep} bytes, torn by a crash); removed it, its records are delivered again`);
}

/** Makes a newly created file's directory entry durable; best effort where directories cannot be synced. */
async function syncDirectory(dir: string, logger: TaskLogger): Promise<void> {
  let fd: FileHandle | null = null;
  try {
    fd = await open(dir, 'r');
    await fd.sync();
  } catch (err) {
    logger.debug({ dir, err: (err as Error).message }, `Cannot sync directory ${dir}`);
  } finally {
    await fd?.close().catch(() => {});
  }
}
