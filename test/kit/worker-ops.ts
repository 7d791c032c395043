/**
 * What the kit does to a running worker, as JSON-safe operations: the same functions answer in the
 * test process and, through stdin/stdout lines, in a child process (`worker-process.ts`). Bytes
 * cross as base64. The herder is reached only through its public `Herder` methods.
 */
import type { Herder } from '../../src/runtime/herder/herder.js';
import type { Runtime } from './runtime.js';

/** A record's bytes, base64 (null stays null). */
export interface WireRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers?: ReadonlyArray<{ key: string; value: string | null }>;
}

export interface WireStoredRecord extends WireRecord {
  readonly partition: number;
  readonly offset: number;
}

export interface WireCommitted {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

type HerderMethod = { [K in keyof Herder]: Herder[K] extends (...args: never[]) => unknown ? K : never }[keyof Herder];

/** The herder's methods, all asynchronous (a child process answers every call later). */
export type AsyncHerder = {
  [K in HerderMethod]: Herder[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export interface WorkerOps {
  herder(method: string, args: unknown[]): Promise<unknown>;
  /** Latest offset of each partition; `[]` when the topic does not exist. */
  endOffsets(topic: string): Promise<number[]>;
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Appends one batch; resolves to the offset of its first record. */
  append(topic: string, partition: number, records: WireRecord[]): Promise<number>;
  /** Every record of every partition, from the earliest offset. */
  read(topic: string): Promise<WireStoredRecord[]>;
  groupOffsets(group: string): Promise<WireCommitted[]>;
  errorLines(): Promise<string[]>;
  stop(): Promise<void>;
}

const b64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));
const unb64 = (s: string | null | undefined): Buffer | null => (s === null || s === undefined ? null : Buffer.from(s, 'base64'));

export function workerOps(rt: Runtime): WorkerOps {
  const { log, herder } = rt;
  const partitions = async (topic: string): Promise<number> =>
    (await log.listTopics()).includes(topic) ? (await log.describeTopic(topic)).partitions.length : 0;
  return {
    async herder(method, args) {
      const fn = (herder as unknown as Record<string, unknown>)[method];
      if (typeof fn !== 'function') throw new Error(`Herder has no method ${method}`);
      return (fn as (...a: unknown[]) => unknown).apply(herder, args);
    },
    async endOffsets(topic) {
      const n = await partitions(topic);
      return Promise.all(Array.from({ length: n }, (_, p) => log.latestOffset(topic, p)));
    },
    async createTopic(topic, n) {
      await log.createTopic(topic, { partitions: n });
    },
    async append(topic, partition, records) {
      const { baseOffset } = await log.append(
        topic,
        partition,
        records.map((r) => ({ key: unb64(r.key), value: unb64(r.value), headers: r.headers?.map((h) => ({ key: h.key, value: unb64(h.value) })) })),
      );
      return baseOffset;
    },
    async read(topic) {
      const out: WireStoredRecord[] = [];
      const n = await partitions(topic);
      for (let p = 0; p < n; p++) {
        let offset = await log.earliestOffset(topic, p);
        const end = await log.latestOffset(topic, p);
        while (offset < end) {
          const r = await log.read(topic, p, offset, { maxBytes: 4 << 20 });
          if (r.nextOffset <= offset) throw new Error(`read of ${topic}-${p}@${offset} made no progress`);
          for (const s of r.records) {
            out.push({ partition: p, offset: s.offset, key: b64(s.key), value: b64(s.value), headers: s.headers.map((h) => ({ key: h.key, value: b64(h.value) })) });
          }
          offset = r.nextOffset;
        }
      }
      return out;
    },
    async groupOffsets(group) {
      return (await log.fetchOffsets(group)).map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset }));
    },
    async errorLines() {
      return rt.errorLines();
    },
    stop: () => rt.stop(),
  };
}

export { b64, unb64 };
