/**
 * Reads back the S3 sink's objects under any partitioner: keys parsed as Confluent names them,
 * `<topics.dir>/<topic>/<encoded partition>/<topic>+<partition>+<start offset, 10 digits><ext>`
 * (the encoded partition may hold `/`), bodies fetched a few at a time, and the placement check for
 * files whose records are not consecutive offsets (one file per folder of a segment).
 */
import type { TestS3 } from './s3-server.js';

/** A data key, split into the parts Confluent's naming puts in it. */
export interface DataKey {
  readonly key: string;
  readonly topic: string;
  /** The encoded partition (folder), e.g. `partition=3`, `f=v1`, `year=2024/month=05/day=01`. */
  readonly encoded: string;
  readonly partition: number;
  readonly startOffset: number;
  /** `.json`, `.json.gz`, `.snappy.parquet`, ... */
  readonly ext: string;
}

/** The parts of `key`, or null when it is not a data key under `topicsDir` (journals, strays). */
export function parseDataKey(topicsDir: string, key: string): DataKey | null {
  if (!key.startsWith(`${topicsDir}/`)) return null;
  const m = /^([^/]+)\/(.+)\/([^/]+)\+(\d+)\+(\d{10})(\.[a-z0-9.]+)$/.exec(key.slice(topicsDir.length + 1));
  if (!m || m[1] !== m[3] || m[1] === '_tributary') return null;
  return { key, topic: m[1]!, encoded: m[2]!, partition: Number(m[4]), startOffset: Number(m[5]), ext: m[6]! };
}

/** The bodies of `keys`, fetched `concurrency` at a time. */
export async function getObjects(s3: Pick<TestS3, 'getObject'>, keys: readonly string[], concurrency = 8): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const k = keys[next++]!;
      out.set(k, await s3.getObject(k));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  return out;
}

/** The lines of a JSON lines body, parsed; throws if the file does not end with a newline. */
export function jsonLines(key: string, body: Buffer): unknown[] {
  const text = body.toString('utf8');
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error(`${key} does not end with a newline (${text.length} bytes)`);
  return lines.map((l) => JSON.parse(l) as unknown);
}

/** A record as read back from an object: where it came from in the topic. */
export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A record written to the topic and the folder it belongs in. */
export interface PlacedRecord extends ReadRecord {
  readonly encoded: string;
}

const id = (r: ReadRecord): string => `${r.topic}-${r.partition}@${r.offset}`;

/**
 * What is wrong with `files` (each object's key and the records it holds, in file order) as the
 * sink's output for `written` (empty when nothing): a record missing, twice, never written, in the
 * wrong folder or partition, records not in offset order, or a file whose name is not the offset of
 * its first record. At most `limit` entries.
 */
export function placementProblems(files: ReadonlyArray<{ key: DataKey; records: readonly ReadRecord[] }>, written: readonly PlacedRecord[], limit = 20): string[] {
  const problems: string[] = [];
  const byId = new Map(written.map((r) => [id(r), r]));
  const seen = new Map<string, string>();
  for (const { key, records } of files) {
    if (records.length === 0) problems.push(`${key.key} is empty`);
    else if (records[0]!.offset !== key.startOffset) problems.push(`${key.key} starts with offset ${records[0]!.offset}`);
    records.forEach((r, i) => {
      const where = `${key.key} record ${i + 1}`;
      const w = byId.get(id(r));
      if (w === undefined) return void problems.push(`${where}: ${id(r)} was never written`);
      const first = seen.get(id(r));
      if (first !== undefined) problems.push(`${id(r)} twice: ${first} and ${where}`);
      seen.set(id(r), where);
      if (r.topic !== key.topic || r.partition !== key.partition || w.encoded !== key.encoded) problems.push(`${where}: ${id(r)} belongs in ${w.topic}/${w.encoded} partition ${w.partition}`);
      if (i > 0 && r.offset <= records[i - 1]!.offset) problems.push(`${where}: offset ${r.offset} after ${records[i - 1]!.offset}`);
    });
  }
  for (const r of written) if (!seen.has(id(r))) problems.push(`${id(r)} (${r.encoded}) is missing`);
  return problems.length > limit ? [...problems.slice(0, limit), `… and ${problems.length - limit} more`] : problems;
}
