/**
 * Debezium PostgresConnector keys that Tributary's Postgres source does not implement, declared so
 * that a carried-over config fails loudly instead of being silently ignored: each is accepted only
 * with a value that changes nothing (Debezium's default, where it has one) and refused otherwise,
 * naming the key and the fix. Also the keys Debezium 2 removed (`database.server.name`,
 * `*.whitelist`/`*.blacklist`) and the keys we accept and ignore because they change nothing for us.
 * Keys nobody declares stay allowed, as in Kafka Connect.
 */
import { ConfigError, type ConfigDef, type ConfigKeyDef, type ConfigType, type Validator } from '../../src/sdk/index.js';

/** The source's name in messages. */
export const SOURCE_NAME = "Tributary's Postgres source";

/** A Debezium key we refuse unless it holds one of `accepted` (compared trimmed, ignoring case). */
interface Unsupported {
  readonly name: string;
  readonly type: ConfigType;
  readonly group: string;
  /** Values that change nothing; the first is Debezium's default. None: any value is refused. */
  readonly accepted?: readonly string[];
  /** What Debezium does with it, for the docs and the message. */
  readonly what: string;
}

/** Debezium's config groups, for every key the connector declares. */
export const GROUP = Object.freeze({
  CONNECTION: 'CONNECTION',
  CONNECTION_ADVANCED: 'CONNECTION_ADVANCED',
  SSL: 'CONNECTION_ADVANCED_SSL',
  REPLICATION: 'CONNECTION_ADVANCED_REPLICATION',
  FILTERS: 'FILTERS',
  CONNECTOR: 'CONNECTOR',
  CONNECTOR_ADVANCED: 'CONNECTOR_ADVANCED',
  SNAPSHOT: 'CONNECTOR_SNAPSHOT',
  ADVANCED: 'ADVANCED',
  HEARTBEAT: 'ADVANCED_HEARTBEAT',
});

const UNSUPPORTED: readonly Unsupported[] = [
  { name: 'slot.failover', type: 'BOOLEAN', group: GROUP.REPLICATION, accepted: ['false'], what: 'creates a PG17 failover slot' },
  { name: 'slot.stream.params', type: 'STRING', group: GROUP.REPLICATION, what: 'passes extra options to the decoding plugin' },
  { name: 'offset.mismatch.strategy', type: 'STRING', group: GROUP.REPLICATION, accepted: ['no_validation'], what: 'reconciles the slot position with stored offsets' },
  { name: 'lsn.flush.mode', type: 'STRING', group: GROUP.CONNECTOR, accepted: ['connector'], what: 'changes who confirms LSNs to the slot' },
  { name: 'flush.lsn.source', type: 'BOOLEAN', group: GROUP.CONNECTOR, accepted: ['true'], what: 'stops confirming LSNs to the slot (deprecated for lsn.flush.mode)' },
  { name: 'lsn.flush.timeout.action', type: 'STRING', group: GROUP.REPLICATION, accepted: ['fail'], what: 'chooses what a slow LSN flush does' },
  { name: 'xmin.fetch.interval.ms', type: 'LONG', group: GROUP.REPLICATION, accepted: ['0'], what: 'adds the slot xmin to source info' },
  { name: 'replica.identity.autoset.values', type: 'STRING', group: GROUP.REPLICATION, what: 'runs ALTER TABLE ... REPLICA IDENTITY on captured tables' },
  { name: 'publish.via.partition.root', type: 'BOOLEAN', group: GROUP.CONNECTOR, accepted: ['false'], what: 'publishes partition changes under the root table' },
  { name: 'read.only', type: 'BOOLEAN', group: GROUP.CONNECTION, accepted: ['false'], what: 'switches incremental-snapshot signalling to read-only watermarks' },
  { name: 'database.initial.statements', type: 'STRING', group: GROUP.CONNECTION_ADVANCED, what: 'runs SQL on every new connection' },
  { name: 'database.sslfactory', type: 'STRING', group: GROUP.SSL, what: 'plugs in a Java SSL socket factory; use database.sslmode (require does not verify the certificate)' },
  { name: 'database.connection.factory.class', type: 'STRING', group: GROUP.CONNECTION_ADVANCED, what: 'plugs in a Java connection factory' },
  { name: 'database.include.list', type: 'STRING', group: GROUP.FILTERS, what: 'filters databases; the Postgres source captures exactly database.dbname' },
  { name: 'database.exclude.list', type: 'STRING', group: GROUP.FILTERS, what: 'filters databases; the Postgres source captures exactly database.dbname' },
  { name: 'message.prefix.include.list', type: 'STRING', group: GROUP.CONNECTOR, what: 'filters logical decoding messages by prefix' },
  { name: 'message.prefix.exclude.list', type: 'STRING', group: GROUP.CONNECTOR, what: 'filters logical decoding messages by prefix' },
  { name: 'skip.messages.without.change', type: 'BOOLEAN', group: GROUP.CONNECTION_ADVANCED, accepted: ['false'], what: 'drops updates that change no included column' },
  { name: 'column.propagate.source.type', type: 'STRING', group: GROUP.CONNECTOR_ADVANCED, what: 'adds __debezium.source.column.* schema parameters' },
  { name: 'datatype.propagate.source.type', type: 'STRING', group: GROUP.CONNECTOR_ADVANCED, what: 'adds __debezium.source.column.* schema parameters' },
  { name: 'schema.name.adjustment.mode', type: 'STRING', group: GROUP.CONNECTOR, accepted: ['none'], what: 'rewrites schema names for Avro' },
  { name: 'field.name.adjustment.mode', type: 'STRING', group: GROUP.CONNECTOR, accepted: ['none'], what: 'rewrites field names for Avro' },
  { name: 'converters', type: 'STRING', group: GROUP.CONNECTOR_ADVANCED, what: 'loads Debezium custom converters (Java classes)' },
  { name: 'post.processors', type: 'STRING', group: GROUP.CONNECTOR_ADVANCED, what: 'loads Debezium post processors (Java classes)' },
  { name: 'event.processing.failure.handling.mode', type: 'STRING', group: GROUP.ADVANCED, accepted: ['fail'], what: 'skips events that fail to process' },
  { name: 'topic.naming.strategy', type: 'STRING', group: GROUP.CONNECTOR, accepted: ['io.debezium.schema.SchemaTopicNamingStrategy'], what: 'changes topic names' },
  { name: 'topic.delimiter', type: 'STRING', group: GROUP.CONNECTOR, accepted: ['.'], what: 'changes the separator in topic names' },
  { name: 'transaction.metadata.factory', type: 'STRING', group: GROUP.CONNECTOR_ADVANCED, accepted: ['io.debezium.pipeline.txmetadata.DefaultTransactionMetadataFactory'], what: 'changes transaction metadata' },
  { name: 'signal.data.collection', type: 'STRING', group: GROUP.CONNECTOR_ADVANCED, what: 'reads signals (e.g. incremental snapshots) from a table' },
  { name: 'signal.enabled.channels', type: 'STRING', group: GROUP.CONNECTOR_ADVANCED, accepted: ['source'], what: 'enables signal channels' },
  { name: 'notification.enabled.channels', type: 'STRING', group: GROUP.CONNECTOR_ADVANCED, what: 'emits Debezium notifications' },
  { name: 'incremental.snapshot.chunk.size', type: 'INT', group: GROUP.CONNECTOR_ADVANCED, accepted: ['1024'], what: 'sizes incremental snapshot chunks (incremental snapshots need signal.data.collection)' },
  { name: 'incremental.snapshot.watermarking.strategy', type: 'STRING', group: GROUP.SNAPSHOT, accepted: ['insert_insert'], what: 'chooses incremental snapshot watermarks' },
  { name: 'incremental.snapshot.allow.schema.changes', type: 'BOOLEAN', group: GROUP.CONNECTOR_ADVANCED, accepted: ['false'], what: 'lets incremental snapshots follow schema changes' },
  { name: 'snapshot.include.collection.list', type: 'STRING', group: GROUP.SNAPSHOT, what: 'snapshots only some of the captured tables' },
  { name: 'snapshot.select.statement.overrides', type: 'STRING', group: GROUP.SNAPSHOT, what: 'replaces the snapshot SELECT of some tables' },
  { name: 'snapshot.locking.mode', type: 'STRING', group: GROUP.SNAPSHOT, accepted: ['none'], what: 'locks captured tables while the snapshot starts' },
  { name: 'snapshot.locking.mode.custom.name', type: 'STRING', group: GROUP.SNAPSHOT, what: 'plugs in a custom snapshot lock' },
  { name: 'snapshot.query.mode', type: 'STRING', group: GROUP.SNAPSHOT, accepted: ['select_all'], what: 'plugs in a custom snapshot query' },
  { name: 'snapshot.query.mode.custom.name', type: 'STRING', group: GROUP.SNAPSHOT, what: 'plugs in a custom snapshot query' },
  { name: 'snapshot.mode.custom.name', type: 'STRING', group: GROUP.SNAPSHOT, what: 'plugs in a custom snapshotter' },
  { name: 'snapshot.custom.class', type: 'STRING', group: GROUP.SNAPSHOT, what: 'plugs in a custom snapshotter (Debezium 1.x)' },
  ...['snapshot.data', 'snapshot.schema', 'start.stream', 'snapshot.on.schema.error', 'snapshot.on.data.error'].map(
    (k): Unsupported => ({ name: `snapshot.mode.configuration.based.${k}`, type: 'BOOLEAN', group: GROUP.SNAPSHOT, accepted: ['false'], what: 'configures snapshot.mode=configuration_based' }),
  ),
  { name: 'snapshot.delay.ms', type: 'LONG', group: GROUP.SNAPSHOT, accepted: ['0'], what: 'delays the snapshot' },
  { name: 'streaming.delay.ms', type: 'LONG', group: GROUP.CONNECTOR_ADVANCED, accepted: ['0'], what: 'delays streaming after the snapshot' },
  { name: 'snapshot.tables.order.by.row.count', type: 'STRING', group: GROUP.SNAPSHOT, accepted: ['disabled'], what: 'orders snapshotted tables by size' },
  { name: 'guardrail.collections.max', type: 'INT', group: GROUP.ADVANCED, accepted: ['0'], what: 'limits the number of captured tables' },
];

/** Keys with a variable part, as Debezium declares them; errors land on these names. */
const FAMILIES: ReadonlyArray<{ readonly name: string; readonly match: RegExp; readonly what: string }> = [
  { name: 'column.mask.with.<length>.chars', match: /^column\.mask\.with\.\d+\.chars$/, what: 'masks column values with asterisks' },
  { name: 'column.mask.hash.<algorithm>.with.salt.<salt>', match: /^column\.mask\.hash\.(v2\.)?[^.]+\.with\.salt\..+$/, what: 'replaces column values with salted hashes' },
  { name: 'column.truncate.to.<length>.chars', match: /^column\.truncate\.to\.\d+\.chars$/, what: 'truncates column values' },
  { name: 'snapshot.select.statement.overrides.<schema>.<table>', match: /^snapshot\.select\.statement\.overrides\..+$/, what: 'replaces the snapshot SELECT of a table' },
];

/** Keys Debezium 2.0 removed; refused when their replacement is not set (else ignored, as Debezium 2+ does). */
const REMOVED: ReadonlyArray<readonly [removed: string, replacement: string]> = [
  ['database.server.name', 'topic.prefix'],
  ['schema.whitelist', 'schema.include.list'],
  ['schema.blacklist', 'schema.exclude.list'],
  ['table.whitelist', 'table.include.list'],
  ['table.blacklist', 'table.exclude.list'],
  ['column.whitelist', 'column.include.list'],
  ['column.blacklist', 'column.exclude.list'],
];

/** Debezium keys that change nothing here; accepted with any value and ignored. */
const IGNORED: readonly ConfigKeyDef[] = [
  { name: 'heartbeat.topics.prefix', type: 'STRING', default: '__debezium-heartbeat', importance: 'LOW', group: GROUP.HEARTBEAT, documentation: 'Debezium 1.x name of the heartbeat topic prefix. Ignored, as in Debezium 2+: set topic.heartbeat.prefix instead.' },
  { name: 'snapshot.isolation.mode', type: 'STRING', default: 'serializable', importance: 'LOW', group: GROUP.SNAPSHOT, documentation: 'Accepted for compatibility (serializable, repeatable_read, read_committed, read_uncommitted) and ignored: the snapshot always reads the slot\'s exported snapshot in a REPEATABLE READ transaction, so it is consistent with the stream whatever this says.', validator: lowerOneOf(['serializable', 'repeatable_read', 'read_committed', 'read_uncommitted']) },
  { name: 'snapshot.lock.timeout.ms', type: 'LONG', default: 10000, importance: 'LOW', group: GROUP.SNAPSHOT, documentation: 'Accepted for compatibility and ignored: the snapshot takes no table locks (snapshot.locking.mode=none).' },
  { name: 'schema.refresh.mode', type: 'STRING', default: 'columns_diff', importance: 'LOW', group: GROUP.CONNECTOR_ADVANCED, documentation: 'Accepted for compatibility (columns_diff, columns_diff_exclude_unchanged_toast) and ignored: table shapes come from the stream\'s relation messages, so unchanged TOAST values never trigger a schema refresh.', validator: lowerOneOf(['columns_diff', 'columns_diff_exclude_unchanged_toast']) },
  { name: 'slot.max.retries', type: 'INT', default: 6, importance: 'LOW', group: GROUP.REPLICATION, documentation: 'Accepted for compatibility and ignored: the runtime retries a busy or unreachable slot with its own backoff (errors.retry.*).' },
  { name: 'slot.retry.delay.ms', type: 'LONG', default: 10000, importance: 'LOW', group: GROUP.REPLICATION, documentation: 'Accepted for compatibility and ignored: see slot.max.retries.' },
  { name: 'lsn.flush.timeout.ms', type: 'LONG', default: 30000, importance: 'LOW', group: GROUP.REPLICATION, documentation: 'Accepted for compatibility and ignored: LSNs are confirmed asynchronously with the standby status updates.' },
  { name: 'retriable.restart.connector.wait.ms', type: 'LONG', default: 10000, importance: 'LOW', group: GROUP.ADVANCED, documentation: 'Accepted for compatibility and ignored: the runtime\'s retry backoff applies.' },
];

function lowerOneOf(values: readonly string[]): Validator {
  const check = (name: string, v: unknown): void => {
    if (typeof v !== 'string' || !values.includes(v.trim().toLowerCase())) {
      throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: Value must be one of ${values.join(', ')}`, { key: name });
    }
  };
  return Object.assign(check, { description: `[${values.join(', ')}]` });
}

function unsupportedMessage(name: string, value: string, what: string, accepted: readonly string[] | undefined): string {
  const fix = accepted && accepted.length > 0 ? `remove it or set it to ${accepted[0]}` : 'remove it';
  return `Invalid value ${value} for configuration ${name}: ${name} is not supported by ${SOURCE_NAME} (in Debezium it ${what}); ${fix}`;
}

function refuse(u: Unsupported): Validator {
  const check = (name: string, v: unknown): void => {
    const value = String(v).trim();
    if (u.accepted?.some((a) => a.toLowerCase() === value.toLowerCase())) return;
    throw new ConfigError(unsupportedMessage(name, value, u.what, u.accepted), { key: name });
  };
  return Object.assign(check, { description: u.accepted ? `only ${u.accepted[0]}` : 'not supported' });
}

/** Adds the unsupported, family, removed and ignored keys to `def` (after the supported ones). */
export function defineCompatKeys(def: ConfigDef): ConfigDef {
  for (const u of UNSUPPORTED) {
    const accepted = u.accepted?.[0];
    def.define({
      name: u.name,
      type: u.type,
      default: accepted === undefined ? null : accepted,
      importance: 'LOW',
      group: u.group,
      documentation: `Not supported by ${SOURCE_NAME} (in Debezium it ${u.what}). ${accepted === undefined ? 'Any value is refused.' : `Only ${accepted} (Debezium's default) is accepted.`}`,
      validator: refuse(u),
    });
  }
  for (const f of FAMILIES) {
    def.define({ name: f.name, type: 'STRING', default: null, importance: 'LOW', group: GROUP.CONNECTOR_ADVANCED, documentation: `Not supported by ${SOURCE_NAME} (in Debezium it ${f.what}); any such key is refused.` });
  }
  for (const [removed, replacement] of REMOVED) {
    def.define({ name: removed, type: 'STRING', default: null, importance: 'LOW', group: removed === 'database.server.name' ? GROUP.CONNECTOR : GROUP.FILTERS, documentation: `Removed in Debezium 2.0; use ${replacement}. Ignored when ${replacement} is set, refused otherwise.` });
  }
  for (const k of IGNORED) def.define(k);
  return def;
}

/** Errors by reported key name for the keys one validator cannot judge alone (families, removed keys). */
export function compatProblems(props: Readonly<Record<string, string>>): Array<{ key: string; message: string }> {
  const out: Array<{ key: string; message: string }> = [];
  for (const [name, value] of Object.entries(props)) {
    const family = FAMILIES.find((f) => f.match.test(name));
    if (family) out.push({ key: family.name, message: unsupportedMessage(name, value, family.what, undefined) });
  }
  for (const [removed, replacement] of REMOVED) {
    if (props[removed] === undefined) continue;
    if ((props[replacement] ?? '').trim() !== '') continue;
    out.push({ key: removed, message: `Invalid value ${props[removed]} for configuration ${removed}: ${removed} was removed in Debezium 2.0; rename it to ${replacement}` });
  }
  return out;
}
