/**
 * Read-only views the herder answers GET requests with, built from the stores' current state in
 * Kafka Connect's JSON shapes, with secrets hidden.
 */
import { TributaryError } from '../../errors/codes.js';
import { configKeyInfo, maskConfig } from '../connector-config.js';
import type { PluginRegistry } from '../plugins.js';
import type { ConfigStore } from '../stores/config-store.js';
import type { InstanceStatus, StatusStore } from '../stores/status-store.js';
import type { ConfigKeyInfo, ConnectorConfig, ConnectorInfo, ConnectorStateInfo, ConnectorType, PluginInfo, TaskInfo, TaskStatusEntry } from './herder.js';

export class HerderViews {
  constructor(
    private readonly configs: ConfigStore,
    private readonly statuses: StatusStore,
    private readonly registry: PluginRegistry,
  ) {}

  /** The connector's raw config; NOT_FOUND when it does not exist. */
  rawConfig(name: string): ConnectorConfig {
    const c = this.configs.connectorConfig(name);
    if (!c) throw new TributaryError('NOT_FOUND', `Connector ${name} not found`);
    return c;
  }

  type(config: ConnectorConfig): ConnectorType {
    const cls = config['connector.class'];
    return (cls && this.registry.find(cls, 'source', 'sink')?.type) || 'unknown';
  }

  info(name: string, tasks = this.configs.tasks(name).length): ConnectorInfo {
    const config = this.rawConfig(name);
    return {
      name,
      config: maskConfig(this.registry, config),
      tasks: Array.from({ length: tasks }, (_, task) => ({ connector: name, task })),
      type: this.type(config),
    };
  }

  config(name: string): ConnectorConfig {
    return maskConfig(this.registry, this.rawConfig(name));
  }

  /** As Kafka Connect's `AbstractHerder.connectorStatus`: the status store decides what is known. */
  status(name: string): ConnectorStateInfo {
    const c = this.statuses.connector(name);
    if (!c) throw new TributaryError('NOT_FOUND', `No status found for connector ${name}`);
    const config = this.configs.connectorConfig(name);
    const statuses = this.statuses.taskStatuses(name);
    const tasks: TaskStatusEntry[] = [];
    for (let i = 0; i < this.configs.tasks(name).length; i++) {
      const s = statuses.get(i);
      if (s) tasks.push(this.taskEntry(name, i, s));
    }
    return { name, connector: entry(c), tasks, type: config ? this.type(config) : 'unknown' };
  }

  taskStatus(name: string, task: number): TaskStatusEntry {
    const s = task < this.configs.tasks(name).length ? this.statuses.task(name, task) : undefined;
    if (!s) throw new TributaryError('NOT_FOUND', `No status found for task ${name}-${task}`);
    return this.taskEntry(name, task, s);
  }

  private taskEntry(name: string, task: number, s: InstanceStatus): TaskStatusEntry {
    const progress = s.state === 'RUNNING' ? this.statuses.progress(name, task) : undefined;
    return progress ? { id: task, ...entry(s), progress } : { id: task, ...entry(s) };
  }

  tasks(name: string): TaskInfo[] {
    const config = this.rawConfig(name);
    const cls = config['connector.class'];
    const def = cls ? this.registry.find(cls, 'source', 'sink')?.create().config() : undefined;
    return this.configs.tasks(name).map((c, task) => ({ id: { connector: name, task }, config: def ? def.mask(c) : { ...c } }));
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    return this.registry
      .list(connectorsOnly ? ['source', 'sink'] : undefined)
      .map((p) => ({ class: p.className, type: p.type, version: p.version }))
      .sort((a, b) => a.class.localeCompare(b.class));
  }

  /** The plugin's own config keys; NOT_FOUND for an unknown plugin. */
  pluginConfig(plugin: string): ConfigKeyInfo[] {
    const p = this.registry.find(plugin);
    if (!p) throw new TributaryError('NOT_FOUND', `Unknown plugin ${plugin}.`);
    return p.create().config().configKeys().map(configKeyInfo);
  }
}

function entry(s: InstanceStatus): { state: InstanceStatus['state']; worker_id: string; trace?: string } {
  return s.trace ? { state: s.state, worker_id: s.workerId, trace: s.trace } : { state: s.state, worker_id: s.workerId };
}
