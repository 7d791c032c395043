/**
 * The herder of a single worker (Kafka Connect's StandaloneHerder, but with configs, offsets and
 * statuses in compacted topics of the log, so a restart comes back with everything).
 *
 * State changes run one at a time (a promise chain); validation runs before a change is queued,
 * so a slow `validate()` delays only its own request. Reads answer from the stores at once.
 */
import { TributaryError } from '../../errors/codes.js';
import type { Log } from '../../log/log.js';
import type { TaskLogger } from '../../sdk/logger.js';
import type { Clock } from '../../util/clock.js';
import { invalidConfigMessage, validateConnector } from '../connector-config.js';
import { readDeadLetters } from '../errors/dlq-reader.js';
import { DlqReplayer } from '../errors/dlq-replay.js';
import type { PluginRegistry } from '../plugins.js';
import { ConfigStore } from '../stores/config-store.js';
import { LogCompactedTopic } from '../stores/log-compacted-topic.js';
import { OffsetStore } from '../stores/offset-store.js';
import { StatusStore } from '../stores/status-store.js';
import { Worker } from '../worker.js';
import type { WorkerSettings } from '../worker-settings.js';
import { parseOffsetsBody, readOffsets, writeOffsets } from './connector-offsets.js';
import type {
  ConfigInfos, ConfigKeyInfo, ConnectorConfig, ConnectorInfo, ConnectorOffsets, ConnectorStateInfo, DeadLetterQuery, DeadLetterQueuePage,
  DeadLetterReplayOptions, DeadLetterReplayResult, Health, Herder, PluginInfo, PutConnectorOptions, RestartOptions, TaskInfo, TaskStatusEntry,
} from './herder.js';
import { ConnectorLifecycle, sameConfig } from './connector-lifecycle.js';
import { HerderViews } from './herder-views.js';

export interface StandaloneHerderDeps {
  readonly log: Log;
  readonly registry: PluginRegistry;
  readonly settings: WorkerSettings;
  readonly clock: Clock;
  readonly logger: (name: string) => TaskLogger;
}


export class StandaloneHerder implements Herder {
  private readonly configs: ConfigStore;
  private readonly offsets: OffsetStore;
  private readonly statuses: StatusStore;
  private readonly worker: Worker;
  private readonly views: HerderViews;
  private readonly lifecycle: ConnectorLifecycle;
  private readonly replays: DlqReplayer;
  private readonly log: TaskLogger;
  /** The serial queue; it starts closed so that nothing changes state before `start()` has run. */
  private queue: Promise<unknown>;
  private openQueue!: () => void;
  private state: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';

  constructor(private readonly deps: StandaloneHerderDeps) {
    const { log, settings } = deps;
    this.log = deps.logger('tributary.runtime.herder');
    const warn = (msg: string): void => this.log.warn(msg);
    const onError = (err: unknown): void => this.log.error({ err }, `internal topic reader failed: ${(err as Error).message}`);
    this.configs = new ConfigStore(new LogCompactedTopic(log, { topic: settings.configTopic, partitions: 1, exactPartitions: true }, onError), warn);
    this.offsets = new OffsetStore(new LogCompactedTopic(log, { topic: settings.offsetTopic, partitions: settings.offsetPartitions }, onError), warn);
    this.statuses = new StatusStore(new LogCompactedTopic(log, { topic: settings.statusTopic, partitions: settings.statusPartitions }, onError), warn);
    this.worker = new Worker({ ...deps, offsets: this.offsets, status: this.statuses });
    this.views = new HerderViews(this.configs, this.statuses, deps.registry);
    this.replays = new DlqReplayer({ ...deps, requestCommit: (name) => this.worker.requestCommit(name) });
    this.lifecycle = new ConnectorLifecycle(this.configs, this.worker, (name) => void this.reconfigure(name), this.log);
    this.queue = new Promise<void>((resolve) => (this.openQueue = resolve));
  }

  /** Read when statuses are written, so it may be settled after construction (a REST port of 0). */
  get workerId(): string {
    return this.deps.settings.workerId;
  }

  /** Reads the internal topics and starts every stored connector in its target state. */
  async start(): Promise<void> {
    try {
      await this.configs.start();
      await this.offsets.start();
      await this.statuses.start();
      for (const name of this.configs.connectorNames()) await this.lifecycle.start(name);
      this.state = 'running';
    } finally {
      // Requests that arrived meanwhile ran their validation and now queue behind the start.
      this.openQueue();
    }
  }

  /** Graceful stop: tasks flush and commit, connectors stop, statuses are written. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.openQueue();
    await this.serial(() => this.worker.stopAll());
    await this.statuses.stop();
    await this.offsets.stop();
    await this.configs.stop();
    this.state = 'stopped';
  }

  health(): Health {
    if (this.state === 'running') return { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' };
    if (this.state === 'starting') return { status: 'starting', message: 'Worker is still starting up.' };
    return { status: 'unhealthy', message: 'Worker is shutting down.' };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.state === 'stopped') throw new TributaryError('UNAVAILABLE', 'The worker is shutting down');
      return fn();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** The connector asked for new task configs (`requestTaskReconfiguration`). */
  private reconfigure(name: string): Promise<void> {
    return this.serial(async () => {
      if (this.worker.isConnectorRunning(name)) await this.lifecycle.refreshTasks(name);
    }).catch((err: unknown) => this.log.error({ err }, `task reconfiguration of ${name} failed`));
  }

  private existing(name: string): ConnectorConfig {
    this.ready();
    return this.views.rawConfig(name);
  }

  /** Reads answer 503 until the stores are loaded (as Kafka Connect's REST answers while starting). */
  private ready(): void {
    if (this.state === 'starting') throw new TributaryError('UNAVAILABLE', 'Worker is still starting up; try again shortly');
  }

  /** Pause, resume and stop answer an unknown connector with Kafka Connect's other 404 message. */
  private known(name: string): void {
    if (!this.configs.connectorConfig(name)) throw new TributaryError('NOT_FOUND', `Unknown connector ${name}`);
  }

  // ---- Herder: reads ----

  connectors(): string[] {
    this.ready();
    return this.configs.connectorNames();
  }
  async connectorInfo(name: string): Promise<ConnectorInfo> {
    this.ready();
    return this.views.info(name);
  }
  async connectorConfig(name: string): Promise<ConnectorConfig> {
    this.ready();
    return this.views.config(name);
  }
  /** The stored config with secrets in clear (for re-applying config files, never for REST). */
  async connectorConfigRaw(name: string): Promise<ConnectorConfig> {
    return { ...this.views.rawConfig(name) };
  }
  async connectorStatus(name: string): Promise<ConnectorStateInfo> {
    this.ready();
    return this.views.status(name);
  }
  async taskStatus(name: string, task: number): Promise<TaskStatusEntry> {
    this.ready();
    return this.views.taskStatus(name, task);
  }
  async taskConfigs(name: string): Promise<TaskInfo[]> {
    this.ready();
    return this.views.tasks(name);
  }

  // ---- Herder: config changes ----

  async putConnectorConfig(name: string, config: ConnectorConfig, options: PutConnectorOptions): Promise<{ created: boolean; info: ConnectorInfo }> {
    // Without an expected config, put() always applies.
    return (await this.put(name, config, options))!;
  }

  /** `expected`: apply only if the stored config still equals it (PATCH's read-merge-write); else `null`. */
  private async put(name: string, config: ConnectorConfig, options: PutConnectorOptions, expected?: ConnectorConfig): Promise<{ created: boolean; info: ConnectorInfo } | null> {
    if (config['name'] !== undefined && config['name'] !== name) {
      throw new TributaryError('BAD_REQUEST', 'Connector name configuration (' + config['name'] + ') doesn\'t match connector name in the URL (' + name + ')');
    }
    const full = { ...config, name };
    if (/[\u0000-\u001f]/.test(name) || name.trim() === '') throw new TributaryError('BAD_REQUEST', `Connector name ${JSON.stringify(name)} is invalid: it must be non-empty and contain no control characters`);
    const { infos } = await validateConnector(this.deps.registry, full);
    if (infos.error_count > 0) throw new TributaryError('CONFIG_INVALID', invalidConfigMessage(infos));
    return this.serial(async () => {
      const current = this.configs.connectorConfig(name);
      if (expected !== undefined) {
        if (!current) throw new TributaryError('NOT_FOUND', `Connector ${name} not found`);
        if (!sameConfig(current, expected)) return null;
      }
      const exists = current !== undefined;
      if (exists && !options.allowReplace) throw new TributaryError('ALREADY_EXISTS', `Connector ${name} already exists`);
      const oldTasks = this.configs.tasks(name).length;
      await this.configs.putConnectorConfig(name, full, !exists ? options.initialState : undefined);
      if (exists) await this.lifecycle.stop(name);
      await this.lifecycle.start(name);
      return { created: !exists, info: this.views.info(name, oldTasks) };
    });
  }

  /** Read, merge and write as one step: a concurrent change makes it merge again (validation stays outside the queue). */
  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    for (;;) {
      const current = { ...this.existing(name) };
      const next: ConnectorConfig = { ...current };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete next[k];
        else next[k] = v;
      }
      const done = await this.put(name, next, { allowReplace: true }, current);
      if (done) return done.info;
    }
  }

  deleteConnector(name: string): Promise<void> {
    return this.serial(async () => {
      this.existing(name);
      const tasks = this.configs.tasks(name).length;
      await this.lifecycle.stop(name);
      await this.configs.removeConnectorConfig(name);
      this.statuses.remove(name, tasks);
      await this.statuses.flush();
    });
  }

  // ---- Herder: lifecycle ----

  async restartConnector(name: string, options: RestartOptions): Promise<ConnectorStateInfo | null> {
    if (!options.includeTasks && !options.onlyFailed) {
      this.existing(name);
      await this.serial(async () => {
        this.existing(name);
        await this.lifecycle.restartInstance(name);
      });
      return null;
    }
    if (!this.configs.connectorConfig(name)) throw new TributaryError('NOT_FOUND', `Unknown connector: ${name}`);
    const status = this.views.status(name);
    const restartConnector = !options.onlyFailed || status.connector.state === 'FAILED';
    const tasks = options.includeTasks ? status.tasks.filter((t) => !options.onlyFailed || t.state === 'FAILED').map((t) => t.id) : [];
    const plan: ConnectorStateInfo = {
      ...status,
      connector: restartConnector ? { ...status.connector, state: 'RESTARTING' } : status.connector,
      tasks: status.tasks.map((t) => (tasks.includes(t.id) ? { ...t, state: 'RESTARTING' } : t)),
    };
    void this.serial(async () => {
      if (!this.configs.connectorConfig(name)) return;
      if (tasks.length > 0) await this.worker.stopTasks(name, tasks);
      if (restartConnector) await this.lifecycle.restartInstance(name);
      if (tasks.length > 0) this.lifecycle.startTasks(name, tasks);
    }).catch((err: unknown) => this.log.error({ err }, `restart of ${name} failed`));
    return plan;
  }

  restartTask(name: string, task: number): Promise<void> {
    return this.serial(async () => {
      this.existing(name);
      if (task < 0 || task >= this.configs.tasks(name).length) throw new TributaryError('NOT_FOUND', `Task ${name}-${task} not found`);
      await this.worker.stopTasks(name, [task]);
      this.lifecycle.startTasks(name, [task]);
    });
  }

  pauseConnector(name: string): Promise<void> {
    return this.serial(async () => {
      this.known(name);
      if (this.configs.targetState(name) === 'STOPPED') {
        // Kafka Connect pauses a stopped connector's (empty) task set; it stays down.
        await this.configs.putTargetState(name, 'PAUSED');
        return this.lifecycle.start(name);
      }
      await this.configs.putTargetState(name, 'PAUSED');
      await this.worker.stopConnector(name, false);
      await this.worker.startConnector(name, this.configs.connectorConfig(name)!, 'PAUSED', () => {});
      this.worker.setTargetState(name, 'PAUSED');
    });
  }

  resumeConnector(name: string): Promise<void> {
    return this.serial(async () => {
      this.known(name);
      const before = this.configs.targetState(name);
      await this.configs.putTargetState(name, 'STARTED');
      if (before === 'STARTED') return;
      if (before === 'STOPPED' || this.worker.taskIds(name).length === 0) {
        await this.lifecycle.stop(name);
        return this.lifecycle.start(name);
      }
      const ok = await this.worker.startConnector(name, this.configs.connectorConfig(name)!, 'STARTED', () => void this.reconfigure(name));
      // Changed task configs restart the tasks; otherwise the paused tasks just resume.
      if (!(ok && (await this.lifecycle.refreshTasks(name)))) this.worker.setTargetState(name, 'STARTED');
    });
  }

  stopConnector(name: string): Promise<void> {
    return this.serial(async () => {
      this.known(name);
      const tasks = this.configs.tasks(name).length;
      await this.lifecycle.stop(name);
      await this.configs.putTaskConfigs(name, []);
      await this.configs.putTargetState(name, 'STOPPED');
      for (let i = 0; i < tasks; i++) this.statuses.removeTask(name, i);
      await this.worker.startConnector(name, this.configs.connectorConfig(name)!, 'STOPPED', () => {});
      await this.statuses.flush();
    });
  }

  // ---- Herder: offsets and topics ----

  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    const config = this.existing(name);
    return readOffsets(this.deps.log, this.offsets, name, config, this.views.type(config));
  }

  alterConnectorOffsets(name: string, body: ConnectorOffsets): Promise<string> {
    return this.changeOffsets(name, body, false);
  }

  resetConnectorOffsets(name: string): Promise<string> {
    return this.changeOffsets(name, null, true);
  }

  private changeOffsets(name: string, body: ConnectorOffsets | null, reset: boolean): Promise<string> {
    return this.serial(async () => {
      const config = this.existing(name);
      if (this.configs.targetState(name) !== 'STOPPED' || this.configs.tasks(name).length > 0) {
        throw new TributaryError('BAD_REQUEST', `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`);
      }
      const plugin = this.deps.registry.find(config['connector.class'] ?? '', 'source', 'sink');
      if (!plugin) throw new TributaryError('BAD_REQUEST', `connector class ${config['connector.class']} not found`);
      const type = plugin.type;
      const entries = reset
        ? (await readOffsets(this.deps.log, this.offsets, name, config, type)).offsets.map((e) => ({ partition: e.partition, offset: null }))
        : parseOffsetsBody(body!, type);
      return writeOffsets(this.deps.log, this.offsets, name, config, plugin.create(), entries, reset);
    });
  }

  /** As in Kafka Connect, any name is answered from the status store (an unknown one has no topics). */
  async connectorActiveTopics(name: string): Promise<Record<string, { topics: string[] }>> {
    return { [name]: { topics: this.statuses.activeTopics(name) } };
  }

  async resetConnectorActiveTopics(name: string): Promise<void> {
    this.statuses.resetTopics(name);
    await this.statuses.flush();
  }

  // ---- Herder: dead letter queue ----

  async deadLetterQueue(name: string, query: DeadLetterQuery): Promise<DeadLetterQueuePage> {
    return readDeadLetters(this.deps.log, name, this.existing(name), query);
  }

  /** Not queued behind state changes: a replay can wait for the sink for long, and uses the config it starts with. */
  async replayDeadLetterQueue(name: string, options: DeadLetterReplayOptions): Promise<DeadLetterReplayResult> {
    const config = this.existing(name);
    return this.replays.replay(name, config, this.views.type(config), options);
  }

  // ---- Herder: plugins ----

  async validateConnectorConfig(config: ConnectorConfig, pluginName?: string): Promise<ConfigInfos> {
    if (pluginName !== undefined && !this.deps.registry.find(pluginName, 'source', 'sink')) {
      throw new TributaryError('BAD_REQUEST', `Failed to find any class that implements Connector and which name matches ${pluginName}`);
    }
    const full = pluginName !== undefined && config['connector.class'] === undefined ? { ...config, 'connector.class': pluginName } : config;
    return (await validateConnector(this.deps.registry, full, pluginName)).infos;
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    return this.views.plugins(connectorsOnly);
  }

  pluginConfig(plugin: string): ConfigKeyInfo[] {
    return this.views.pluginConfig(plugin);
  }
}
