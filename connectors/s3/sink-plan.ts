/**
 * Everything an S3 sink task needs, built once from its config: the store, the rotation rules, how
 * a record is prepared (flattened), placed (folder, timestamp), named and encoded. The task holds no
 * setting of its own; tests build a plan to drive the task directly.
 */
import type { ObjectStore } from './object-store.js';
import type { PartitionWriterDeps } from './partition-writer.js';

export interface SinkPlan {
  readonly version: string;
  readonly store: ObjectStore;
  /** `memory.budget.bytes`: bytes all open files of the task may hold. */
  readonly memoryBudget: number;
  /** The prefix under which the task's objects and uploads live (`<topics.dir>/`). */
  readonly uploadPrefix: string;
  /** Logged once at start (settings that weaken a guarantee). */
  readonly warnings: readonly string[];
  /** The cut journal's key for a topic partition. */
  journalKey(topic: string, partition: number): string;
  /** The topic partition an object key of ours belongs to, or null for another key. */
  partitionOfKey(key: string): { readonly topic: string; readonly partition: number } | null;
  readonly partitionDeps: Omit<PartitionWriterDeps, 'store' | 'journal'>;
  now(): number;
  /** Releases the store's connections. */
  close(): void;
}
