/**
 * The FileStreamSink connector (Kafka's `org.apache.kafka.connect.file.FileStreamSinkConnector`):
 * appends the records of its topics to one file, or to standard output.
 */
import type { ConfigDef, ConnectorContext, ConnectorPlugin, OffsetMap, SinkConnector, SinkTask } from '../../src/sdk/index.js';
import { FILE_CONNECTOR_VERSION, fileSinkConfigDef, parseFileSinkSettings } from './file-config.js';
import { FileStreamSinkTask } from './file-sink-task.js';

/** Validates the sink settings and hands them to `tasks.max` tasks. */
export class FileStreamSinkConnector implements SinkConnector {
  readonly type = 'sink';
  private props: Readonly<Record<string, string>> = {};

  version(): string {
    return FILE_CONNECTOR_VERSION;
  }

  config(): ConfigDef {
    return fileSinkConfigDef();
  }

  /** Validates the config (throws ConfigError) and keeps it for the tasks. */
  start(props: Readonly<Record<string, string>>, context: ConnectorContext): void {
    const { file } = parseFileSinkSettings(props);
    this.props = { ...props };
    context.logger.info(`Starting file sink connector writing to ${file ?? 'standard output'}`);
  }

  /** `maxTasks` identical task configs, as Kafka does (every task appends to the same file). */
  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }

  stop(): void {}

  createTask(): SinkTask {
    return new FileStreamSinkTask();
  }

  /** Any change is fine: the sink keeps no offsets of its own, the consumer group's are all there is. */
  alterOffsets(_props: Readonly<Record<string, string>>, _offsets: ReadonlyArray<{ partition: OffsetMap; offset: OffsetMap | null }>): boolean {
    return true;
  }
}

/** The plugin descriptor the worker's registry indexes. */
export const fileStreamSinkPlugin: ConnectorPlugin = Object.freeze({
  type: 'sink',
  className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
  aliases: Object.freeze(['FileStreamSink', 'FileStreamSinkConnector']),
  version: FILE_CONNECTOR_VERSION,
  create: () => new FileStreamSinkConnector(),
});
