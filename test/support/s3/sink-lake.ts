/**
 * Reads back what the S3 sink wrote under a `topics.dir` (JSON lines, DefaultPartitioner, Confluent
 * object keys `<dir>/<topic>/partition=<p>/<topic>+<p>+<start offset, 10 digits>.json`) and checks
 * it against the records written to the topic: each exactly once, each object a run of consecutive
 * offsets starting at the offset its key names, and nothing committed that no complete object holds.
 *
 * Reads go straight to the server (`TestS3`), not through a fault proxy.
 */
import type { TestS3 } from './s3-server.js';

/** One data object of the lake. */
export interface LakeObject {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly startOffset: number;
  /** Its lines, parsed as JSON, in order. */
  readonly values: readonly unknown[];
}

export interface Lake {
  readonly objects: readonly LakeObject[];
  /** Keys of the sink's own objects (`<dir>/_tributary/…`: cut journals). */
  readonly internal: readonly string[];
  /** Keys under the prefix that are neither: a sink never writes these. */
  readonly strays: readonly string[];
}

/** A record written to the topic, and its identity in the lake. */
export interface WrittenRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly id: string;
}

const DATA_KEY = /^([^/]+)\/partition=(\d+)\/(.+)\+(\d+)\+(\d{10})\.json$/;

/** Every object under `<topicsDir>/`, data objects parsed line by line. */
export async function readLake(s3: Pick<TestS3, 'listKeys' | 'getObject'>, topicsDir: string): Promise<Lake> {
  const prefix = `${topicsDir}/`;
  const objects: LakeObject[] = [];
  const internal: string[] = [];
  const strays: string[] = [];
  for (const key of await s3.listKeys(prefix)) {
    const rest = key.slice(prefix.length);
    if (rest.startsWith('_tributary/')) {
      internal.push(key);
      continue;
    }
    const m = DATA_KEY.exec(rest);
    if (!m || m[1] !== m[3] || m[2] !== m[4]) {
      strays.push(key);
      continue;
    }
    const text = (await s3.getObject(key)).toString('utf8');
    const lines = text.split('\n');
    // A complete JSON lines file ends with a newline: the last split is empty.
    if (lines.pop() !== '') throw new Error(`${key} does not end with a newline (${text.length} bytes)`);
    objects.push({ key, topic: m[1]!, partition: Number(m[2]), startOffset: Number(m[5]), values: lines.map((l) => JSON.parse(l) as unknown) });
  }
  return { objects, internal, strays };
}

/** Every identity in the lake, duplicates kept. */
function lakeIds(lake: Lake, identity: (value: unknown) => string): string[] {
  return lake.objects.flatMap((o) => o.values.map(identity));
}

const tp = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * What is wrong with the lake as the sink's output for `written` (empty when nothing): records
 * missing or written twice, lines no record accounts for, objects that are not a run of consecutive
 * offsets of their partition from the offset in their name, stray keys. At most `limit` entries.
 */
export function exactlyOnceProblems(lake: Lake, written: readonly WrittenRecord[], identity: (value: unknown) => string, limit = 20): string[] {
  return lakeProblems(lake, written, identity, limit, true);
}

/**
 * What is wrong with the lake as the sink's output *so far* (after a crash, before the replay
 * finished): as `exactlyOnceProblems`, except that records not in the lake yet are not a problem.
 * A record twice is one even now: a replay rewrites the same keys with the same records, so no
 * moment shows a record in two objects.
 */
export function lakeProblemsSoFar(lake: Lake, written: readonly WrittenRecord[], identity: (value: unknown) => string, limit = 20): string[] {
  return lakeProblems(lake, written, identity, limit, false);
}

function lakeProblems(lake: Lake, written: readonly WrittenRecord[], identity: (value: unknown) => string, limit: number, complete: boolean): string[] {
  const problems: string[] = [];
  const byId = new Map(written.map((r) => [r.id, r]));
  const seen = new Map<string, string>();
  for (const o of lake.objects) {
    o.values.forEach((v, i) => {
      const id = identity(v);
      const r = byId.get(id);
      if (r === undefined) return void problems.push(`${o.key} line ${i + 1}: ${id} was never written`);
      const first = seen.get(id);
      if (first !== undefined) problems.push(`${id} (offset ${r.offset}) twice: ${first} and ${o.key} line ${i + 1}`);
      seen.set(id, `${o.key} line ${i + 1}`);
      if (r.topic !== o.topic || r.partition !== o.partition || r.offset !== o.startOffset + i) {
        problems.push(`${o.key} line ${i + 1} holds ${r.topic}-${r.partition}@${r.offset}, expected ${o.topic}-${o.partition}@${o.startOffset + i}`);
      }
    });
  }
  if (complete) for (const r of written) if (!seen.has(r.id)) problems.push(`${r.topic}-${r.partition}@${r.offset} (${r.id}) is missing`);
  for (const k of lake.strays) problems.push(`unexpected key ${k}`);
  return problems.length > limit ? [...problems.slice(0, limit), `… and ${problems.length - limit} more`] : problems;
}

/**
 * The commit rule: the records below the committed offsets (`committed`: topic, partition, offset)
 * that the lake does not hold. Read the offsets before the lake: the lake only grows, so a later
 * read cannot hide a violation.
 */
export function committedButMissing(
  lake: Lake,
  written: readonly WrittenRecord[],
  committed: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly offset: number }>,
  identity: (value: unknown) => string,
): WrittenRecord[] {
  const upTo = new Map(committed.map((c) => [tp(c.topic, c.partition), c.offset]));
  const have = new Set(lakeIds(lake, identity));
  return written.filter((r) => r.offset < (upTo.get(tp(r.topic, r.partition)) ?? 0) && !have.has(r.id));
}
