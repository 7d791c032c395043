/**
 * Small crash-safe file helpers shared by the embedded log. Each takes `sync`: false (flush mode
 * `none`) skips the fsyncs — the page cache still survives a process crash, not a power failure.
 */
import { open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsyncs a directory so renames and creations inside it survive a power failure. */
export async function fsyncDir(dir: string, sync = true): Promise<void> {
  if (!sync) return;
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** Writes `data` to `path` and syncs it (no directory sync: for files whose name already exists or is synced later). */
export async function writeSynced(path: string, data: string | Buffer, sync = true): Promise<void> {
  await writeFile(path, data);
  if (!sync) return;
  const fd = await open(path, 'r');
  try {
    await fd.datasync();
  } finally {
    await fd.close();
  }
}

/** Replaces `path` with `data` atomically: write a temporary file, sync it, rename, sync the directory. */
export async function writeFileAtomic(path: string, data: string | Buffer, sync = true): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeSynced(tmp, data, sync);
  await rename(tmp, path);
  await fsyncDir(dirname(path), sync);
}

/**
 * Writes all of `buf` at `position`. A write may be short (a nearly full disk): write the rest, and
 * fail rather than treat part of a batch as written.
 */
export async function writeFully(fd: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fd.write(buf, done, buf.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`no progress writing ${buf.length - done} bytes at position ${position + done}`);
    done += bytesWritten;
  }
}

/** Reads a file, or returns null when it does not exist. */
export async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
