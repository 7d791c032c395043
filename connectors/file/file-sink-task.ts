/**
 * The FileStreamSink task: appends one line per record value to a file (or standard output).
 *
 * Durability: `put` only buffers (writing once per batch when the buffer passes its bound);
 * `flush` writes the rest and then fdatasyncs the file before it resolves, so the offsets the
 * runtime commits after it never run ahead of what is on disk. After a crash the records since
 * the last commit are appended again: at-least-once, as in Kafka.
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

/** Writes each record's value with `valueText` plus `\n`; a null value is the line `null`, as in Kafka. */
export class FileStreamSinkTask implements SinkTask {
  private fd: FileHandle | null = null;
  private stream: Writable | null = null;
  private path = '';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes were written since the last sync. */
  private dirty = false;
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
    await syncDirectory(dirname(file), context.logger);
    context.logger.info({ file }, `Appending records to ${file}`);
  }

  /** Buffers the batch's lines; writes them (one write) once the buffer passes its bound. */
  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    let text = '';
    for (const r of records) text += `${valueText(r.value)}\n`;
    const bytes = Buffer.from(text, 'utf8');
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= this.maxBufferedBytes) await this.writePending();
  }

  /** Writes what is buffered, then fdatasyncs the file; resolves only once both are done. */
  async flush(_offsets?: readonly TopicPartitionOffset[]): Promise<void> {
    await this.writePending();
    if (this.fd && this.dirty) {
      try {
        // fdatasync covers the data and the new length: all an append changes that matters.
        await this.fd.datasync();
        this.dirty = false;
      } catch (err) {
        throw new ConnectError(`FileStreamSink cannot sync ${this.path}: ${(err as Error).message}`, { cause: err });
      }
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

  private async writePending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      if (this.fd) {
        // Regular files rarely write short, but a short write must not lose the rest.
        this.dirty = true;
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
  }
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
