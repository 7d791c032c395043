/**
 * The status store: connector and task states, and the topics each connector has used, in the
 * status topic with Kafka Connect's keys and values (reference/kafka-connect.md §2.3):
 *
 * - `status-connector-<n>` / `status-task-<n>-<i>` → `{"state","trace","worker_id","generation"}`
 * - `status-topic-<topic>:connector-<n>` → `{"topic":{"name","connector","task","discoverTimestamp"}}`
 *
 * Writes are not awaited on hot paths: `put*` queue the write and return; `flush()` waits for them.
 * A write is applied locally at once, so this worker's view is never behind its own writes.
 */
import type { InstanceState } from '../herder/herder.js';
import type { CompactedRecord, CompactedTopic } from './compacted-topic.js';

export interface InstanceStatus {
  readonly state: InstanceState;
  readonly trace: string | null;
  readonly workerId: string;
  readonly generation: number;
}

export class StatusStore {
  private readonly connectors = new Map<string, InstanceStatus>();
  /** connector → task → status */
  private readonly tasks = new Map<string, Map<number, InstanceStatus>>();
  /** connector → topic → discover timestamp */
  private readonly topics = new Map<string, Map<string, number>>();
  /** `<connector>/<task>` → the task's latest progress report (this worker's tasks only, not stored). */
  private readonly progressReports = new Map<string, Readonly<Record<string, unknown>>>();
  private writes: Promise<void> = Promise.resolve();
  /** Own writes not yet read back, per key: their echoes are skipped (the local view is newer). */
  private readonly unechoed = new Map<string, number>();

  constructor(
    private readonly topic: CompactedTopic,
    private readonly onError: (msg: string) => void = () => {},
  ) {}

  start(): Promise<void> {
    return this.topic.start((r) => this.apply(r));
  }

  async stop(): Promise<void> {
    await this.flush();
    await this.topic.stop();
  }

  connector(name: string): InstanceStatus | undefined {
    return this.connectors.get(name);
  }

  task(name: string, task: number): InstanceStatus | undefined {
    return this.tasks.get(name)?.get(task);
  }

  taskStatuses(name: string): Map<number, InstanceStatus> {
    return new Map(this.tasks.get(name) ?? []);
  }

  /** The latest progress a running task of this worker reported, if any. */
  progress(name: string, task: number): Readonly<Record<string, unknown>> | undefined {
    return this.progressReports.get(`${name}/${task}`);
  }

  putProgress(name: string, task: number, progress: Readonly<Record<string, unknown>> | null): void {
    if (progress) this.progressReports.set(`${name}/${task}`, progress);
    else this.progressReports.delete(`${name}/${task}`);
  }

  activeTopics(name: string): string[] {
    return [...(this.topics.get(name)?.keys() ?? [])].sort();
  }

  putConnector(name: string, status: InstanceStatus): void {
    this.connectors.set(name, status);
    this.write([{ key: `status-connector-${name}`, value: statusValue(status) }]);
  }

  putTask(name: string, task: number, status: InstanceStatus): void {
    this.taskMap(name).set(task, status);
    if (status.state !== 'RUNNING') this.progressReports.delete(`${name}/${task}`);
    this.write([{ key: `status-task-${name}-${task}`, value: statusValue(status) }]);
  }

  /** Records that `connector`'s task used `topic`, once per topic. */
  putTopic(name: string, task: number, topic: string, now: number): void {
    let m = this.topics.get(name);
    if (!m) this.topics.set(name, (m = new Map()));
    if (m.has(topic)) return;
    m.set(topic, now);
    const value = { topic: { name: topic, connector: name, task, discoverTimestamp: now } };
    this.write([{ key: topicKey(topic, name), value: Buffer.from(JSON.stringify(value), 'utf8') }]);
  }

  resetTopics(name: string): void {
    const m = this.topics.get(name);
    if (!m) return;
    this.topics.delete(name);
    this.write([...m.keys()].map((t) => ({ key: topicKey(t, name), value: null })));
  }

  /** Tombstones the connector's and the given tasks' statuses. */
  remove(name: string, taskCount?: number): void {
    const tasks = this.tasks.get(name) ?? new Map();
    const ids = new Set([...tasks.keys(), ...Array.from({ length: taskCount ?? 0 }, (_, i) => i)]);
    this.connectors.delete(name);
    this.tasks.delete(name);
    this.write([{ key: `status-connector-${name}`, value: null }, ...[...ids].map((i) => ({ key: `status-task-${name}-${i}`, value: null }))]);
  }

  removeTask(name: string, task: number): void {
    this.tasks.get(name)?.delete(task);
    this.write([{ key: `status-task-${name}-${task}`, value: null }]);
  }

  /** Resolves once every write queued so far is durable. */
  flush(): Promise<void> {
    return this.writes;
  }

  private write(records: Array<{ key: string; value: Buffer | null }>): void {
    for (const r of records) this.unechoed.set(r.key, (this.unechoed.get(r.key) ?? 0) + 1);
    this.writes = this.writes.then(() =>
      this.topic.send(records).catch((err: unknown) => {
        for (const r of records) {
          const n = (this.unechoed.get(r.key) ?? 1) - 1;
          if (n <= 0) this.unechoed.delete(r.key);
          else this.unechoed.set(r.key, n);
        }
        this.onError(`status write failed: ${(err as Error).message}`);
      }),
    );
  }

  private taskMap(name: string): Map<number, InstanceStatus> {
    let m = this.tasks.get(name);
    if (!m) this.tasks.set(name, (m = new Map()));
    return m;
  }

  private apply({ key, value }: CompactedRecord): void {
    const own = this.unechoed.get(key);
    if (own !== undefined) {
      if (own <= 1) this.unechoed.delete(key);
      else this.unechoed.set(key, own - 1);
      return;
    }
    let m: RegExpExecArray | null;
    try {
      if (key.startsWith('status-connector-')) {
        const name = key.slice('status-connector-'.length);
        if (value === null) this.connectors.delete(name);
        else this.connectors.set(name, parseStatus(value));
      } else if ((m = /^status-task-(.*)-(\d+)$/.exec(key))) {
        if (value === null) this.tasks.get(m[1]!)?.delete(Number(m[2]));
        else this.taskMap(m[1]!).set(Number(m[2]), parseStatus(value));
      } else if ((m = /^status-topic-(.*):connector-(.*)$/.exec(key))) {
        const [, topic, name] = m as unknown as [string, string, string];
        if (value === null) this.topics.get(name)?.delete(topic);
        else {
          const v = JSON.parse(value.toString('utf8')) as { topic?: { discoverTimestamp?: number } };
          let t = this.topics.get(name);
          if (!t) this.topics.set(name, (t = new Map()));
          t.set(topic, v.topic?.discoverTimestamp ?? 0);
        }
      }
    } catch (err) {
      this.onError(`status topic record ${key} ignored: ${(err as Error).message}`);
    }
  }
}

function topicKey(topic: string, connector: string): string {
  return `status-topic-${topic}:connector-${connector}`;
}

function statusValue(s: InstanceStatus): Buffer {
  return Buffer.from(JSON.stringify({ state: s.state, trace: s.trace, worker_id: s.workerId, generation: s.generation }), 'utf8');
}

function parseStatus(v: Buffer): InstanceStatus {
  const o = JSON.parse(v.toString('utf8')) as { state: InstanceState; trace?: string | null; worker_id: string; generation?: number };
  return { state: o.state, trace: o.trace ?? null, workerId: o.worker_id, generation: o.generation ?? 0 };
}
