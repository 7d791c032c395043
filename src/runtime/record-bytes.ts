/**
 * Record sizes as the task runners budget appends: an upper estimate per record (varint fields and
 * attributes ≤ 21 bytes), and the bound under which one append's records are kept.
 */
import type { LogRecord } from '../log/log.js';

/** Kafka's max.message.bytes default is 1,048,588: appends stay well below it. */
export const APPEND_MAX_BYTES = 512 * 1024;

export function recordBytes(r: LogRecord): number {
  let n = 21 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  if (r.headers) for (const h of r.headers) n += 10 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return n;
}
