/** Deterministic record contents of the crash test: both sides derive them from a sequence number. */
export const CRASH_KEYS = 50;

export function crashRecordKey(seq: number): Buffer {
  return Buffer.from(`key-${seq % CRASH_KEYS}`);
}

export function crashRecordValue(seq: number): Buffer | null {
  // Every 11th record of a key is a tombstone, to exercise their handling under compaction.
  if (seq % 11 === 5) return null;
  return Buffer.from(`value-${seq}-${'x'.repeat(seq % 200)}`);
}
