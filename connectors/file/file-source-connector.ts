/**
 * The FileStreamSource connector (Kafka's `org.apache.kafka.connect.file.FileStreamSourceConnector`):
 * reads one file, or standard input, into one topic with exactly one task.
 */
import {
  ConfigError,
  type ConfigDef,
  type ConnectorContext,
  type ConnectorPlugin,
  type OffsetMap,
  type SourceConnector,
  type SourceTask,
} from '../../src/sdk/index.js';
import {
  FILE_CONFIG,
  FILE_CONNECTOR_VERSION,
  FILENAME_FIELD,
  fileSourceConfigDef,
  INODE_FIELD,
  parseFileSourceSettings,
  POSITION_FIELD,
} from './file-config.js';
import { FileStreamSourceTask } from './file-source-task.js';

/** Validates the source settings, hands them to its single task and checks offsets edited through REST. */
export class FileStreamSourceConnector implements SourceConnector {
  readonly type = 'source';
  private props: Readonly<Record<string, string>> = {};

  version(): string {
    return FILE_CONNECTOR_VERSION;
  }

  config(): ConfigDef {
    return fileSourceConfigDef();
  }

  /** Validates the config (throws ConfigError) and keeps it for the task. */
  start(props: Readonly<Record<string, string>>, context: ConnectorContext): void {
    const { file } = parseFileSourceSettings(props);
    this.props = { ...props };
    context.logger.info(`Starting file source connector reading from ${file ?? 'standard input'}`);
  }

  /** Exactly one task, whatever `maxTasks` is: one input makes sense for one reader only. */
  taskConfigs(_maxTasks: number): Record<string, string>[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  createTask(): SourceTask {
    return new FileStreamSourceTask();
  }

  /**
   * Accepts `null` (reset) or `{"position": n}` with n a non-negative integer, optionally with the
   * `inode` the position belongs to, for partitions holding a `filename`. The task checks at start
   * whether the position fits the file. Refused with ConfigError when reading standard input.
   */
  alterOffsets(props: Readonly<Record<string, string>>, offsets: ReadonlyArray<{ partition: OffsetMap; offset: OffsetMap | null }>): boolean {
    const { file } = parseFileSourceSettings(props);
    if (file === null) {
      throw new ConfigError(`Offsets cannot be modified if the '${FILE_CONFIG}' configuration is unspecified: standard input is read then and offsets are not tracked`, { key: FILE_CONFIG });
    }
    for (const { partition, offset } of offsets) {
      // Tombstones are allowed for anything, so that garbage can always be cleaned up.
      if (offset === null) continue;
      if (!(POSITION_FIELD in offset)) throw new ConfigError(`Offset objects should either be null or contain the key '${POSITION_FIELD}'`);
      const position = offset[POSITION_FIELD];
      if (typeof position !== 'number' || !Number.isSafeInteger(position)) {
        throw new ConfigError(`The value for the '${POSITION_FIELD}' key in the offset is expected to be an integer, got ${JSON.stringify(position)}`);
      }
      if (position < 0) throw new ConfigError(`The value for the '${POSITION_FIELD}' key in the offset should be a non-negative value, got ${position}`);
      const inode = offset[INODE_FIELD];
      if (inode !== undefined && inode !== null && !(typeof inode === 'string' && /^\d+$/.test(inode)) && !(typeof inode === 'number' && Number.isSafeInteger(inode) && inode >= 0)) {
        throw new ConfigError(`The value for the '${INODE_FIELD}' key in the offset is expected to be a non-negative integer or its decimal string, got ${JSON.stringify(inode)}`);
      }
      if (partition === null || typeof partition !== 'object' || typeof partition[FILENAME_FIELD] !== 'string') {
        throw new ConfigError(`Partition objects should contain the key '${FILENAME_FIELD}'`);
      }
    }
    return true;
  }
}

/** The plugin descriptor the worker's registry indexes. */
export const fileStreamSourcePlugin: ConnectorPlugin = Object.freeze({
  type: 'source',
  className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
  aliases: Object.freeze(['FileStreamSource', 'FileStreamSourceConnector']),
  version: FILE_CONNECTOR_VERSION,
  create: () => new FileStreamSourceConnector(),
});
