/**
 * Option-argument parsers shared by the commands. They run inside commander, so a bad value becomes
 * commander's one-line usage error (exit 2) before any data directory is touched.
 */
import { InvalidArgumentError, Option } from 'commander';
import { MAX_PARTITIONS } from '../log/embedded/topic-config.js';

function integer(value: string): number {
  const text = value.trim();
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer.');
  return n;
}

/** A partition number: an integer ≥ 0 (the upper bound is checked against the topic). */
export function parsePartition(value: string): number {
  const n = integer(value);
  if (n < 0) throw new InvalidArgumentError('a partition number cannot be negative.');
  return n;
}

/** A partition count for topic creation: 1 to 100000. */
export function parsePartitionCount(value: string): number {
  const n = integer(value);
  if (n < 1 || n > MAX_PARTITIONS) throw new InvalidArgumentError(`expected 1 to ${MAX_PARTITIONS}.`);
  return n;
}

/** A positive count (`--max-messages`). */
export function parsePositive(value: string): number {
  const n = integer(value);
  if (n < 1) throw new InvalidArgumentError('expected an integer of at least 1.');
  return n;
}

/** A duration or size ≥ 0 (`--timeout-ms`). */
export function parseNonNegative(value: string): number {
  const n = integer(value);
  if (n < 0) throw new InvalidArgumentError('expected an integer of at least 0.');
  return n;
}

/** Where `--offset` starts: an absolute offset or one of Kafka's words. */
export type OffsetSpec = number | 'earliest' | 'latest';

export function parseOffset(value: string): OffsetSpec {
  const text = value.trim();
  if (text === 'earliest' || text === 'latest') return text;
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgumentError("expected 'earliest', 'latest' or an offset of at least 0.");
  }
  return n;
}

/** Collects repeated `--config key=value` into one record; a key given twice is refused. */
export function collectConfig(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value.');
  const key = value.slice(0, eq).trim();
  const configs = { ...(previous ?? {}) };
  if (key in configs) throw new InvalidArgumentError(`config '${key}' is given more than once.`);
  configs[key] = value.slice(eq + 1);
  return configs;
}

/** A non-empty string (`--key-separator`). */
export function parseNonEmpty(value: string): string {
  if (value.length === 0) throw new InvalidArgumentError('cannot be empty.');
  return value;
}

/** The global `--flush` option. */
export function flushOption(): Option {
  return new Option('--flush <mode>', 'how writes are made durable: fsync (acknowledge after fdatasync) or none (page cache)')
    .choices(['fsync', 'none'])
    .default('fsync');
}

export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'the data directory of the embedded log').makeOptionMandatory();
}
