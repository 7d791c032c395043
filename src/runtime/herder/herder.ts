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

/** `GET /connectors/{c}/dlq` query; omitted fields take the defaults the reader documents. */
export interface DeadLetterQuery {
  /** Records to return, 1 to 1000; default 100. */
  readonly limit?: number;
  /** DLQ offset to start at (≥ 0); default the replay cursor (`replayed_through`). */
  readonly from?: number;
}

/** How a payload is shown: as text when it is valid UTF-8, else base64. */
export type PayloadEncoding = 'utf8' | 'base64';

/** A dead-lettered record's error context (the `__connect.errors.*` / `__tributary.dlq.*` headers). */
export interface DeadLetterError {
  readonly stage: string;
  readonly class_name: string;
  readonly exception_class: string;
  readonly message: string;
  /** Present only when the DLQ writes Kafka Connect's headers (`errors.deadletterqueue.context.headers.enable`). */
  readonly stacktrace?: string;
  readonly connector: string;
  readonly task: number;
  /** Where a sink's record was consumed from; null for source records. */
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: number | null;
}

export interface DeadLetterHeader {
  readonly key: string;
  readonly value: string | null;
  readonly value_encoding: PayloadEncoding | null;
}

/** One record of `GET /connectors/{c}/dlq`. */
export interface DeadLetterRecord {
  /** Offset in the DLQ topic. */
  readonly offset: number;
  readonly timestamp: number;
  /** `raw`: a sink's consumed bytes; `connect-json`: a source record encoded with JsonConverter (schemas.enable=true). */
  readonly format: 'raw' | 'connect-json';
  readonly key: string | null;
  readonly key_encoding: PayloadEncoding | null;
  readonly value: string | null;
  readonly value_encoding: PayloadEncoding | null;
  /** The record's own headers; the DLQ's context headers are shown as `error`. */
  readonly headers: readonly DeadLetterHeader[];
  /** Null when the record carries no context (written by another tool). */
  readonly error: DeadLetterError | null;
  /** Below the replay cursor. */
  readonly replayed: boolean;
}

/** `GET /connectors/{c}/dlq` */
export interface DeadLetterQueuePage {
  readonly connector: string;
  readonly dlq_topic: string;
  /** The DLQ partition's first and next offsets (all connectors sharing it); 0 and 0 while the topic does not exist. */
  readonly start_offset: number;
  readonly end_offset: number;
  /** The replay cursor: records below it were replayed. */
  readonly replayed_through: number;
  /** This connector's records at or after the cursor; `exact` false when counting stopped at its read budget (a lower bound). */
  readonly unreplayed: { readonly count: number; readonly exact: boolean };
  /** Where the next page starts (`from`); equals `end_offset` once the end was reached. */
  readonly next_offset: number;
  readonly records: readonly DeadLetterRecord[];
}

/** `POST /connectors/{c}/dlq/replay` body. */
export interface DeadLetterReplayOptions {
  /** This connector's records to replay at most, 1 to 10000; default 1000. */
  readonly limit?: number;
  /** Sinks: how long to wait for the sink to commit past the replayed records, 0 to 60000; default 30000. */
  readonly timeoutMs?: number;
}

/**
 * - `succeeded`: a source record is in its topic (or a transformation dropped it: `filtered`); a
 *   sink committed past the record and did not dead-letter it again.
 * - `failed`: it failed again and is back in the DLQ at `new_dlq_offset`.
 * - `pending`: (sinks) appended back to its topic, not yet committed by the sink within the timeout.
 * - `skipped`: not sent (see `reason`); the replay stopped there and the cursor stays on it.
 */
export type ReplayStatus = 'succeeded' | 'failed' | 'pending' | 'skipped';

export interface ReplayedRecord {
  readonly dlq_offset: number;
  readonly status: ReplayStatus;
  /** Where the record was appended (sinks: back to its topic; sources: its topic after transformation). */
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  /** Sources: a transformation dropped the record. */
  readonly filtered?: true;
  readonly new_dlq_offset?: number;
  readonly error?: { readonly stage: string; readonly class_name: string; readonly exception_class: string; readonly message: string };
  readonly reason?: string;
}

/** `POST /connectors/{c}/dlq/replay` */
export interface DeadLetterReplayResult {
  readonly connector: string;
  readonly dlq_topic: string;
  /** Records sent through again: succeeded + failed + pending. */
  readonly replayed: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly pending: number;
  readonly skipped: number;
  readonly records: readonly ReplayedRecord[];
  /** The replay cursor after this replay. */
  readonly replayed_through: number;
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

  /**
   * The connector's dead-lettered records (`errors.deadletterqueue.topic.name`), oldest first, from
   * `query.from`. NOT_FOUND for an unknown connector; BAD_REQUEST when it has no DLQ or the query is
   * out of range.
   */
  deadLetterQueue(name: string, query: DeadLetterQuery): Promise<DeadLetterQueuePage>;
  /**
   * Sends the connector's not-yet-replayed DLQ records through it again with its current config and
   * moves the replay cursor past what is durably somewhere. CONFLICT while another replay of the
   * connector runs; BAD_REQUEST as `deadLetterQueue`.
   */
  replayDeadLetterQueue(name: string, options: DeadLetterReplayOptions): Promise<DeadLetterReplayResult>;

  /** `pluginName` is the `{p}` of the validate path; BAD_REQUEST when it does not match `connector.class`. */
  validateConnectorConfig(config: ConnectorConfig, pluginName?: string): Promise<ConfigInfos>;
  plugins(connectorsOnly: boolean): PluginInfo[];
  /** NOT_FOUND for an unknown plugin. */
  pluginConfig(plugin: string): ConfigKeyInfo[];
}
