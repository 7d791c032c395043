import { TributaryError } from '../../errors/codes.js';
import type { CleanupPolicy, Compression, TopicConfig } from '../log.js';

const DAY = 24 * 60 * 60 * 1000;

/** Kafka's defaults for the configs the log honours. */
export const DEFAULT_TOPIC_CONFIG: TopicConfig = Object.freeze({
  'cleanup.policy': 'delete',
  'retention.ms': 7 * DAY,
  'retention.bytes': -1,
  'segment.bytes': 1024 * 1024 * 1024,
  'segment.ms': 7 * DAY,
  'min.compaction.lag.ms': 0,
  'delete.retention.ms': DAY,
  'max.message.bytes': 1048588,
  'compression.type': 'none',
});

const POLICIES: readonly CleanupPolicy[] = ['delete', 'compact', 'compact,delete'];
const COMPRESSIONS: readonly Compression[] = ['none', 'gzip'];
/** Most partitions a topic may have. */
export const MAX_PARTITIONS = 100_000;

/** Smallest segment.bytes: a segment must hold at least one batch header (Kafka's floor is 14). */
const MIN_SEGMENT_BYTES = 1024;

type NumericKey = Exclude<keyof TopicConfig, 'cleanup.policy' | 'compression.type'>;
const NUMERIC: Record<NumericKey, { min: number; max: number }> = {
  'retention.ms': { min: -1, max: Number.MAX_SAFE_INTEGER },
  'retention.bytes': { min: -1, max: Number.MAX_SAFE_INTEGER },
  // Segment positions are stored as 32-bit values in the offset index.
  'segment.bytes': { min: MIN_SEGMENT_BYTES, max: 2 ** 31 - 1 },
  'segment.ms': { min: 1, max: Number.MAX_SAFE_INTEGER },
  'min.compaction.lag.ms': { min: 0, max: Number.MAX_SAFE_INTEGER },
  'delete.retention.ms': { min: 0, max: Number.MAX_SAFE_INTEGER },
  'max.message.bytes': { min: 64, max: 2 ** 31 - 1 },
};

function invalid(key: string, value: unknown, why: string): TributaryError {
  return new TributaryError('INVALID_CONFIG', `invalid value '${String(value)}' for topic config '${key}': ${why}`);
}

/**
 * Validates overrides and returns them normalised (numbers as numbers). Unknown keys are refused so
 * a typo never silently falls back to a default.
 */
export function parseTopicOverrides(raw: Readonly<Record<string, string | number>>): Partial<TopicConfig> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'cleanup.policy') {
      const v = String(value).replace(/\s+/g, '').split(',').sort().join(',');
      if (!POLICIES.includes(v as CleanupPolicy)) throw invalid(key, value, `expected one of ${POLICIES.join(' | ')}`);
      out[key] = v;
    } else if (key === 'compression.type') {
      const v = String(value);
      if (!COMPRESSIONS.includes(v as Compression)) throw invalid(key, value, `expected one of ${COMPRESSIONS.join(' | ')}`);
      out[key] = v;
    } else if (key in NUMERIC) {
      const range = NUMERIC[key as NumericKey];
      const text = String(value).trim();
      const n = typeof value === 'number' ? value : /^-?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n)) throw invalid(key, value, 'expected an integer');
      if (n < range.min || n > range.max) throw invalid(key, value, `expected ${range.min} to ${range.max}`);
      out[key] = n;
    } else {
      throw new TributaryError(
        'INVALID_CONFIG',
        `unknown topic config '${key}' (known: ${Object.keys(DEFAULT_TOPIC_CONFIG).join(', ')})`,
      );
    }
  }
  return out as Partial<TopicConfig>;
}

export function resolveTopicConfig(overrides: Partial<TopicConfig>): TopicConfig {
  return Object.freeze({ ...DEFAULT_TOPIC_CONFIG, ...overrides });
}

export function isCompacted(config: TopicConfig): boolean {
  return config['cleanup.policy'].includes('compact');
}

export function hasRetention(config: TopicConfig): boolean {
  return config['cleanup.policy'].includes('delete');
}

/** Kafka's legal topic names: 1–249 of [a-zA-Z0-9._-], not '.' or '..'. */
export function validateTopicName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new TributaryError('INVALID_TOPIC', 'topic name is empty');
  if (name.length > 249) throw new TributaryError('INVALID_TOPIC', `topic name is longer than 249 characters: '${name.slice(0, 40)}…'`);
  if (name === '.' || name === '..') throw new TributaryError('INVALID_TOPIC', `topic name cannot be '${name}'`);
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new TributaryError('INVALID_TOPIC', `topic name '${name}' has characters other than a-z, A-Z, 0-9, '.', '_' and '-'`);
  }
}
