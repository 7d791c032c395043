/**
 * Opens the embedded log for one command and always closes it, whatever the command does.
 *
 * The CLI runs no background maintenance: retention and the cleaner timers are off, so a command
 * changes only what it was asked to change (`topics compact` compacts explicitly).
 */
import { resolve } from 'node:path';
import { TributaryError } from '../errors/codes.js';
import type { TopicDescription } from '../log/log.js';
import { EmbeddedLog } from '../log/embedded/embedded-log.js';
import type { FlushMode } from '../log/embedded/partition.js';
import { warn, type CliIo } from './io.js';

export interface LogSessionOptions {
  readonly dataDir: string;
  readonly flush: FlushMode;
  /** Whether a missing or empty directory may be initialised (only `topics create`). */
  readonly create: boolean;
  readonly io: CliIo;
}

export async function withLog<T>(opts: LogSessionOptions, fn: (log: EmbeddedLog) => Promise<T>): Promise<T> {
  const log = await EmbeddedLog.open({
    dataDir: resolve(opts.dataDir),
    flush: opts.flush,
    create: opts.create,
    retentionCheckIntervalMs: 0,
    cleanerIntervalMs: 0,
    onRecovery: (message) => warn(opts.io, `recovery: ${message}`),
  });
  let result: T;
  try {
    result = await fn(log);
  } catch (err) {
    // The command's error is the one to report; a failing close must not hide it.
    await log.close().catch(() => {});
    throw err;
  }
  await log.close();
  return result;
}

/** Fails with UNKNOWN_TOPIC_OR_PARTITION unless the topic has `partition`. */
export function requirePartition(topic: TopicDescription, partition: number): void {
  const n = topic.partitions.length;
  if (partition >= n) {
    throw new TributaryError(
      'UNKNOWN_TOPIC_OR_PARTITION',
      `topic '${topic.name}' has no partition ${partition} (it has ${n}: 0 to ${n - 1})`,
    );
  }
}
