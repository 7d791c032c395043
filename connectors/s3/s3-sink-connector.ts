/**
 * The S3 sink connector (Confluent's `io.confluent.connect.s3.S3SinkConnector`, alias `S3Sink`):
 * validates the config with Confluent's keys and hands it to `tasks.max` identical tasks; the
 * consumer group spreads the topic partitions over them.
 */
import type { ConfigDef, ConfigValueReport, ConnectorContext, ConnectorPlugin, OffsetMap, SinkConnector, SinkTask } from '../../src/sdk/index.js';
import { ParquetRecordWriters } from './formats/parquet-record-writer.js';
import { parseS3SinkSettings, s3SinkConfigDef, validateS3SinkConfig } from './s3-config.js';
import { S3SinkTask } from './s3-sink-task.js';
import { buildPlan, type PlanDeps } from './sink-plan.js';
import { S3_CONNECTOR_VERSION } from './version.js';

export class S3SinkConnector implements SinkConnector {
  readonly type = 'sink';
  private props: Readonly<Record<string, string>> = {};

  constructor(private readonly deps: PlanDeps) {}

  version(): string {
    return S3_CONNECTOR_VERSION;
  }

  config(): ConfigDef {
    return s3SinkConfigDef;
  }

  validate(props: Readonly<Record<string, string>>): ConfigValueReport[] {
    return validateS3SinkConfig(props);
  }

  start(props: Readonly<Record<string, string>>, context: ConnectorContext): void {
    const s = parseS3SinkSettings(props);
    this.props = { ...props };
    context.logger.info(`Starting S3 sink connector writing ${s.format} to s3://${s.bucket}/${s.topicsDir}`);
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }

  stop(): void {}

  createTask(): SinkTask {
    return new S3SinkTask({ plan: (props) => buildPlan(props, this.deps) });
  }

  /** The group's offsets are all the sink keeps; a reset replays into the same object names. */
  alterOffsets(_props: Readonly<Record<string, string>>, _offsets: ReadonlyArray<{ partition: OffsetMap; offset: OffsetMap | null }>): boolean {
    return true;
  }
}

/** The plugin descriptor; `deps.newJsonConverter` comes from the runtime's registry. */
export function s3SinkPlugin(deps: PlanDeps): ConnectorPlugin {
  const full: PlanDeps = { parquet: (s) => ParquetRecordWriters.factory(s), ...deps };
  return Object.freeze({
    type: 'sink',
    className: 'io.confluent.connect.s3.S3SinkConnector',
    aliases: Object.freeze(['S3Sink', 'S3SinkConnector']),
    version: S3_CONNECTOR_VERSION,
    create: () => new S3SinkConnector(full),
  });
}
