/**
 * The Postgres CDC source connector (Debezium's `io.debezium.connector.postgresql.PostgresConnector`,
 * alias `PostgresCdcSource`): validates the config (and, when it is sound, that the database can be
 * reached with it) and runs one task, as Debezium does: one slot is read by one walsender in order.
 */
import {
  ConfigError,
  type ConfigDef,
  type ConfigValueReport,
  type ConnectorContext,
  type ConnectorPlugin,
  type OffsetMap,
  type SourceConnector,
  type SourceTask,
} from '../../src/sdk/index.js';
import { parsePgCdcSettings, pgCdcConfigDef, validatePgCdcConfig } from './pg-cdc-config.js';
import { PostgresCdcSourceTask } from './pg-cdc-task.js';
import { queryOf, slotInfo } from './pg-catalog.js';
import { connect } from './pg-connections.js';
import { PG_CDC_VERSION } from './version.js';

/** How long validation waits for the database before reporting it unreachable. */
const VALIDATE_CONNECT_TIMEOUT_MS = 5000;

export class PostgresCdcSourceConnector implements SourceConnector {
  readonly type = 'source';
  private props: Readonly<Record<string, string>> = {};

  version(): string {
    return PG_CDC_VERSION;
  }

  config(): ConfigDef {
    return pgCdcConfigDef;
  }

  /** The config's own findings; when there are none, also whether Postgres accepts the connection. */
  async validate(props: Readonly<Record<string, string>>): Promise<ConfigValueReport[]> {
    const reports = validatePgCdcConfig(props);
    if (reports.some((r) => r.errors.length)) return reports;
    const s = parsePgCdcSettings(props);
    const timeout = Math.min(s.connection.connectTimeoutMs || VALIDATE_CONNECT_TIMEOUT_MS, VALIDATE_CONNECT_TIMEOUT_MS);
    try {
      const c = await connect({ ...s.connection, connectTimeoutMs: timeout });
      await c.end().catch(() => {});
    } catch (err) {
      const message = (err as Error).message;
      const key = /refused user|password/i.test(message) ? 'database.password' : /database .* does not exist/.test(message) ? 'database.dbname' : 'database.hostname';
      reports.find((r) => r.name === key)?.errors.push(`Error while validating connector config: ${message}`);
    }
    return reports;
  }

  start(props: Readonly<Record<string, string>>, context: ConnectorContext): void {
    const s = parsePgCdcSettings(props);
    this.props = { ...props };
    context.logger.info(`Starting Postgres CDC source for database ${s.connection.database} on ${s.connection.host}:${s.connection.port}, slot ${s.slot.name}`);
  }

  /** One task whatever tasks.max says: a replication slot is consumed by one reader, in order. */
  taskConfigs(_maxTasks: number): Record<string, string>[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  createTask(): SourceTask {
    return new PostgresCdcSourceTask();
  }

  /**
   * Accepts a reset (null: the next start takes a new snapshot, recreating the slot) or a streaming
   * offset with a non-negative integer `lsn_proc` not before the slot's `confirmed_flush_lsn`:
   * Postgres never re-sends what it confirmed, so a rewind behind it is refused rather than
   * pretending to replay.
   */
  async alterOffsets(props: Readonly<Record<string, string>>, offsets: ReadonlyArray<{ partition: OffsetMap; offset: OffsetMap | null }>): Promise<boolean> {
    const s = parsePgCdcSettings(props);
    for (const { partition, offset } of offsets) {
      if (typeof partition?.server !== 'string') throw new ConfigError(`Partition objects should be {"server": "<topic.prefix>"}, got ${JSON.stringify(partition)}`);
      if (offset === null) continue;
      const lsn = offset.lsn_proc;
      if (typeof lsn !== 'number' || !Number.isSafeInteger(lsn) || lsn < 0) {
        throw new ConfigError(`Offset objects should be null or hold a non-negative integer 'lsn_proc' (an LSN), got ${JSON.stringify(offset)}`);
      }
      const slot = await this.slotPosition(s);
      if (slot !== null && BigInt(lsn) < slot) {
        throw new ConfigError(
          `lsn_proc ${lsn} is before replication slot ${s.slot.name}'s confirmed_flush_lsn (${slot}): Postgres cannot send those changes again. ` +
            `Reset the offsets (DELETE /connectors/{name}/offsets) to take a new snapshot instead`,
        );
      }
    }
    return true;
  }

  private async slotPosition(s: ReturnType<typeof parsePgCdcSettings>): Promise<bigint | null> {
    const c = await connect(s.connection).catch(() => null);
    if (!c) return null;
    try {
      const info = await slotInfo(queryOf(c), s.slot.name);
      return info?.confirmedFlush ?? null;
    } finally {
      await c.end().catch(() => {});
    }
  }
}

export const postgresCdcSourcePlugin: ConnectorPlugin = Object.freeze({
  type: 'source',
  className: 'io.debezium.connector.postgresql.PostgresConnector',
  aliases: Object.freeze(['PostgresCdcSource', 'PostgresConnector', 'io.tributary.connect.postgres.PostgresCdcSourceConnector']),
  version: PG_CDC_VERSION,
  create: () => new PostgresCdcSourceConnector(),
});
