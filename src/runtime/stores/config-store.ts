/**
 * The config store: connector configs, target states and task configs, kept in the config topic
 * with Kafka Connect's keys and plain-JSON values (reference/kafka-connect.md §2.1):
 *
 * | key | value |
 * |---|---|
 * | `connector-<n>` | `{"properties":{..}}`, tombstone on delete |
 * | `target-state-<n>` | `{"state":"STARTED"|"PAUSED","state.v2":"STARTED"|"PAUSED"|"STOPPED"}` |
 * | `task-<n>-<i>` | `{"properties":{..}}` |
 * | `commit-<n>` | `{"tasks":N}` |
 *
 * Task configs become visible only when a `commit-<n>` arrives with all N task records read before
 * it (Kafka Connect's commit protocol). On the embedded log the task records and their commit are
 * appended as one atomic batch.
 */
import type { TargetState } from '../herder/herder.js';
import type { CompactedRecord, CompactedTopic } from './compacted-topic.js';

export type Props = Record<string, string>;

const parse = (v: Buffer): unknown => JSON.parse(v.toString('utf8'));
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v), 'utf8');

export class ConfigStore {
  private readonly connectors = new Map<string, Props>();
  private readonly targetStates = new Map<string, TargetState>();
  private readonly taskConfigs = new Map<string, Props[]>();
  /** Task records read but not yet committed, per connector. */
  private readonly pending = new Map<string, Map<number, Props>>();

  constructor(
    private readonly topic: CompactedTopic,
    private readonly onBadRecord: (msg: string) => void = () => {},
  ) {}

  start(): Promise<void> {
    return this.topic.start((r) => this.apply(r));
  }

  stop(): Promise<void> {
    return this.topic.stop();
  }

  connectorConfig(name: string): Props | undefined {
    return this.connectors.get(name);
  }
  targetState(name: string): TargetState | undefined {
    return this.connectors.has(name) ? (this.targetStates.get(name) ?? 'STARTED') : undefined;
  }
  tasks(name: string): readonly Props[] {
    return this.taskConfigs.get(name) ?? [];
  }
  connectorNames(): string[] {
    return [...this.connectors.keys()].sort();
  }

  /** Writes the config (and a target state, when given, in the same batch); resolves when read back. */
  async putConnectorConfig(name: string, config: Props, targetState?: TargetState): Promise<void> {
    const records = [{ key: `connector-${name}`, value: json({ properties: config }) }];
    if (targetState) records.unshift({ key: `target-state-${name}`, value: targetStateValue(targetState) });
    await this.topic.send(records);
    await this.topic.readToEnd();
  }

  async removeConnectorConfig(name: string): Promise<void> {
    await this.topic.send([
      { key: `connector-${name}`, value: null },
      { key: `target-state-${name}`, value: null },
    ]);
    await this.topic.readToEnd();
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.topic.send([{ key: `target-state-${name}`, value: targetStateValue(state) }]);
    await this.topic.readToEnd();
  }

  /** Writes every task config and the commit record in one batch. */
  async putTaskConfigs(name: string, configs: readonly Props[]): Promise<void> {
    const records = configs.map((c, i) => ({ key: `task-${name}-${i}`, value: json({ properties: c }) }));
    records.push({ key: `commit-${name}`, value: json({ tasks: configs.length }) });
    await this.topic.send(records);
    await this.topic.readToEnd();
  }

  private apply(r: CompactedRecord): void {
    try {
      this.applyRecord(r);
    } catch (err) {
      this.onBadRecord(`config topic record ${r.key} at offset ${r.offset} ignored: ${(err as Error).message}`);
    }
  }

  private applyRecord({ key, value }: CompactedRecord): void {
    let m: RegExpExecArray | null;
    if (key.startsWith('connector-')) {
      const name = key.slice('connector-'.length);
      if (value === null) {
        this.connectors.delete(name);
        this.targetStates.delete(name);
        this.taskConfigs.delete(name);
        this.pending.delete(name);
      } else {
        this.connectors.set(name, properties(parse(value)));
      }
    } else if (key.startsWith('target-state-')) {
      const name = key.slice('target-state-'.length);
      if (value === null) this.targetStates.delete(name);
      else {
        const v = parse(value) as { state?: string; 'state.v2'?: string };
        const state = v['state.v2'] ?? v.state;
        if (state !== 'STARTED' && state !== 'PAUSED' && state !== 'STOPPED') throw new Error(`unknown target state ${String(state)}`);
        this.targetStates.set(name, state);
      }
    } else if ((m = /^task-(.*)-(\d+)$/.exec(key))) {
      if (value === null) return;
      const [, name, idx] = m;
      let p = this.pending.get(name!);
      if (!p) this.pending.set(name!, (p = new Map()));
      p.set(Number(idx), properties(parse(value)));
    } else if (key.startsWith('commit-')) {
      if (value === null) return;
      const name = key.slice('commit-'.length);
      const n = (parse(value) as { tasks?: unknown }).tasks;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error('commit record without a task count');
      const p = this.pending.get(name) ?? new Map<number, Props>();
      const configs: Props[] = [];
      for (let i = 0; i < n; i++) {
        const c = p.get(i) ?? this.taskConfigs.get(name)?.[i];
        if (!c) {
          this.onBadRecord(`task configs of connector ${name} are inconsistent (task ${i} of ${n} missing); they will be regenerated`);
          this.taskConfigs.delete(name);
          return;
        }
        configs.push(c);
      }
      this.pending.delete(name);
      this.taskConfigs.set(name, configs);
    }
    // Other keys (session-key, restart-connector-*, logger-cluster-*, tasks-fencing-*) are not used
    // by a standalone worker and are ignored.
  }
}

function properties(v: unknown): Props {
  const props = (v as { properties?: unknown } | null)?.properties;
  if (!props || typeof props !== 'object' || Array.isArray(props)) throw new Error('value has no "properties" map');
  const out: Props = {};
  for (const [k, x] of Object.entries(props)) out[k] = String(x);
  return out;
}

function targetStateValue(state: TargetState): Buffer {
  // Old Kafka Connect workers only know STARTED and PAUSED; STOPPED is written as PAUSED for them.
  return json({ state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state });
}
