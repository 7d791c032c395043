/**
 * The herder: the one object the REST API (and the config-file loader) drives. It owns the
 * connectors' configs, target states, task configs and statuses, and makes the worker run what
 * they say. `StandaloneHerder` is the one-worker implementation; a distributed herder implements the
 * same interface.
 *
 * Every value returned is already in Kafka Connect's REST JSON shape (snake_case field names), so
 * the REST layer only serialises. Errors are `TributaryError`s whose codes map to Kafka Connect's
 * statuses: NOT_FOUND 404, ALREADY_EXISTS 409, CONFIG_INVALID/BAD_REQUEST 400, CONFLICT 409,
 * UNAVAILABLE 503. Configs returned by GET-style calls have `PASSWORD` values replaced by `[hidden]`.
 *
 * Calls that change state resolve once the change is durable in the config topic (and, for creates,
 * once the connector has been started or failed). Validation of one request never blocks the others.
 */

export type ConnectorType = 'source' | 'sink' | 'unknown';
/** What the user asked for (config topic `target-state-<name>`). */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';
/** What is happening (status topic). */
export type InstanceState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';

export type ConnectorConfig = Record<string, string>;

export interface ConnectorTaskId {
  readonly connector: string;
  readonly task: number;
}

/** `GET /connectors/{c}` */
export interface ConnectorInfo {
  readonly name: string;
  readonly config: ConnectorConfig;
  readonly tasks: readonly ConnectorTaskId[];
  readonly type: ConnectorType;
}

export interface ConnectorStatusEntry {
  readonly state: InstanceState;
  readonly worker_id: string;
  /** Present only when non-empty. */
  readonly trace?: string;
}

export interface TaskStatusEntry extends ConnectorStatusEntry {
  readonly id: number;
  /** Tributary: what a running task reports of a long phase (e.g. snapshot tables/rows done). */
  readonly progress?: Readonly<Record<string, unknown>>;
}

/** `GET /connectors/{c}/status` */
export interface ConnectorStateInfo {
  readonly name: string;
  readonly connector: ConnectorStatusEntry;
  readonly tasks: readonly TaskStatusEntry[];
  readonly type: ConnectorType;
}

/** `GET /connectors/{c}/tasks` element */
export interface TaskInfo {
  readonly id: ConnectorTaskId;
  readonly config: ConnectorConfig;
}

/** `GET /connector-plugins` element */
export interface PluginInfo {
  readonly class: string;
  readonly type: 'source' | 'sink' | 'converter' | 'header_converter' | 'transformation' | 'predicate';
  readonly version: string;
}

/** `GET /connector-plugins/{p}/config` element and ConfigInfos' `definition` */
export interface ConfigKeyInfo {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly default_value: string | null;
  readonly importance: string;
  readonly documentation: string;
  readonly group: string | null;
  readonly order: number;
  readonly width: string;
  readonly display_name: string;
  readonly dependents: readonly string[];
}

export interface ConfigValueInfo {
  readonly name: string;
  readonly value: string | null;
  readonly recommended_values: readonly string[];
  readonly errors: readonly string[];
  readonly visible: boolean;
}

/** `PUT /connector-plugins/{p}/config/validate` */
export interface ConfigInfos {
  readonly name: string;
  readonly error_count: number;
  readonly groups: readonly string[];
  readonly configs: ReadonlyArray<{ readonly definition: ConfigKeyInfo; readonly value: ConfigValueInfo }>;
}

/** `GET /connectors/{c}/offsets`; also the PATCH body. */
export interface ConnectorOffsets {
  readonly offsets: ReadonlyArray<{ readonly partition: Record<string, unknown>; readonly offset: Record<string, unknown> | null }>;
}

export interface PutConnectorOptions {
  /** false for POST /connectors (409 when it exists), true for PUT .../config (upsert). */
  readonly allowReplace: boolean;
  /** POST /connectors `initial_state`; applies only when the connector is created. */
  readonly initialState?: TargetState;
}

export interface RestartOptions {
  readonly includeTasks: boolean;
  readonly onlyFailed: boolean;
}

export interface Health {
  readonly status: 'healthy' | 'starting' | 'unhealthy';
  readonly message: string;
}

export interface Herder {
  /** `host:port` this worker advertises; status entries carry it as `worker_id`. */
  readonly workerId: string;
  health(): Health;

  connectors(): string[];
  connectorInfo(name: string): Promise<ConnectorInfo>;
  /** Raw config (with `${...}` placeholders kept), passwords hidden. */
  connectorConfig(name: string): Promise<ConnectorConfig>;
  connectorStatus(name: string): Promise<ConnectorStateInfo>;
  taskStatus(name: string, task: number): Promise<TaskStatusEntry>;
  taskConfigs(name: string): Promise<TaskInfo[]>;

  /** Creates or replaces; `created` tells 201 from 200. Validates first (CONFIG_INVALID listing every error). */
  putConnectorConfig(name: string, config: ConnectorConfig, options: PutConnectorOptions): Promise<{ created: boolean; info: ConnectorInfo }>;
  /** Merges `patch` into the existing config; `null` deletes a key. NOT_FOUND when absent. */
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo>;
  deleteConnector(name: string): Promise<void>;

  /** Both options false: restarts the Connector instance only and resolves null (204); else the planned states (202). */
  restartConnector(name: string, options: RestartOptions): Promise<ConnectorStateInfo | null>;
  restartTask(name: string, task: number): Promise<void>;
  pauseConnector(name: string): Promise<void>;
  resumeConnector(name: string): Promise<void>;
  stopConnector(name: string): Promise<void>;

  connectorOffsets(name: string): Promise<ConnectorOffsets>;
  /** Resolves to the message Kafka Connect answers with. BAD_REQUEST unless STOPPED. */
  alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<string>;
  resetConnectorOffsets(name: string): Promise<string>;

  /** `{"<name>":{"topics":[...]}}` */
  connectorActiveTopics(name: string): Promise<Record<string, { topics: string[] }>>;
  resetConnectorActiveTopics(name: string): Promise<void>;

  /** `pluginName` is the `{p}` of the validate path; BAD_REQUEST when it does not match `connector.class`. */
  validateConnectorConfig(config: ConnectorConfig, pluginName?: string): Promise<ConfigInfos>;
  plugins(connectorsOnly: boolean): PluginInfo[];
  /** NOT_FOUND for an unknown plugin. */
  pluginConfig(plugin: string): ConfigKeyInfo[];
}
