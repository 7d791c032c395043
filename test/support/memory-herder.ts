/**
 * A test double of the `Herder` contract for the REST layer's tests: connectors live in a map, every
 * instance is RUNNING/PAUSED/STOPPED as its target state says, and failures are the TributaryErrors
 * (with Kafka Connect's messages) the real herder throws. It knows two plugins, shaped like Kafka's
 * FileStream connectors, so the same tests can later run against the real herder.
 */
import { TributaryError } from '../../src/errors/codes.js';
import type {
  ConfigInfos,
  ConfigKeyInfo,
  ConnectorConfig,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStateInfo,
  ConnectorType,
  Health,
  Herder,
  InstanceState,
  PluginInfo,
  PutConnectorOptions,
  RestartOptions,
  TargetState,
  TaskInfo,
  TaskStatusEntry,
} from '../../src/runtime/herder/herder.js';

interface KeyDef {
  readonly name: string;
  readonly type: 'STRING' | 'INT';
  readonly required: boolean;
  readonly defaultValue: string | null;
  readonly group: string;
}

interface PluginDef {
  readonly info: PluginInfo;
  readonly alias: string;
  readonly keys: readonly KeyDef[];
  /** At most this many tasks, whatever `tasks.max` says. */
  readonly maxTasks: number;
}

const COMMON: readonly KeyDef[] = [
  { name: 'name', type: 'STRING', required: true, defaultValue: null, group: 'Common' },
  { name: 'connector.class', type: 'STRING', required: true, defaultValue: null, group: 'Common' },
  { name: 'tasks.max', type: 'INT', required: false, defaultValue: '1', group: 'Common' },
];

const PLUGINS: readonly PluginDef[] = [
  {
    info: { class: 'org.apache.kafka.connect.file.FileStreamSourceConnector', type: 'source', version: '0.1.0' },
    alias: 'FileStreamSource',
    maxTasks: 1,
    keys: [
      { name: 'file', type: 'STRING', required: false, defaultValue: null, group: 'FileStream' },
      { name: 'topic', type: 'STRING', required: true, defaultValue: null, group: 'FileStream' },
    ],
  },
  {
    info: { class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: '0.1.0' },
    alias: 'FileStreamSink',
    maxTasks: Number.MAX_SAFE_INTEGER,
    keys: [
      { name: 'file', type: 'STRING', required: false, defaultValue: null, group: 'FileStream' },
      { name: 'topics', type: 'STRING', required: true, defaultValue: null, group: 'FileStream' },
    ],
  },
];

const CONVERTER: PluginInfo = { class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter', version: '0.1.0' };

interface Connector {
  config: ConnectorConfig;
  target: TargetState;
  tasks: ConnectorConfig[];
  plugin: PluginDef;
}

const RUNNING_STATE: Record<TargetState, InstanceState> = { STARTED: 'RUNNING', PAUSED: 'PAUSED', STOPPED: 'STOPPED' };

function notFound(name: string): TributaryError {
  return new TributaryError('NOT_FOUND', `Connector ${name} not found`);
}

function findPlugin(name: string): PluginDef | undefined {
  return PLUGINS.find((p) => p.alias === name || p.info.class === name || p.info.class.endsWith(`.${name}`));
}

/** Kafka Connect's `normalizedPluginName`: a trailing `Connector` is ignored. */
function normalised(name: string): string {
  return name.endsWith('Connector') && name.length > 'Connector'.length ? name.slice(0, -'Connector'.length) : name;
}

export class MemoryHerder implements Herder {
  readonly workerId: string;
  private readonly store = new Map<string, Connector>();
  /** Kept across deletes, as Kafka Connect keeps offsets. */
  private readonly offsets = new Map<string, Map<string, ConnectorOffsets['offsets'][number]>>();

  constructor(workerId = '127.0.0.1:8083') {
    this.workerId = workerId;
  }

  health(): Health {
    return { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' };
  }

  connectors(): string[] {
    return [...this.store.keys()].sort();
  }

  async connectorInfo(name: string): Promise<ConnectorInfo> {
    return this.info(name, this.get(name));
  }

  async connectorConfig(name: string): Promise<ConnectorConfig> {
    return { ...this.get(name).config };
  }

  async connectorStatus(name: string): Promise<ConnectorStateInfo> {
    const c = this.store.get(name);
    if (!c) throw new TributaryError('NOT_FOUND', `No status found for connector ${name}`);
    const state = RUNNING_STATE[c.target];
    const tasks = c.tasks.map((_, id) => ({ id, state, worker_id: this.workerId }));
    return { name, connector: { state, worker_id: this.workerId }, tasks, type: c.plugin.info.type as ConnectorType };
  }

  async taskStatus(name: string, task: number): Promise<TaskStatusEntry> {
    const status = this.store.has(name) ? (await this.connectorStatus(name)).tasks[task] : undefined;
    if (!status) throw new TributaryError('NOT_FOUND', `No status found for task ${name}-${task}`);
    return status;
  }

  async taskConfigs(name: string): Promise<TaskInfo[]> {
    return this.get(name).tasks.map((config, task) => ({ id: { connector: name, task }, config: { ...config } }));
  }

  async putConnectorConfig(name: string, config: ConnectorConfig, options: PutConnectorOptions) {
    const existing = this.store.get(name);
    if (existing && !options.allowReplace) throw new TributaryError('ALREADY_EXISTS', `Connector ${name} already exists`);
    const plugin = this.check(config);
    const before = existing ? this.info(name, existing) : { name, config: { ...config }, tasks: [], type: plugin.info.type as ConnectorType };
    const c: Connector = existing ?? { config, target: options.initialState ?? 'STARTED', tasks: [], plugin };
    c.config = { ...config };
    c.plugin = plugin;
    c.tasks = this.generateTasks(c);
    this.store.set(name, c);
    return { created: !existing, info: { ...before, config: { ...config } } };
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const merged: ConnectorConfig = { ...this.get(name).config };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    return (await this.putConnectorConfig(name, merged, { allowReplace: true })).info;
  }

  async deleteConnector(name: string): Promise<void> {
    this.get(name);
    this.store.delete(name);
  }

  async restartConnector(name: string, options: RestartOptions): Promise<ConnectorStateInfo | null> {
    const status = await this.connectorStatus(name).catch(() => {
      throw notFound(name);
    });
    if (!options.includeTasks && !options.onlyFailed) return null;
    const restart = (state: InstanceState) => (!options.onlyFailed || state === 'FAILED' ? 'RESTARTING' : state);
    return {
      ...status,
      connector: { ...status.connector, state: restart(status.connector.state) },
      tasks: status.tasks.map((t) => ({ ...t, state: options.includeTasks ? restart(t.state) : t.state })),
    };
  }

  async restartTask(name: string, task: number): Promise<void> {
    if (this.get(name).tasks[task] === undefined) throw new TributaryError('NOT_FOUND', `Task ${name}-${task} not found`);
  }

  async pauseConnector(name: string): Promise<void> {
    this.setTarget(name, 'PAUSED');
  }

  async resumeConnector(name: string): Promise<void> {
    this.setTarget(name, 'STARTED');
  }

  async stopConnector(name: string): Promise<void> {
    this.setTarget(name, 'STOPPED');
  }

  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    this.get(name);
    return { offsets: [...(this.offsets.get(name)?.values() ?? [])] };
  }

  async alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<string> {
    this.requireStopped(name);
    const stored = this.offsets.get(name) ?? new Map();
    for (const entry of offsets.offsets) {
      const key = JSON.stringify(entry.partition);
      if (entry.offset === null) stored.delete(key);
      else stored.set(key, { partition: entry.partition, offset: entry.offset });
    }
    this.offsets.set(name, stored);
    return 'The offsets for this connector have been altered successfully';
  }

  async resetConnectorOffsets(name: string): Promise<string> {
    this.requireStopped(name);
    this.offsets.delete(name);
    return 'The offsets for this connector have been reset successfully';
  }

  async connectorActiveTopics(name: string): Promise<Record<string, { topics: string[] }>> {
    this.get(name);
    return { [name]: { topics: [] } };
  }

  async resetConnectorActiveTopics(name: string): Promise<void> {
    this.get(name);
  }

  async validateConnectorConfig(config: ConnectorConfig, pluginName?: string): Promise<ConfigInfos> {
    const cls = config['connector.class'];
    if (cls === undefined) throw new TributaryError('BAD_REQUEST', `Connector config ${JSON.stringify(config)} contains no connector type`);
    if (pluginName !== undefined && !normalised(cls).endsWith(normalised(pluginName))) {
      throw new TributaryError('BAD_REQUEST', `Included connector type ${cls} does not match request type ${pluginName}`);
    }
    const plugin = findPlugin(cls);
    if (!plugin) throw new TributaryError('BAD_REQUEST', `Failed to find any class that implements Connector and which name matches ${cls}`);
    const configs = [...COMMON, ...plugin.keys].map((key, order) => ({
      definition: definition(key, order),
      value: { name: key.name, value: config[key.name] ?? key.defaultValue, recommended_values: [], errors: errorsFor(key, config[key.name]), visible: true },
    }));
    const groups = [...new Set(configs.map((c) => c.definition.group ?? ''))];
    const error_count = configs.reduce((n, c) => n + c.value.errors.length, 0);
    return { name: plugin.info.class, error_count, groups, configs };
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    const connectors = PLUGINS.map((p) => p.info);
    return connectorsOnly ? connectors : [...connectors, CONVERTER];
  }

  pluginConfig(plugin: string): ConfigKeyInfo[] {
    const def = findPlugin(plugin);
    if (!def) throw new TributaryError('NOT_FOUND', `Unknown plugin ${plugin}.`);
    return def.keys.map(definition);
  }

  private get(name: string): Connector {
    const c = this.store.get(name);
    if (!c) throw notFound(name);
    return c;
  }

  private info(name: string, c: Connector): ConnectorInfo {
    const tasks = c.tasks.map((_, task) => ({ connector: name, task }));
    return { name, config: { ...c.config }, tasks, type: c.plugin.info.type as ConnectorType };
  }

  /** Validates as Kafka Connect's `putConnectorConfig` does; returns the plugin. */
  private check(config: ConnectorConfig): PluginDef {
    const cls = config['connector.class'];
    if (cls === undefined) throw new TributaryError('BAD_REQUEST', `Connector config ${JSON.stringify(config)} contains no connector type`);
    const plugin = findPlugin(cls);
    const errors = plugin
      ? [...COMMON, ...plugin.keys].flatMap((key) => errorsFor(key, config[key.name]))
      : [`Invalid value ${cls} for configuration connector.class: Class ${cls} could not be found.`];
    if (errors.length > 0 || !plugin) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${errors.join('\n')}\n` +
          'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
      );
    }
    return plugin;
  }

  private generateTasks(c: Connector): ConnectorConfig[] {
    if (c.target === 'STOPPED') return [];
    const count = Math.min(Number(c.config['tasks.max'] ?? '1'), c.plugin.maxTasks);
    return Array.from({ length: count }, () => ({ ...c.config, 'task.class': `${c.plugin.info.class}Task` }));
  }

  private setTarget(name: string, target: TargetState): void {
    const c = this.get(name);
    c.target = target;
    if (target === 'STOPPED') c.tasks = [];
    else if (c.tasks.length === 0) c.tasks = this.generateTasks(c);
  }

  private requireStopped(name: string): void {
    if (this.get(name).target !== 'STOPPED') {
      throw new TributaryError(
        'BAD_REQUEST',
        'Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the ' +
          `specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      );
    }
  }
}

function definition(key: KeyDef, order: number): ConfigKeyInfo {
  return {
    name: key.name,
    type: key.type,
    required: key.required,
    default_value: key.defaultValue,
    importance: 'HIGH',
    documentation: `The ${key.name} setting.`,
    group: key.group,
    order,
    width: 'NONE',
    display_name: key.name,
    dependents: [],
  };
}

function errorsFor(key: KeyDef, value: string | undefined): string[] {
  if (value === undefined || value === '') {
    return key.required ? [`Missing required configuration "${key.name}" which has no default value.`] : [];
  }
  if (key.type === 'INT' && !/^\d+$/.test(value)) return [`Invalid value ${value} for configuration ${key.name}: Not a number of type INT`];
  if (key.name === 'tasks.max' && Number(value) < 1) return [`Invalid value ${value} for configuration tasks.max: Value must be at least 1`];
  return [];
}
