/**
 * Follows one file path as `tail -F` does, turning it into lines with resumable byte offsets.
 *
 * Invariants:
 * - Reads are positional (`pread`) in big chunks; lines are cut in bytes and decoded whole.
 * - A line is returned only once its terminator is on disk: the writer may still be writing it.
 *   Only a file that is finished (rotated away or deleted) gives up its unterminated last line.
 * - Rotation (the path now names another inode): the old file is read to its end through the
 *   descriptor still open, then the new file is read from 0. Writes that land in the old file
 *   before we reach its end are not lost.
 * - Truncation (the same inode is now shorter than what we read): read again from 0. A file that is
 *   truncated and regrown past our position between two checks cannot be told from an append.
 * - Offsets are `{position, inode}`: `position` is Kafka's key (bytes here, not characters), `inode`
 *   tells after a restart whether the path still names the same file. Lines of a rotated-away file
 *   that were not committed before a restart are not found again (only the path is followed).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { ConnectError, type OffsetMap, type TaskLogger } from '../../src/sdk/index.js';
import { INODE_FIELD, POSITION_FIELD } from './file-config.js';
import { LineSplitter, type InputState } from './line-reader.js';

/** Where to resume: a stored offset, read from the offsets store before the first open. */
export interface ResumePoint {
  readonly position: number;
  /** The inode the position belongs to, when known (absent in offsets written by Kafka or by hand). */
  readonly inode?: string;
}

/**
 * Makes the caller's item for a line and the source offset that resumes just after it (null when
 * offsets are not tracked): sources hand lines out through it, without an object of their own per line.
 */
export type LineMaker<T> = (text: string, offset: OffsetMap | null) => T;

export interface FileFollowerOptions {
  /** Bytes asked for per read. */
  readonly readChunkBytes: number;
  readonly logger: TaskLogger;
}

type Change = 'none' | 'truncated' | 'rotated' | 'deleted';

export class FileFollower {
  private fd: FileHandle | null = null;
  private ino = 0n;
  private inode = '';
  private dev = 0n;
  /** The file at hand is finished: read it to its end, then move to whatever the path names. */
  private finishing = false;
  private missingLogged = false;
  private readonly splitter: LineSplitter;

  constructor(
    private readonly path: string,
    private resume: ResumePoint | null,
    private readonly options: FileFollowerOptions,
  ) {
    this.splitter = new LineSplitter(0, false, Math.max(2 * options.readChunkBytes, 64));
  }

  /** Up to `max` complete lines available now, made by `make`; `[]` when there is nothing new. Never waits. */
  async read<T>(max: number, make: LineMaker<T>): Promise<T[]> {
    const out: T[] = [];
    if (this.fd === null && !(await this.openPath(this.resume))) return out;
    while (out.length < max) {
      // Every complete line buffered, before reading more.
      while (out.length < max && this.take(out, 'more', make));
      if (out.length >= max) break;
      if ((await this.readChunk()) > 0) continue;
      // The descriptor is at its end.
      if (this.finishing) {
        if (this.take(out, 'final', make)) continue;
        await this.closeFd();
        if (!(await this.openPath(null))) break;
        continue;
      }
      const change = await this.check();
      if (change === 'none') {
        if (this.take(out, 'eof', make)) continue;
        break;
      }
      // After a rotation or deletion the loop reads once more: writes that raced the check are kept.
      if (change === 'truncated') this.splitter.reset(0);
      else this.finishing = true;
    }
    return out;
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.closeFd();
  }

  /** Moves one line into `out`; false when none is complete. */
  private take<T>(out: T[], input: InputState, make: LineMaker<T>): boolean {
    const text = this.splitter.nextText(input);
    if (text === null) return false;
    out.push(make(text, { [POSITION_FIELD]: this.splitter.position, [INODE_FIELD]: this.inode }));
    return true;
  }

  private async readChunk(): Promise<number> {
    const n = this.options.readChunkBytes;
    const target = this.splitter.reserve(n);
    const { bytesRead } = await this.fd!.read(target, 0, n, this.splitter.readPosition);
    this.splitter.commit(bytesRead);
    return bytesRead;
  }

  /** What became of the path and of our file since the last look. */
  private async check(): Promise<Change> {
    const { logger } = this.options;
    let st;
    try {
      st = await stat(this.path, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`Cannot stat ${this.path}`, err);
      // Renamed away and not yet replaced (keep reading it), or deleted (finish it).
      if ((await this.fd!.stat({ bigint: true })).nlink > 0n) return 'none';
      logger.info({ file: this.path }, `File ${this.path} was deleted; reading it to its end`);
      return 'deleted';
    }
    if (st.ino !== this.ino || st.dev !== this.dev) {
      logger.info({ file: this.path, oldInode: this.inode, newInode: String(st.ino) }, `File ${this.path} was rotated; reading the old file to its end, then the new one from the start`);
      return 'rotated';
    }
    if (Number(st.size) < this.splitter.readPosition) {
      logger.warn({ file: this.path, size: Number(st.size), position: this.splitter.readPosition }, `File ${this.path} was truncated; reading it again from the start`);
      return 'truncated';
    }
    return 'none';
  }

  /** Opens the path and positions the splitter; false when the file does not exist (yet). */
  private async openPath(resume: ResumePoint | null): Promise<boolean> {
    const { logger } = this.options;
    let fd: FileHandle;
    try {
      fd = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`Cannot open ${this.path}`, err);
      if (!this.missingLogged) logger.warn({ file: this.path }, `Couldn't find file ${this.path}; waiting for it to be created`);
      this.missingLogged = true;
      return false;
    }
    try {
      const st = await fd.stat({ bigint: true });
      if (!st.isFile()) throw new ConnectError(`${this.path} is not a regular file`);
      this.fd = fd;
      this.ino = st.ino;
      this.inode = String(st.ino);
      this.dev = st.dev;
      this.finishing = false;
      this.missingLogged = false;
      this.resume = null;
      const position = this.resumePosition(resume, this.inode, Number(st.size));
      // A line ended by a lone '\r' just before `position` owns a '\n' right after it (see LineSplitter).
      const skipLF = position > 0 && (await this.byteAt(position - 1)) === 0x0d;
      this.splitter.reset(position, skipLF);
      logger.info({ file: this.path, position, inode: this.inode }, `Reading ${this.path} from byte ${position}`);
      return true;
    } catch (err) {
      await fd.close().catch(() => {});
      this.fd = null;
      throw err instanceof ConnectError ? err : ioError(`Cannot read ${this.path}`, err);
    }
  }

  private resumePosition(resume: ResumePoint | null, inode: string, size: number): number {
    if (resume === null) return 0;
    const { logger } = this.options;
    if (resume.inode !== undefined && resume.inode !== inode) {
      logger.info({ file: this.path, storedInode: resume.inode, inode }, `${this.path} is not the file the stored offset belongs to (inode ${resume.inode}, now ${inode}); reading from the start`);
      return 0;
    }
    if (resume.position > size) {
      logger.warn({ file: this.path, storedPosition: resume.position, size }, `${this.path} is shorter (${size} bytes) than the stored position ${resume.position}; reading from the start`);
      return 0;
    }
    return resume.position;
  }

  private async byteAt(position: number): Promise<number | undefined> {
    const b = Buffer.alloc(1);
    const { bytesRead } = await this.fd!.read(b, 0, 1, position);
    return bytesRead === 1 ? b[0] : undefined;
  }

  private async closeFd(): Promise<void> {
    const fd = this.fd;
    this.fd = null;
    await fd?.close();
  }
}

function ioError(what: string, err: unknown): ConnectError {
  return new ConnectError(`${what}: ${(err as Error).message}`, { cause: err });
}
