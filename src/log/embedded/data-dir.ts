/**
 * The layout of an embedded log's data directory and the guards around it:
 *
 *   <data-dir>/tributary-log.json      identifies the directory (format and version)
 *   <data-dir>/.lock                   pid of the process that has it open
 *   <data-dir>/.clean-shutdown         present only between a clean close and the next open
 *   <data-dir>/topics/<topic>/topic.json, <topic>/<partition>/<segments>
 *   <data-dir>/trash/                  topics being deleted
 */
import { mkdir, readdir, readFile, realpath, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TributaryError } from '../../errors/codes.js';
import { fsyncDir, readIfExists, writeFileAtomic } from './files.js';

export const MARKER_FILE = 'tributary-log.json';
const LOCK_FILE = '.lock';
const CLEAN_SHUTDOWN = '.clean-shutdown';
const FORMAT = 'tributary-log';
const VERSION = 1;

export function topicsDir(dataDir: string): string {
  return join(dataDir, 'topics');
}

export function trashDir(dataDir: string): string {
  return join(dataDir, 'trash');
}

function invalid(message: string, cause?: unknown): TributaryError {
  return new TributaryError('DATA_DIR_INVALID', message, cause === undefined ? undefined : { cause });
}

/**
 * Checks that `dataDir` is a Tributary log directory, creating it when `create` is set and it is
 * missing or empty. A directory holding anything else is refused and left untouched.
 */
export async function prepareDataDir(dataDir: string, create: boolean): Promise<void> {
  let entries: string[];
  try {
    const s = await stat(dataDir);
    if (!s.isDirectory()) throw invalid(`data directory ${dataDir} is not a directory`);
    entries = await readdir(dataDir);
  } catch (err) {
    if (err instanceof TributaryError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw invalid(`data directory ${dataDir} cannot be read: ${(err as Error).message}`, err);
    if (!create) throw invalid(`data directory ${dataDir} does not exist`);
    entries = [];
  }
  const marker = await readIfExists(join(dataDir, MARKER_FILE)).catch((err: unknown) => {
    throw invalid(`data directory ${dataDir} cannot be read: ${(err as Error).message}`, err);
  });
  if (marker === null) {
    if (entries.length > 0) {
      throw invalid(`${dataDir} is not a Tributary data directory (no ${MARKER_FILE}, and it is not empty)`);
    }
    if (!create) throw invalid(`${dataDir} is not a Tributary data directory (it is empty)`);
    await mkdir(topicsDir(dataDir), { recursive: true });
    await mkdir(trashDir(dataDir), { recursive: true });
    await writeFileAtomic(join(dataDir, MARKER_FILE), JSON.stringify({ format: FORMAT, version: VERSION }) + '\n');
    return;
  }
  let meta: { format?: unknown; version?: unknown };
  try {
    meta = JSON.parse(marker.toString('utf8')) as typeof meta;
  } catch (err) {
    throw invalid(`${join(dataDir, MARKER_FILE)} is not valid JSON`, err);
  }
  if (meta.format !== FORMAT) throw invalid(`${dataDir} is not a Tributary data directory (format ${String(meta.format)})`);
  if (meta.version !== VERSION) {
    throw invalid(`${dataDir} has data format version ${String(meta.version)}; this Tributary reads version ${VERSION}`);
  }
  await mkdir(topicsDir(dataDir), { recursive: true });
  await mkdir(trashDir(dataDir), { recursive: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Data directories (real paths) this process holds open. A lock file naming this process's own pid
 * is taken over below (a stale lock from an earlier run that had the same pid, as pid 1 in a
 * container), so a second open within this process is caught here instead.
 */
const openInThisProcess = new Set<string>();

/** Takes the directory's lock; a lock left by a dead process is taken over. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const real = await realpath(dataDir);
  if (openInThisProcess.has(real)) throw invalid(`data directory ${dataDir} is in use (already open in this process)`);
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      openInThisProcess.add(real);
      return async () => {
        openInThisProcess.delete(real);
        await unlink(path).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw invalid(`cannot lock ${dataDir}: ${(err as Error).message}`, err);
      const holder = Number((await readIfExists(path))?.toString('utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw invalid(`data directory ${dataDir} is in use by process ${holder}`);
      }
      await unlink(path).catch(() => {});
    }
  }
  throw invalid(`cannot lock ${dataDir}: the lock file keeps reappearing`);
}

/** Whether the last process closed cleanly; the marker is consumed so a later crash is noticed. */
export async function takeCleanShutdownMarker(dataDir: string): Promise<boolean> {
  try {
    await unlink(join(dataDir, CLEAN_SHUTDOWN));
    await fsyncDir(dataDir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export async function writeCleanShutdownMarker(dataDir: string): Promise<void> {
  await writeFileAtomic(join(dataDir, CLEAN_SHUTDOWN), '');
}

export async function emptyTrash(dataDir: string): Promise<void> {
  for (const name of await readdir(trashDir(dataDir))) {
    await rm(join(trashDir(dataDir), name), { recursive: true, force: true });
  }
}

export interface TopicMeta {
  readonly name: string;
  readonly partitions: number;
  readonly configs: Record<string, string | number>;
  readonly createdAt: number;
}

export async function readTopicMeta(dir: string): Promise<TopicMeta> {
  const path = join(dir, 'topic.json');
  let meta: TopicMeta;
  try {
    meta = JSON.parse(await readFile(path, 'utf8')) as TopicMeta;
  } catch (err) {
    throw invalid(`${path} cannot be read: ${(err as Error).message}`, err);
  }
  if (typeof meta.name !== 'string' || !Number.isInteger(meta.partitions) || meta.partitions < 1) {
    throw invalid(`${path} does not describe a topic`);
  }
  return meta;
}
