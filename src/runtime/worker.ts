/**
 * The worker: runs connector instances and task runners on this process and reports their states
 * to the status store. It decides nothing about *what* should run — the herder tells it.
 */
import { TributaryError } from '../errors/codes.js';
import type { Log } from '../log/log.js';
import type { Connector } from '../sdk/connector.js';
import type { TaskLogger } from '../sdk/logger.js';
import type { SinkRecord, SourceRecord } from '../sdk/records.js';
import type { Clock } from '../util/clock.js';
import type { InstanceState, TargetState } from './herder/herder.js';
import type { PluginRegistry } from './plugins.js';
import { SinkTaskRunner } from './sink-task-runner.js';
import { SourceTaskRunner } from './source-task-runner.js';
import type { OffsetStore } from './stores/offset-store.js';
import type { StatusStore } from './stores/status-store.js';
import { buildConverters, TransformChain } from './task-plugins.js';
import { withTimeout } from './retry.js';
import { traceOf, type TaskRunner } from './task-runner.js';
import { ensureTopic } from './topic-creation.js';
import { topicSizeLimitOf } from './record-bytes.js';
import type { WorkerSettings } from './worker-settings.js';
import { listSetting, sinkGroup } from './connector-config.js';
import { DeadLetterQueue } from './errors/dead-letter-queue.js';
import { ErrorHandler } from './errors/error-handler.js';
import { errorPolicy } from './errors/error-policy.js';

export type Props = Record<string, string>;

export interface WorkerDeps {
  readonly log: Log;
  readonly registry: PluginRegistry;
  readonly settings: WorkerSettings;
  readonly offsets: OffsetStore;
  readonly status: StatusStore;
  readonly clock: Clock;
  readonly logger: (name: string) => TaskLogger;
}

interface RunningConnector {
  readonly config: Props;
  readonly connector: Connector;
  /** Whether `start` succeeded and `stop` is owed. */
  started: boolean;
}

export class Worker {
  private readonly connectors = new Map<string, RunningConnector>();
  private readonly tasks = new Map<string, TaskRunner>();
  /** Topic partition counts, shared by the source tasks. */
  private readonly topicPartitions = new Map<string, Promise<number>>();

  constructor(private readonly deps: WorkerDeps) {}

  private reportConnector(name: string, state: InstanceState, trace?: string): void {
    this.deps.status.putConnector(name, { state, trace: trace ?? null, workerId: this.deps.settings.workerId, generation: 0 });
  }

  private reportTask(name: string, task: number, state: InstanceState, trace?: string): void {
    this.deps.status.putTask(name, task, { state, trace: trace ?? null, workerId: this.deps.settings.workerId, generation: 0 });
  }

  /**
   * Starts a connector instance in the given target state (PAUSED and STOPPED leave it not
   * running, as Kafka Connect's WorkerConnector does). Resolves false when it failed (status FAILED).
   */
  async startConnector(name: string, config: Props, target: TargetState, onReconfigure: () => void): Promise<boolean> {
    if (this.connectors.has(name)) await this.stopConnector(name);
    const plugin = this.deps.registry.find(config['connector.class'] ?? '', 'source', 'sink');
    if (!plugin) {
      this.reportConnector(name, 'FAILED', `connector class ${config['connector.class']} not found`);
      return false;
    }
    if (target !== 'STARTED') {
      this.reportConnector(name, target === 'PAUSED' ? 'PAUSED' : 'STOPPED');
      return true;
    }
    const logger = this.deps.logger(`tributary.connector.${name}`);
    const rc: RunningConnector = { config, connector: plugin.create(), started: false };
    this.connectors.set(name, rc);
    try {
      await this.bounded('start', name, rc.connector.start(config, {
        logger,
        requestTaskReconfiguration: () => onReconfigure(),
        raiseError: (err) => {
          logger.error({ err }, `connector ${name} failed: ${err.message}`);
          this.reportConnector(name, 'FAILED', traceOf(err));
        },
      }));
      rc.started = true;
      this.reportConnector(name, 'RUNNING');
      return true;
    } catch (err) {
      logger.error({ err }, `connector ${name} failed to start: ${(err as Error).message}`);
      this.reportConnector(name, 'FAILED', traceOf(err));
      return false;
    }
  }

  /**
   * A connector call with a time limit, so one unresponsive connector cannot hold up the herder:
   * past the limit the call is abandoned (it may still finish later) and an error is thrown.
   */
  private async bounded<T>(what: string, name: string, call: Promise<T> | T): Promise<T> {
    const ms = this.deps.settings.taskShutdownGracefulTimeoutMs;
    const TIMEOUT = Symbol('timeout');
    const result = await withTimeout<T | typeof TIMEOUT>(Promise.resolve(call), ms, TIMEOUT);
    if (result === TIMEOUT) {
      throw new TributaryError('CONNECT_FATAL', `connector ${name} is unresponsive: ${what}() did not finish within ${ms} ms (task.shutdown.graceful.timeout.ms)`);
    }
    return result;
  }

  isConnectorRunning(name: string): boolean {
    return this.connectors.get(name)?.started === true;
  }

  /** The task configs the running connector asks for (at most `tasks.max`). */
  async connectorTaskConfigs(name: string): Promise<Props[]> {
    const rc = this.connectors.get(name);
    if (!rc?.started) throw new TributaryError('CONFLICT', `connector ${name} is not running`);
    const max = Number(rc.config['tasks.max'] ?? '1');
    try {
      const configs = await this.bounded('taskConfigs', name, rc.connector.taskConfigs(max));
      const enforce = (rc.config['tasks.max.enforce'] ?? 'true').toLowerCase() !== 'false';
      if (configs.length > max && enforce) {
        throw new TributaryError('CONNECT_FATAL', `The connector ${name} has generated ${configs.length} tasks, which is greater than ${max}, the maximum number of tasks it is configured to create.`);
      }
      return configs.map((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)])));
    } catch (err) {
      this.reportConnector(name, 'FAILED', traceOf(err));
      await this.stopConnector(name, false);
      throw err;
    }
  }

  /** Stops the connector instance (not its tasks). */
  async stopConnector(name: string, report = true): Promise<void> {
    const rc = this.connectors.get(name);
    if (!rc) return;
    this.connectors.delete(name);
    if (rc.started) {
      try {
        await this.bounded('stop', name, rc.connector.stop());
      } catch (err) {
        this.deps.logger(`tributary.connector.${name}`).warn(`connector ${name} failed to stop cleanly: ${(err as Error).message}`);
      }
    }
    if (report) this.reportConnector(name, 'UNASSIGNED');
  }

  /**
   * Starts one task unless it runs already; a task that cannot be built is reported FAILED and
   * resolves false. `taskCount`: how many task configs the connector has (sink tasks split
   * partitions by it).
   */
  startTask(name: string, task: number, taskCount: number, connectorConfig: Props, taskConfig: Props, target: TargetState): boolean {
    const key = `${name}\u0000${task}`;
    if (this.tasks.has(key)) return true;
    const { registry, settings, clock } = this.deps;
    const logger = this.deps.logger(`tributary.task.${name}-${task}`);
    const report = (state: InstanceState, trace?: string): void => this.reportTask(name, task, state, trace);
    const base = { id: { connector: name, task }, logger, report, gracefulTimeoutMs: settings.taskShutdownGracefulTimeoutMs };
    let runner: TaskRunner;
    try {
      const plugin = registry.find(connectorConfig['connector.class'] ?? '', 'source', 'sink');
      if (!plugin) throw new TributaryError('CONFIG_INVALID', `connector class ${connectorConfig['connector.class']} not found`);
      const converters = buildConverters(registry, settings, connectorConfig);
      const policy = errorPolicy(connectorConfig);
      const errors = new ErrorHandler({
        policy, id: base.id, logger, clock,
        dlq: policy.dlqTopic === '' ? null : new DeadLetterQueue(this.deps.log, policy.dlqTopic),
      });
      const connectorClass = plugin.className;
      const topicUsed = (topic: string): void => this.deps.status.putTopic(name, task, topic, clock.now());
      const connector = plugin.create();
      if (connector.type === 'source') {
        runner = new SourceTaskRunner({
          ...base, task: connector.createTask(), taskConfig, log: this.deps.log, offsets: this.deps.offsets, converters,
          transforms: TransformChain.build<SourceRecord>(registry, connectorConfig),
          offsetFlushIntervalMs: settings.offsetFlushIntervalMs, offsetFlushTimeoutMs: settings.offsetFlushTimeoutMs,
          bufferBytes: settings.producerBufferBytes, topicPartitions: (t) => this.partitionsOf(t), topicUsed,
          reportProgress: (p) => this.deps.status.putProgress(name, task, p),
          sizeLimit: (t) => topicSizeLimitOf(this.deps.log, t), errors, connectorClass, clock,
        });
      } else {
        const topics = listSetting(connectorConfig, 'topics');
        const regex = connectorConfig['topics.regex']?.trim();
        runner = new SinkTaskRunner({
          ...base, task: connector.createTask(), taskConfig, log: this.deps.log, converters,
          transforms: TransformChain.build<SinkRecord>(registry, connectorConfig), clock,
          group: sinkGroup(name, connectorConfig),
          topics, topicsRegex: regex ? new RegExp(`^(?:${regex})$`) : null,
          taskCount: Math.max(1, taskCount),
          offsetFlushIntervalMs: settings.offsetFlushIntervalMs, fetchMaxBytes: settings.consumerFetchMaxBytes,
          maxPollRecords: settings.consumerMaxPollRecords, topicUsed, errors, connectorClass,
        });
      }
    } catch (err) {
      logger.error({ err }, `task ${name}-${task} could not be created: ${(err as Error).message}`);
      report('FAILED', traceOf(err));
      return false;
    }
    this.tasks.set(key, runner);
    runner.start(target);
    return true;
  }

  /** Partition count of a source's topic; creates it (1 partition) on first use when allowed. */
  private partitionsOf(topic: string): Promise<number> {
    let p = this.topicPartitions.get(topic);
    if (!p) {
      p = (async () => {
        const { log, settings } = this.deps;
        if (!(await ensureTopic(log, topic, settings.topicCreationEnable ? { partitions: 1 } : null))) {
          throw new TributaryError('CONNECT_FATAL', `topic ${topic} does not exist and topic.creation.enable is false`);
        }
        return (await log.describeTopic(topic)).partitions.length;
      })();
      p.catch(() => this.topicPartitions.delete(topic));
      this.topicPartitions.set(topic, p);
    }
    return p;
  }

  taskIds(name: string): number[] {
    return [...this.tasks.values()].filter((r) => r.id.connector === name).map((r) => r.id.task).sort((a, b) => a - b);
  }

  /** Asks the connector's sink tasks to commit their offsets soon. */
  requestCommit(name: string): void {
    for (const r of this.tasks.values()) if (r.id.connector === name && r instanceof SinkTaskRunner) r.requestCommit();
  }

  setTargetState(name: string, state: TargetState): void {
    for (const r of this.tasks.values()) if (r.id.connector === name) r.setTargetState(state);
  }

  /** Stops the given tasks (all of the connector's when omitted), concurrently and gracefully. */
  async stopTasks(name: string, tasks?: readonly number[]): Promise<void> {
    const runners = [...this.tasks.entries()].filter(([, r]) => r.id.connector === name && (!tasks || tasks.includes(r.id.task)));
    for (const [k] of runners) this.tasks.delete(k);
    await Promise.all(runners.map(([, r]) => r.stop()));
  }

  /** Stops everything: tasks first (they flush and commit), then connector instances. */
  async stopAll(): Promise<void> {
    const runners = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all(runners.map((r) => r.stop()));
    await Promise.all([...this.connectors.keys()].map((n) => this.stopConnector(n)));
  }
}
