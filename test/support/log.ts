/** Shared helpers for tests of the embedded log. */
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { isTributaryError, type ErrorCode } from '../../src/errors/codes.js';
import { EmbeddedLog, type EmbeddedLogOptions } from '../../src/log/embedded/embedded-log.js';
import type { StoredRecord } from '../../src/log/log.js';
import { LOG_OVERHEAD, readBatchHeader, type BatchHeader } from '../../src/log/codec/record-batch.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

export type OpenOptions = Partial<EmbeddedLogOptions>;

export interface LogHarness {
  /** A fresh temporary directory, removed after the test. */
  tempDir(): Promise<string>;
  /** Opens a log with timers off and flush `none` unless overridden; closed after the test. */
  open(dataDir: string, opts?: OpenOptions): Promise<EmbeddedLog>;
}

/** Per-test temporary directories and logs, cleaned up (logs closed first) after each test. */
export function useLogHarness(): LogHarness {
  const dirs: string[] = [];
  const logs: EmbeddedLog[] = [];
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close().catch(() => {});
    await Promise.all(dirs.splice(0).map((d) => removeTempDir(d)));
  });
  return {
    async tempDir() {
      const d = await makeTempDir();
      dirs.push(d);
      return d;
    },
    async open(dataDir, opts = {}) {
      const log = await EmbeddedLog.open({
        dataDir,
        flush: 'none',
        retentionCheckIntervalMs: 0,
        cleanerIntervalMs: 0,
        ...opts,
      });
      logs.push(log);
      return log;
    },
  };
}

/** Directory of one partition inside a data dir. */
export function partitionDir(dataDir: string, topic: string, partition = 0): string {
  return join(dataDir, 'topics', topic, String(partition));
}

/** Reads a partition from its earliest offset to its latest, failing if a read makes no progress. */
export async function readAll(log: EmbeddedLog, topic: string, partition = 0, maxBytes = 1 << 20): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let offset = await log.earliestOffset(topic, partition);
  const end = await log.latestOffset(topic, partition);
  while (offset < end) {
    const r = await log.read(topic, partition, offset, { maxBytes });
    if (r.nextOffset <= offset) throw new Error(`read at ${offset} made no progress (nextOffset ${r.nextOffset})`);
    out.push(...r.records);
    offset = r.nextOffset;
  }
  return out;
}

/** Every stored batch of a partition, as raw bytes and headers, from the earliest offset. */
export async function readAllBatches(log: EmbeddedLog, topic: string, partition = 0): Promise<{ header: BatchHeader; bytes: Buffer }[]> {
  const out: { header: BatchHeader; bytes: Buffer }[] = [];
  let offset = await log.earliestOffset(topic, partition);
  const end = await log.latestOffset(topic, partition);
  while (offset < end) {
    const raw = await log.readRaw(topic, partition, offset, { maxBytes: 1 << 20 });
    if (raw.nextOffset <= offset) throw new Error(`raw read at ${offset} made no progress`);
    let pos = 0;
    while (pos < raw.bytes.length) {
      const header = readBatchHeader(raw.bytes, pos);
      const size = header.batchLength + LOG_OVERHEAD;
      out.push({ header, bytes: raw.bytes.subarray(pos, pos + size) });
      pos += size;
    }
    offset = raw.nextOffset;
  }
  return out;
}

/** A simplified, comparable view of a stored record. */
export function view(r: StoredRecord): { offset: number; key: string | null; value: string | null } {
  return { offset: r.offset, key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null };
}

/** Asserts that `fn` rejects with a TributaryError of `code`. */
export async function expectCode(fn: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<void> {
  let error: unknown;
  try {
    await (typeof fn === 'function' ? fn() : fn);
  } catch (err) {
    error = err;
  }
  expect(error, `expected a TributaryError ${code}`).toBeDefined();
  if (!isTributaryError(error, code)) {
    throw new Error(`expected TributaryError ${code}, got ${String((error as Error)?.stack ?? error)}`);
  }
}

export function buf(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}
