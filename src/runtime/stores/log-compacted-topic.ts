/**
 * `CompactedTopic` over a `Log`: one tail loop per partition doing long-poll reads.
 */
import { setMaxListeners } from 'node:events';
import { TributaryError, isTributaryError } from '../../errors/codes.js';
import type { Log, LogRecord } from '../../log/log.js';
import { partitionForKey } from '../../log/partitioner.js';
import { backoffDelay, sleep } from '../retry.js';
import type { CompactedConsumer, CompactedTopic, CompactedTopicSpec } from './compacted-topic.js';

const READ_BYTES = 4 << 20;
const POLL_WAIT_MS = 1000;

interface Waiter {
  readonly offset: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class LogCompactedTopic implements CompactedTopic {
  readonly topic: string;
  private consumer: CompactedConsumer = () => {};
  private positions: number[] = [];
  private waiters: Waiter[][] = [];
  private loops: Promise<void>[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly log: Log,
    private readonly spec: CompactedTopicSpec,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.topic = spec.topic;
  }

  async start(consumer: CompactedConsumer): Promise<void> {
    this.consumer = consumer;
    // One long poll per partition listens to the same signal.
    setMaxListeners(0, this.abort.signal);
    const partitions = await this.ensureTopic();
    this.positions = [];
    for (let p = 0; p < partitions; p++) this.positions.push(await this.log.earliestOffset(this.topic, p));
    this.waiters = this.positions.map(() => []);
    this.loops = this.positions.map((_, p) => this.tail(p));
    await this.readToEnd();
  }

  private async ensureTopic(): Promise<number> {
    const { topic, partitions, exactPartitions } = this.spec;
    try {
      await this.log.createTopic(topic, { partitions, configs: { 'cleanup.policy': 'compact' } });
      return partitions;
    } catch (err) {
      if (!isTributaryError(err, 'TOPIC_ALREADY_EXISTS')) throw err;
    }
    const d = await this.log.describeTopic(topic);
    if (d.configs['cleanup.policy'] !== 'compact') {
      throw new TributaryError('CONFIG_INVALID', `Topic '${topic}' supplied via the worker config must have cleanup.policy=compact, but it has cleanup.policy=${d.configs['cleanup.policy']}`);
    }
    if (exactPartitions && d.partitions.length !== partitions) {
      throw new TributaryError('CONFIG_INVALID', `Topic '${topic}' must have exactly ${partitions} partition(s), but it has ${d.partitions.length}`);
    }
    return d.partitions.length;
  }

  /**
   * Reads one partition for as long as the topic is open. A read error is reported, fails the
   * `readToEnd` calls waiting at that moment, and is retried after a backoff (as KafkaBasedLog
   * keeps polling): a transient error does not break the store for good.
   */
  private async tail(partition: number): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const res = await this.log.read(this.topic, partition, this.positions[partition]!, { maxBytes: READ_BYTES, maxWaitMs: POLL_WAIT_MS, signal });
        for (const r of res.records) {
          if (r.key === null) continue;
          this.consumer({ key: r.key.toString('utf8'), value: r.value, partition, offset: r.offset });
        }
        this.positions[partition] = res.nextOffset;
        failures = 0;
        this.wake(partition);
      } catch (err) {
        if (signal.aborted) break;
        try {
          if (isTributaryError(err, 'OFFSET_OUT_OF_RANGE')) {
            this.positions[partition] = await this.log.earliestOffset(this.topic, partition);
            continue;
          }
          throw err;
        } catch (e) {
          this.onError(e);
          for (const w of this.waiters[partition]!.splice(0)) w.reject(e);
          await sleep(backoffDelay(failures++, { initialMs: 100, maxMs: 10_000 }), signal);
        }
      }
    }
  }

  private wake(partition: number): void {
    const pos = this.positions[partition]!;
    const list = this.waiters[partition]!;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.offset <= pos) {
        list[i]!.resolve();
        list.splice(i, 1);
      }
    }
  }

  private rejectAll(err: unknown): void {
    for (const list of this.waiters) for (const w of list.splice(0)) w.reject(err);
  }

  /** Resolves once every record written before the call has been delivered; rejects on a read error meanwhile. */
  async readToEnd(): Promise<void> {
    const ends = await Promise.all(this.positions.map((_, p) => this.log.latestOffset(this.topic, p)));
    await Promise.all(
      ends.map((end, p) =>
        this.positions[p]! >= end ? undefined : new Promise<void>((resolve, reject) => this.waiters[p]!.push({ offset: end, resolve, reject })),
      ),
    );
  }

  async send(records: ReadonlyArray<{ key: string; value: Buffer | null }>): Promise<void> {
    const byPartition = new Map<number, LogRecord[]>();
    const n = this.positions.length;
    for (const r of records) {
      const key = Buffer.from(r.key, 'utf8');
      const p = n === 1 ? 0 : partitionForKey(key, n);
      let list = byPartition.get(p);
      if (!list) byPartition.set(p, (list = []));
      list.push({ key, value: r.value });
    }
    await Promise.all([...byPartition].map(([p, list]) => this.log.append(this.topic, p, list)));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
    this.rejectAll(new TributaryError('LOG_CLOSED', `the reader of topic ${this.topic} is stopped`));
  }
}
