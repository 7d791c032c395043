/**
 * Local files the S3 sink's open files give their buffered bytes to when memory is short and they
 * cannot be cut (a partition replaying an earlier run's segments, see `partition-writer.ts`). One
 * directory per task (`s3.spill.dir`, default the OS temp dir), created at the first spill and
 * removed when the task stops (directories of processes that are gone, left by a kill -9, are
 * removed when a task creates its own); one file per upload, opened, written and closed per call, so
 * thousands of spilled uploads hold no file descriptors.
 */
import { mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectError } from '../../src/sdk/index.js';

/** Spill files by name; calls on one file must not overlap (its `FileUpload` awaits each). */
export interface SpillFiles {
  /** A name for a new file, unique in this set; nothing is created yet. */
  newFile(): string;
  /** Writes `chunks` at `position` (the file's end so far, or a retry of a failed write there). */
  write(file: string, position: number, chunks: readonly Uint8Array[]): Promise<void>;
  /** `length` bytes of the file from `position`. */
  read(file: string, position: number, length: number): Promise<Buffer>;
  /** Deletes the file; one that is not there is not an error. */
  remove(file: string): Promise<void>;
}

/** Writes gathered into buffers of about this size: few syscalls, little extra memory. */
const WRITE_BYTES = 1024 * 1024;

/** Spill files in a directory of their own under `parent`. */
export class LocalSpillFiles implements SpillFiles {
  private dir: Promise<string> | null = null;
  private next = 0;

  constructor(private readonly parent: string) {}

  newFile(): string {
    return `${++this.next}.spill`;
  }

  async write(file: string, position: number, chunks: readonly Uint8Array[]): Promise<void> {
    const path = await this.path(file);
    const fh = await this.io(path, () => open(path, position === 0 ? 'w' : 'r+'));
    try {
      let at = position;
      for (const buf of gather(chunks)) {
        for (let done = 0; done < buf.length; ) {
          const { bytesWritten } = await this.io(path, () => fh.write(buf, done, buf.length - done, at));
          done += bytesWritten;
          at += bytesWritten;
        }
      }
    } finally {
      await fh.close();
    }
  }

  async read(file: string, position: number, length: number): Promise<Buffer> {
    const path = await this.path(file);
    const fh = await this.io(path, () => open(path, 'r'));
    try {
      const out = Buffer.allocUnsafe(length);
      for (let done = 0; done < length; ) {
        const { bytesRead } = await this.io(path, () => fh.read(out, done, length - done, position + done));
        if (bytesRead === 0) throw new ConnectError(`the spill file ${path} ends before the ${length} bytes at ${position}: it was changed outside the task`);
        done += bytesRead;
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  async remove(file: string): Promise<void> {
    if (this.dir === null) return;
    await rm(join(await this.dir, file), { force: true });
  }

  /** Removes the directory and every file left in it (the task stops). */
  async close(): Promise<void> {
    const dir = this.dir;
    this.dir = null;
    const path = dir === null ? null : await dir.catch(() => null);
    if (path !== null) await rm(path, { recursive: true, force: true });
  }

  private async path(file: string): Promise<string> {
    this.dir ??= this.io(this.parent, async () => {
      await mkdir(this.parent, { recursive: true });
      await removeOrphans(this.parent);
      return mkdtemp(join(this.parent, `${PREFIX}${process.pid}-`));
    });
    try {
      return join(await this.dir, file);
    } catch (err) {
      this.dir = null;
      throw err;
    }
  }

  /** Runs a file-system call; a failure fails the task naming the directory (`s3.spill.dir`). */
  private async io<T>(path: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConnectError) throw err;
      throw new ConnectError(`spilling open files to local disk (s3.spill.dir) failed at ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
}

const PREFIX = 'tributary-s3-spill-';

/**
 * Removes the spill directories of processes that are gone (a task killed with kill -9 never
 * removed its own): their files belonged to uploads the replay writes again.
 */
async function removeOrphans(parent: string): Promise<void> {
  for (const name of await readdir(parent)) {
    const pid = name.startsWith(PREFIX) ? Number.parseInt(name.slice(PREFIX.length), 10) : NaN;
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) await rm(join(parent, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The chunks as buffers of about `WRITE_BYTES` (a large chunk as it is). */
function* gather(chunks: readonly Uint8Array[]): Iterable<Uint8Array> {
  let run: Uint8Array[] = [];
  let bytes = 0;
  for (const c of chunks) {
    if (c.length >= WRITE_BYTES) {
      if (run.length > 0) yield run.length === 1 ? run[0]! : Buffer.concat(run, bytes);
      run = [];
      bytes = 0;
      yield c;
      continue;
    }
    run.push(c);
    bytes += c.length;
    if (bytes >= WRITE_BYTES) {
      yield run.length === 1 ? run[0]! : Buffer.concat(run, bytes);
      run = [];
      bytes = 0;
    }
  }
  if (run.length > 0) yield run.length === 1 ? run[0]! : Buffer.concat(run, bytes);
}
