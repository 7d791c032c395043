/**
 * `POST /connectors/{c}/dlq/replay`: sends a connector's not-yet-replayed dead-lettered records
 * through it again, with its current config, and moves the replay cursor (the committed offset of
 * group `replayGroup(c)` on the queue) past what it handled.
 *
 * Rules (the response names each record's fate):
 * - A replay covers the queue from the cursor to its end as of the request, at most `limit` of
 *   this connector's records; other connectors' records in a shared queue are passed over.
 * - Batches: each read of the queue is one batch, appended with one `Log.append` per target
 *   partition; the cursor is committed after each batch, never past a record that is not durably
 *   somewhere (its target topic, or the queue again).
 * - A record that cannot be sent (a sink record with no origin topic it can go back to, a source
 *   record not in connect-json form, an append that failed) is `skipped` and the replay stops
 *   there, the cursor on it: nothing after it is sent, so no record is replayed twice, and the next
 *   replay retries from it once its cause is fixed. Records of the same batch whose append had
 *   already succeeded are sent again by that next replay (at least once).
 * - Sinks (`dlq-sink-replay.ts`) and sources (`dlq-source-replay.ts`) differ in what "sent" means.
 */
import { TributaryError } from '../../errors/codes.js';
import type { Log } from '../../log/log.js';
import type { Clock } from '../../util/clock.js';
import type { PluginRegistry } from '../plugins.js';
import type { WorkerSettings } from '../worker-settings.js';
import type { ConnectorType, DeadLetterReplayOptions, DeadLetterReplayResult, ReplayedRecord } from '../herder/herder.js';
import { belongsTo, commitCursor, dlqBounds, dlqTopicOf, readCursor, scanDlq, type DlqEntry } from './dlq-scan.js';
import { SinkReplay } from './dlq-sink-replay.js';
import { SourceReplay } from './dlq-source-replay.js';

export const DEFAULT_REPLAY_LIMIT = 1000;
export const MAX_REPLAY_LIMIT = 10_000;
export const DEFAULT_REPLAY_TIMEOUT_MS = 30_000;
/** Below the REST layer's 90 s request timeout, so the answer arrives. */
export const MAX_REPLAY_TIMEOUT_MS = 60_000;

export type Outcome = { -readonly [K in keyof ReplayedRecord]: ReplayedRecord[K] };

export interface BatchResult {
  /** One per record handed in, in order, up to the one that stopped the replay (included, `skipped`). */
  readonly outcomes: Outcome[];
  /** The first offset the cursor must not pass; null when the whole batch is durably somewhere. */
  readonly blockedAt: number | null;
  /** The replay cannot go on (the queue refused an append): thrown once the cursor is committed. */
  readonly fatal?: Error;
}

/** What a connector type does with its records; one instance per replay. */
export interface ReplayStrategy {
  batch(entries: readonly DlqEntry[]): Promise<BatchResult>;
  /** After the last batch; `dlqEnd` is the queue's end before the replay appended anything. */
  finish(dlqEnd: number): Promise<void>;
  close(): void;
}

export interface DlqReplayDeps {
  readonly log: Log;
  readonly registry: PluginRegistry;
  readonly settings: WorkerSettings;
  readonly clock: Clock;
  /** Asks the connector's running sink tasks to commit soon (so a sink replay's outcome is known without waiting for `offset.flush.interval.ms`). */
  readonly requestCommit?: (connector: string) => void;
}

function checkOptions(options: DeadLetterReplayOptions): { limit: number; timeoutMs: number } {
  const limit = options.limit ?? DEFAULT_REPLAY_LIMIT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REPLAY_TIMEOUT_MS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REPLAY_LIMIT) {
    throw new TributaryError('BAD_REQUEST', `limit must be an integer from 1 to ${MAX_REPLAY_LIMIT}, got ${limit}`);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_REPLAY_TIMEOUT_MS) {
    throw new TributaryError('BAD_REQUEST', `timeout_ms must be an integer from 0 to ${MAX_REPLAY_TIMEOUT_MS}, got ${timeoutMs}`);
  }
  return { limit, timeoutMs };
}

/** Runs replays, one at a time per connector. */
export class DlqReplayer {
  private readonly running = new Set<string>();

  constructor(private readonly deps: DlqReplayDeps) {}

  async replay(name: string, config: Readonly<Record<string, string>>, type: ConnectorType, options: DeadLetterReplayOptions): Promise<DeadLetterReplayResult> {
    const { limit, timeoutMs } = checkOptions(options);
    const topic = dlqTopicOf(name, config);
    if (type === 'unknown') throw new TributaryError('BAD_REQUEST', `Connector ${name}'s class ${config['connector.class']} is not installed: its records cannot be replayed`);
    if (this.running.has(name)) throw new TributaryError('CONFLICT', `A replay of connector ${name}'s dead letter queue is already running`);
    this.running.add(name);
    try {
      return await this.run(name, config, type, topic, limit, timeoutMs);
    } finally {
      this.running.delete(name);
    }
  }

  private async run(name: string, config: Readonly<Record<string, string>>, type: 'source' | 'sink', topic: string, limit: number, timeoutMs: number): Promise<DeadLetterReplayResult> {
    const { log } = this.deps;
    const bounds = await dlqBounds(log, topic);
    if (bounds === null) return result(name, topic, [], 0);
    let cursor = await readCursor(log, name, topic, bounds);
    const strategy: ReplayStrategy = type === 'sink'
      ? new SinkReplay({ ...this.deps, name, config, dlqTopic: topic, timeoutMs })
      : new SourceReplay({ ...this.deps, name, config, dlqTopic: topic });
    const outcomes: Outcome[] = [];
    try {
      let taken = 0;
      for await (const chunk of scanDlq(log, topic, cursor, bounds.end)) {
        const mine: DlqEntry[] = [];
        let through = chunk.next;
        let stop = false;
        for (const e of chunk.entries) {
          if (!belongsTo(e.context, name)) continue;
          if (taken === limit) {
            through = e.record.offset;
            stop = true;
            break;
          }
          mine.push(e);
          taken++;
        }
        const done = mine.length > 0 ? await strategy.batch(mine) : { outcomes: [], blockedAt: null };
        outcomes.push(...done.outcomes);
        if (done.blockedAt !== null) {
          through = Math.min(through, done.blockedAt);
          stop = true;
        }
        if (through > cursor) {
          await commitCursor(log, name, topic, through);
          cursor = through;
        }
        if (done.fatal) throw done.fatal;
        if (stop) break;
      }
      await strategy.finish(bounds.end);
    } finally {
      strategy.close();
    }
    return result(name, topic, outcomes, cursor);
  }
}

function result(connector: string, topic: string, records: readonly Outcome[], cursor: number): DeadLetterReplayResult {
  const n = (s: ReplayedRecord['status']): number => records.filter((r) => r.status === s).length;
  const [succeeded, failed, pending, skipped] = [n('succeeded'), n('failed'), n('pending'), n('skipped')];
  return { connector, dlq_topic: topic, replayed: succeeded + failed + pending, succeeded, failed, pending, skipped, records, replayed_through: cursor };
}
