/** Temporary directories for tests: created under the OS temp dir, removed after each test. */
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

export async function makeTempDir(prefix = 'tributary-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Registers an afterEach hook that removes every directory handed out during the test (after the
 * test's own cleanups, which vitest runs first when registered later). Returns the factory.
 */
export function useTempDirs(prefix?: string): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    const dirs = made.splice(0);
    await Promise.all(dirs.map((d) => removeTempDir(d)));
  });
  return async () => {
    const d = await makeTempDir(prefix);
    made.push(d);
    return d;
  };
}

/**
 * Copies a directory tree file by file while something may still be writing to it, as a crash
 * would leave it: files that vanish during the copy (renamed temporaries) are skipped.
 */
export async function copyCrashImage(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    try {
      if (entry.isDirectory()) await copyCrashImage(src, dst);
      else await copyFile(src, dst);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
