/**
 * Connectors: the part of a plugin that validates a config and splits the work into task configs
 * (Kafka Connect's `Connector`, `SourceConnector`, `SinkConnector`). The runtime runs one connector
 * instance per configured connector:
 *
 * 1. `start(config, context)` once, with the connector's raw config (strings).
 * 2. `taskConfigs(maxTasks)` right after start, and again whenever the connector calls
 *    `context.requestTaskReconfiguration()`. The result (at most `maxTasks` maps) is stored in the
 *    config topic; each map starts one task.
 * 3. `stop()` once, when the connector is paused-to-stopped, deleted, reconfigured or the worker
 *    shuts down. It must release everything `start` acquired.
 *
 * `validate` is optional: by default the runtime checks the config against `config()`; a connector
 * overrides it to add cross-field checks. Validation must not have side effects.
 */
import type { ConfigDef, ConfigValueReport } from './config-def.js';
import type { TaskLogger } from './logger.js';
import type { OffsetMap } from './records.js';
import type { SinkTask } from './sink-task.js';
import type { SourceTask } from './source-task.js';

export interface ConnectorContext {
  /** Ask the runtime to call `taskConfigs` again (the source's shape changed, e.g. new tables). */
  requestTaskReconfiguration(): void;
  /** Fail the connector from a background activity; its status becomes FAILED with this trace. */
  raiseError(error: Error): void;
  readonly logger: TaskLogger;
}

interface ConnectorBase {
  /** The plugin version, shown by `GET /connector-plugins`. */
  version(): string;
  /** The connector's own settings (the runtime adds the common ones: name, tasks.max, converters...). */
  config(): ConfigDef;
  /**
   * Optional extra validation; the default is `config().validate(props)`. May be asynchronous (e.g.
   * try a connection); it never blocks other requests, but must not change anything.
   */
  validate?(props: Readonly<Record<string, string>>): ConfigValueReport[] | Promise<ConfigValueReport[]>;
  start(props: Readonly<Record<string, string>>, context: ConnectorContext): void | Promise<void>;
  taskConfigs(maxTasks: number): Record<string, string>[] | Promise<Record<string, string>[]>;
  stop(): void | Promise<void>;
}

export interface SourceConnector extends ConnectorBase {
  readonly type: 'source';
  createTask(): SourceTask;
  /**
   * Called by `PATCH`/`DELETE /connectors/{c}/offsets` before the offsets are written, with each
   * partition's new offset (`null` = reset). Throw ConfigError to refuse. Return true when the
   * change is fully applied by writing the offsets topic, false when the source keeps offsets of its
   * own that the user must change by hand.
   */
  alterOffsets?(props: Readonly<Record<string, string>>, offsets: ReadonlyArray<{ partition: OffsetMap; offset: OffsetMap | null }>): boolean | Promise<boolean>;
}

export interface SinkConnector extends ConnectorBase {
  readonly type: 'sink';
  createTask(): SinkTask;
  /** As for sources; partitions are `{kafka_topic, kafka_partition}`, offsets `{kafka_offset}`. */
  alterOffsets?(props: Readonly<Record<string, string>>, offsets: ReadonlyArray<{ partition: OffsetMap; offset: OffsetMap | null }>): boolean | Promise<boolean>;
}

export type Connector = SourceConnector | SinkConnector;
