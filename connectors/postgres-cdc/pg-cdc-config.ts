/**
 * The Postgres CDC source's settings, declared once with Debezium's PostgresConnector key names,
 * defaults, groups and rules (Debezium 3.x `PostgresConnectorConfig`, `RelationalDatabaseConnectorConfig`,
 * `CommonConnectorConfig`), so that an existing Debezium config runs unchanged; and their typed,
 * frozen form. Our defaults differ in two places only: `plugin.name` is `pgoutput` (the only plugin
 * we decode) and `heartbeat.interval.ms` is 10000 (Debezium: 0, off), so idle databases do not pin
 * WAL. Debezium keys we do not implement are refused unless they hold a value that changes nothing
 * (see `pg-cdc-compat.ts`); the runtime's common keys (`connector.class`, `tasks.max`, converters)
 * are not declared here.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import {
  atLeast,
  between,
  ConfigDef,
  ConfigError,
  configErrorOf,
  nonEmptyString,
  type ConfigKeyDef,
  type ConfigValueReport,
  type ParsedConfig,
  type Validator,
} from '../../src/sdk/index.js';
import { compatProblems, defineCompatKeys, GROUP, SOURCE_NAME } from './pg-cdc-compat.js';
import { compileRegexList, FILTER_PAIRS, MESSAGE_KEY_COLUMNS, parseMessageKeyColumns, TableFilter } from './table-filter.js';
import type { TypeModes } from './pg-value-mapping.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
export type SnapshotMode = 'initial' | 'always' | 'no_data' | 'initial_only' | 'when_needed';
export type PublicationAutocreateMode = 'all_tables' | 'filtered' | 'disabled' | 'no_tables';
export type SkippableOperation = 'c' | 'u' | 'd' | 't';

/** How to reach the database; `ssl`/`sslFallback` are `pg` ClientConfig `ssl` values. */
export interface PgConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Plain text, from the PASSWORD key; undefined when not set (e.g. trust or cert auth). */
  readonly password: string | undefined;
  readonly database: string;
  readonly sslMode: SslMode;
  /** The first attempt's `ssl`: false (plain), or TLS options with the certificate files read. */
  readonly ssl: false | Readonly<ConnectionOptions>;
  /**
   * The second attempt for libpq's negotiating modes, which `pg` lacks: `prefer` tries TLS then
   * plain (fallback false), `allow` plain then TLS. Retry with it only when the server refuses the
   * first kind ("does not support SSL" / pg_hba has no entry for it); undefined for other modes.
   */
  readonly sslFallback: false | Readonly<ConnectionOptions> | undefined;
  /** `database.connectTimeout` (pgjdbc's, in seconds) in ms; 0 = wait forever. */
  readonly connectTimeoutMs: number;
  /** `database.query.timeout.ms`; 0 = no limit. */
  readonly queryTimeoutMs: number;
  readonly keepAlive: boolean;
}

/** The typed, frozen settings of one Postgres CDC connector. */
export interface PgCdcSettings {
  readonly connection: PgConnectionSettings;
  /** `topic.prefix`: data topics are `<prefix>.<schema>.<table>`; also the source partition and `source.name`. */
  readonly topicPrefix: string;
  readonly slot: { readonly name: string; readonly dropOnStop: boolean };
  readonly publication: { readonly name: string; readonly autocreate: PublicationAutocreateMode };
  readonly filters: TableFilter;
  /** `mode` has `never` already mapped to `no_data`; `fetchSize` 0 is mapped to the default. */
  readonly snapshot: { readonly mode: SnapshotMode; readonly fetchSize: number; readonly maxThreads: number; readonly chunkSize: number };
  /** `intervalMs` 0 = no heartbeats. */
  readonly heartbeat: { readonly intervalMs: number; readonly actionQuery: string | undefined; readonly topic: string };
  /** Operations not emitted while streaming (`skipped.operations`; `r` is accepted and has no effect). */
  readonly skipped: ReadonlySet<SkippableOperation>;
  readonly tombstonesOnDelete: boolean;
  /** The value-mapping modes, with the placeholder's bytes for binary columns (the `hex:` form decoded). */
  readonly typeModes: Readonly<TypeModes> & { readonly unavailablePlaceholderBytes: Uint8Array };
  readonly maxBatchSize: number;
  readonly maxQueueSize: number;
  /** 0 = no byte limit. */
  readonly maxQueueBytes: number;
  /** Capped at 5000 ms, as Debezium caps it. */
  readonly pollIntervalMs: number;
  readonly statusIntervalMs: number;
  /** `errors.max.retries`: retriable failures tolerated before the task fails; -1 = no limit. */
  readonly maxRetries: number;
  readonly transactionMetadata: { readonly enabled: boolean; readonly topic: string };
}

export const DEFAULT_SNAPSHOT_FETCH_SIZE = 10240;
const MAX_POLL_INTERVAL_MS = 5000;
const TOPIC_NAME = /^[a-zA-Z0-9_.-]+$/;
const HOSTNAME = /^[a-zA-Z0-9-_.]+$/;
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

function fail(name: string, value: unknown, why: string): never {
  throw new ConfigError(`Invalid value ${String(value)} for configuration ${name}: ${why}`, { key: name });
}

function validator(description: string, check: (name: string, value: unknown) => void): Validator {
  return Object.assign(check, { description });
}

/** One of `values` (trimmed, any case, as Debezium's enums); `special` maps other values to an explanation. */
function enumOf(values: readonly string[], special: Readonly<Record<string, string>> = {}): Validator {
  return validator(`[${values.join(', ')}]`, (name, v) => {
    const s = String(v).trim().toLowerCase();
    if (values.includes(s)) return;
    const why = special[s] ?? Object.entries(special).find(([k]) => k.endsWith('*') && s.startsWith(k.slice(0, -1)))?.[1];
    fail(name, v, why ?? `Value must be one of ${values.join(', ')}`);
  });
}

function matching(re: RegExp, why: string, description: string): Validator {
  return validator(description, (name, v) => {
    if (typeof v !== 'string' || !re.test(v.trim())) fail(name, v, why);
  });
}

const topicName = matching(TOPIC_NAME, 'has invalid format (only the underscore, hyphen, dot and alphanumeric characters are allowed)', 'a topic name');
const optionalTopicName = validator('a topic name, or empty', (name, v) => {
  if (typeof v === 'string' && v.trim() !== '') topicName(name, v);
});

function regexList(): Validator {
  return validator('comma-separated regular expressions', (name, v) => {
    compileRegexList(name, v as string);
  });
}

const skippedOperations = validator('c, u, d, t (comma-separated) or none', (name, v) => {
  const items = v as string[];
  if (items.length === 1 && items[0] === 'none') return;
  if (items.length === 0) fail(name, '', "must not be empty; use 'none' to skip nothing");
  for (const op of items) {
    if (op === 'none') fail(name, items.join(','), "'none' cannot be specified with other skipped operation types");
    if (!['c', 'u', 'd', 't', 'r'].includes(op)) fail(name, items.join(','), `Invalid operation '${op}': use a comma-separated list of c (insert), u (update), d (delete), t (truncate), or none`);
  }
});

const placeholder = validator('a string, or hex:<hex digits>', (name, v) => {
  const s = String(v);
  if (s.startsWith('hex:') && !/^(?:[0-9a-fA-F]{2})*$/.test(s.slice(4))) fail(name, s, "the part after 'hex:' must be an even number of hexadecimal digits");
});

const SNAPSHOT_MODES = ['initial', 'always', 'no_data', 'never', 'initial_only', 'when_needed'];
const SNAPSHOT_SUPPORTED = `use one of ${SNAPSHOT_MODES.filter((m) => m !== 'never').join(', ')}`;

const { CONNECTION: C, CONNECTION_ADVANCED: CADV, SSL, REPLICATION: REPL, FILTERS: F, CONNECTOR: CO, CONNECTOR_ADVANCED: CA, SNAPSHOT: SNAP, ADVANCED: ADV, HEARTBEAT: HB } = GROUP;

function declare(): ConfigDef {
  const ordinal: Record<string, number> = {};
  const key = (group: string, k: Omit<ConfigKeyDef, 'group' | 'orderInGroup'>): ConfigKeyDef => {
    ordinal[group] = (ordinal[group] ?? 0) + 1;
    return { ...k, group, orderInGroup: ordinal[group] };
  };
  const keys: ConfigKeyDef[] = [
    key(C, { name: 'database.hostname', type: 'STRING', importance: 'HIGH', displayName: 'Hostname', documentation: 'Resolvable host name or IP address of the Postgres server.', validator: matching(HOSTNAME, 'has invalid format (only the underscore, hyphen, dot and alphanumeric characters are allowed)', 'a host name') }),
    key(C, { name: 'database.port', type: 'INT', default: 5432, importance: 'HIGH', displayName: 'Port', documentation: 'Port of the Postgres server.', validator: between(1, 65535) }),
    key(C, { name: 'database.user', type: 'STRING', importance: 'HIGH', displayName: 'User', documentation: 'Database user to connect as; it needs the REPLICATION attribute (and the rights to create the publication, unless publication.autocreate.mode=disabled).', validator: nonEmptyString() }),
    key(C, { name: 'database.password', type: 'PASSWORD', default: null, importance: 'HIGH', displayName: 'Password', documentation: 'Password of the database user.' }),
    key(C, { name: 'database.dbname', type: 'STRING', importance: 'HIGH', displayName: 'Database', documentation: 'The database whose changes are captured.', validator: nonEmptyString() }),
    key(C, { name: 'database.query.timeout.ms', type: 'INT', default: 600000, importance: 'LOW', documentation: 'Time a catalog or snapshot query may run, in ms; 0 means no limit.', validator: atLeast(0) }),
    key(C, { name: 'database.connectTimeout', type: 'INT', default: 10, importance: 'LOW', documentation: 'Time to wait for a connection to open, in seconds (the pgjdbc driver option Debezium passes through, same unit and default); 0 waits forever.', validator: atLeast(0) }),
    key(CADV, { name: 'database.tcpKeepAlive', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: 'Enable TCP keep-alive probes on database connections.' }),
    key(SSL, { name: 'database.sslmode', type: 'STRING', default: 'prefer', importance: 'MEDIUM', displayName: 'SSL mode', documentation: "Whether to encrypt the connection, with libpq's meanings: 'disable' never; 'allow' plain first, TLS if the server insists; 'prefer' (default) TLS first, plain if the server has no TLS; 'require' TLS without verifying the server (verifies the CA when database.sslrootcert is set, as libpq does); 'verify-ca' TLS with the server certificate checked against the CA; 'verify-full' as verify-ca plus the host name check.", validator: enumOf(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']), recommendedValues: ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] }),
    key(SSL, { name: 'database.sslrootcert', type: 'STRING', default: null, importance: 'MEDIUM', documentation: "File of the CA certificate(s) the server certificate is verified against (PEM). Without it, verify-ca and verify-full use Node's default CA store." }),
    key(SSL, { name: 'database.sslcert', type: 'STRING', default: null, importance: 'MEDIUM', documentation: 'File of the client certificate (PEM), for certificate authentication.' }),
    key(SSL, { name: 'database.sslkey', type: 'STRING', default: null, importance: 'MEDIUM', documentation: 'File of the client private key (PEM); needs database.sslcert.' }),
    key(SSL, { name: 'database.sslpassword', type: 'PASSWORD', default: null, importance: 'MEDIUM', documentation: 'Passphrase of the client private key in database.sslkey.' }),
    key(REPL, { name: 'plugin.name', type: 'STRING', default: 'pgoutput', importance: 'MEDIUM', displayName: 'Plugin', documentation: "The logical decoding plugin. Only 'pgoutput' (built into PostgreSQL 10+) is supported, and it is the default here (Debezium's default is decoderbufs).", validator: enumOf(['pgoutput'], { decoderbufs: `only pgoutput is supported by ${SOURCE_NAME}; set plugin.name=pgoutput (built into PostgreSQL 10+, no server extension needed)`, 'wal2json*': `only pgoutput is supported by ${SOURCE_NAME} (and Debezium 2+ removed wal2json); set plugin.name=pgoutput` }), recommendedValues: ['pgoutput'] }),
    key(REPL, { name: 'slot.name', type: 'STRING', default: 'debezium', importance: 'MEDIUM', displayName: 'Slot', documentation: 'Name of the logical replication slot; one slot per connector.', validator: matching(SLOT_NAME, 'Valid replication slot name must contain only digits, lowercase characters and underscores with length <= 63', 'lower-case letters, digits, _; at most 63') }),
    key(REPL, { name: 'slot.drop.on.stop', type: 'BOOLEAN', default: false, importance: 'MEDIUM', documentation: 'Drop the slot when the connector stops in an orderly way. Leave false in production: a dropped slot loses the position, and the next start streams from a new one.' }),
    key(REPL, { name: 'publication.name', type: 'STRING', default: 'dbz_publication', importance: 'MEDIUM', displayName: 'Publication', documentation: 'Name of the publication pgoutput streams.', validator: nonEmptyString() }),
    key(REPL, { name: 'publication.autocreate.mode', type: 'STRING', default: 'all_tables', importance: 'MEDIUM', documentation: "Whether the connector creates the publication when it is missing: 'all_tables' (default; FOR ALL TABLES, needs superuser), 'filtered' (FOR TABLE with the tables the filters capture), 'no_tables' (an empty publication, for logical decoding messages only), 'disabled' (it must exist). skipped.operations narrows the publication's publish option.", validator: enumOf(['all_tables', 'filtered', 'disabled', 'no_tables']), recommendedValues: ['all_tables', 'filtered', 'disabled', 'no_tables'] }),
    key(REPL, { name: 'status.update.interval.ms', type: 'INT', default: 10000, importance: 'MEDIUM', documentation: 'How often a standby status update (the confirmed LSN) is sent to the server, in ms.', validator: atLeast(1) }),
    key(F, { name: 'schema.include.list', type: 'STRING', default: null, importance: 'HIGH', documentation: 'Comma-separated regular expressions matching the schemas to capture (whole name, any case). Do not combine with schema.exclude.list.', validator: regexList() }),
    key(F, { name: 'schema.exclude.list', type: 'STRING', default: null, importance: 'MEDIUM', documentation: 'Comma-separated regular expressions matching schemas not to capture (whole name, any case). Do not combine with schema.include.list.', validator: regexList() }),
    key(F, { name: 'table.include.list', type: 'STRING', default: null, importance: 'HIGH', documentation: 'Comma-separated regular expressions matching schema.table identifiers to capture (whole identifier, any case; \\, for a comma inside one). Do not combine with table.exclude.list.', validator: regexList() }),
    key(F, { name: 'table.exclude.list', type: 'STRING', default: null, importance: 'MEDIUM', documentation: 'Comma-separated regular expressions matching schema.table identifiers not to capture. Do not combine with table.include.list.', validator: regexList() }),
    key(F, { name: 'table.ignore.builtin', type: 'BOOLEAN', default: true, importance: 'LOW', documentation: 'Skip built-in tables: pg_catalog, information_schema, pg_temp*, pg_toast* and PostGIS spatial_ref_sys.' }),
    key(F, { name: 'column.include.list', type: 'STRING', default: null, importance: 'MEDIUM', documentation: 'Comma-separated regular expressions matching schema.table.column names to keep in record values. Key columns always stay in the key. Do not combine with column.exclude.list.', validator: regexList() }),
    key(F, { name: 'column.exclude.list', type: 'STRING', default: null, importance: 'MEDIUM', documentation: 'Comma-separated regular expressions matching schema.table.column names to leave out of record values. Do not combine with column.include.list.', validator: regexList() }),
    key(CO, { name: 'topic.prefix', type: 'STRING', importance: 'HIGH', displayName: 'Topic prefix', documentation: 'Namespace of every topic this connector writes (<prefix>.<schema>.<table>) and of its offsets; unique per connector and never changed afterwards. Letters, digits, _, - and . only.', validator: topicName }),
    key(CO, { name: 'tombstones.on.delete', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: 'Follow each delete event with a tombstone (same key, null value), so compaction can drop the key.' }),
    key(CO, { name: 'skipped.operations', type: 'LIST', default: 't', importance: 'LOW', documentation: "Operations not emitted while streaming: any of c (insert), u (update), d (delete), t (truncate), or 'none'. Default t: truncates are skipped.", validator: skippedOperations }),
    key(CO, { name: 'decimal.handling.mode', type: 'STRING', default: 'precise', importance: 'MEDIUM', documentation: "NUMERIC/DECIMAL/MONEY values as 'precise' (Connect Decimal bytes), 'double' or 'string'.", validator: enumOf(['precise', 'double', 'string']), recommendedValues: ['precise', 'double', 'string'] }),
    key(CO, { name: 'time.precision.mode', type: 'STRING', default: 'adaptive', importance: 'MEDIUM', documentation: "Temporal values: 'adaptive' (precision of the column), 'adaptive_time_microseconds', 'connect' (Connect Date/Time/Timestamp, ms), 'isostring', 'microseconds', 'nanoseconds'.", validator: enumOf(['adaptive', 'adaptive_time_microseconds', 'connect', 'isostring', 'microseconds', 'nanoseconds'], { structured: `structured is not supported by ${SOURCE_NAME}; use one of adaptive, adaptive_time_microseconds, connect, isostring, microseconds, nanoseconds` }) }),
    key(CO, { name: 'binary.handling.mode', type: 'STRING', default: 'bytes', importance: 'LOW', documentation: "bytea values as 'bytes', 'base64', 'base64-url-safe' or 'hex' strings.", validator: enumOf(['bytes', 'base64', 'base64-url-safe', 'hex']) }),
    key(CO, { name: 'interval.handling.mode', type: 'STRING', default: 'numeric', importance: 'LOW', documentation: "INTERVAL values as 'numeric' (approximate microseconds) or 'string' (exact ISO-8601).", validator: enumOf(['numeric', 'string']) }),
    key(CO, { name: 'hstore.handling.mode', type: 'STRING', default: 'json', importance: 'LOW', documentation: "HSTORE values as 'json' strings or 'map's.", validator: enumOf(['json', 'map']) }),
    key(CO, { name: 'money.fraction.digits', type: 'SHORT', default: 2, importance: 'LOW', documentation: 'Scale of MONEY values in precise decimal mode.', validator: atLeast(0) }),
    key(CO, { name: 'unavailable.value.placeholder', type: 'STRING', default: '__debezium_unavailable_value', importance: 'MEDIUM', documentation: "Value given to unchanged TOASTed columns the server did not send; 'hex:<digits>' gives raw bytes.", validator: placeholder }),
    key(CO, { name: 'topic.transaction', type: 'STRING', default: 'transaction', importance: 'LOW', documentation: 'Name of the transaction metadata topic after the prefix: <topic.prefix>.<topic.transaction>.', validator: topicName }),
    key(CO, { name: 'topic.heartbeat.prefix', type: 'STRING', default: '__debezium-heartbeat', importance: 'LOW', documentation: 'Heartbeat topic prefix: heartbeats go to <topic.heartbeat.prefix>.<topic.prefix>.', validator: topicName }),
    key(CO, { name: 'topic.heartbeat.name', type: 'STRING', default: null, importance: 'LOW', documentation: 'Full heartbeat topic name, overriding the prefix-based one (lets connectors share one heartbeat topic).', validator: optionalTopicName }),
    key(CA, { name: MESSAGE_KEY_COLUMNS, type: 'STRING', default: null, importance: 'MEDIUM', documentation: "Custom message keys: '<schema>.<table regex>:<col>[,<col>...]' entries separated by ';', e.g. inventory.orderlines:order_id,line_no;public\\..*:id. Other tables are keyed by their primary key.", validator: validator('table:columns;...', (_n, v) => { parseMessageKeyColumns(String(v)); }) }),
    key(CA, { name: 'provide.transaction.metadata', type: 'BOOLEAN', default: false, importance: 'LOW', documentation: 'Emit BEGIN/END records to the transaction topic and fill each event\'s transaction block.' }),
    key(CA, { name: 'errors.max.retries', type: 'INT', default: 10, importance: 'LOW', documentation: 'Retries in a row after a retriable error (database unreachable, connection lost, slot busy), with backoff, before the task fails with the error: -1 without limit, 0 none. Tributary defaults to 10 (Debezium: -1) so that a wrong host shows as a FAILED task instead of a RUNNING one that never connects.', validator: atLeast(-1) }),
    key(CA, { name: 'include.unknown.datatypes', type: 'BOOLEAN', default: false, importance: 'MEDIUM', documentation: 'Emit columns of types the connector cannot map (as their raw bytes) instead of leaving them out.' }),
    key(SNAP, { name: 'snapshot.mode', type: 'STRING', default: 'initial', importance: 'MEDIUM', documentation: "When to snapshot: 'initial' (when there are no offsets), 'always', 'initial_only' (snapshot, then stop), 'no_data' (never; 'never' is accepted as its old name), 'when_needed' (no offsets, or the stored position is gone).", validator: enumOf(SNAPSHOT_MODES, { exported: `exported was removed from Debezium; use initial (${SOURCE_NAME} always snapshots from the slot's exported snapshot)`, custom: `custom snapshotters are not supported by ${SOURCE_NAME}; ${SNAPSHOT_SUPPORTED}`, configuration_based: `configuration_based is not supported by ${SOURCE_NAME}; ${SNAPSHOT_SUPPORTED}` }), recommendedValues: SNAPSHOT_MODES.filter((m) => m !== 'never') }),
    key(SNAP, { name: 'snapshot.fetch.size', type: 'INT', default: DEFAULT_SNAPSHOT_FETCH_SIZE, importance: 'MEDIUM', documentation: 'Rows fetched per round trip while snapshotting a table without a primary key (read in one pass through a cursor); tables with one are read in snapshot.chunk.size chunks. 0 uses the default.', validator: atLeast(0) }),
    key(SNAP, { name: 'snapshot.max.threads', type: 'INT', default: 1, importance: 'MEDIUM', documentation: 'Connections reading the snapshot in parallel, all on the same exported snapshot.', validator: atLeast(1) }),
    key(SNAP, { name: 'snapshot.chunk.size', type: 'INT', default: DEFAULT_SNAPSHOT_FETCH_SIZE, importance: 'LOW', documentation: 'Tributary only: rows per snapshot chunk; the snapshot records its progress after each chunk and resumes from the last one after a restart.', validator: atLeast(1) }),
    key(ADV, { name: 'max.batch.size', type: 'INT', default: 2048, importance: 'MEDIUM', documentation: 'Most records returned by one poll.', validator: atLeast(1) }),
    key(ADV, { name: 'max.queue.size', type: 'INT', default: 8192, importance: 'MEDIUM', documentation: 'Most records buffered between the database and polls (backpressure); must be larger than max.batch.size.', validator: atLeast(1) }),
    key(ADV, { name: 'max.queue.size.in.bytes', type: 'LONG', default: 0, importance: 'MEDIUM', documentation: 'Most bytes buffered between the database and polls; 0 means no byte limit.', validator: atLeast(0) }),
    key(ADV, { name: 'poll.interval.ms', type: 'LONG', default: 500, importance: 'MEDIUM', documentation: 'How long a poll waits for records when none are buffered, in ms (capped at 5000).', validator: atLeast(1) }),
    key(HB, { name: 'heartbeat.interval.ms', type: 'INT', default: 10000, importance: 'MEDIUM', documentation: 'Interval of heartbeat records (to the heartbeat topic), which also move the confirmed LSN forward so an idle database does not pin WAL; 0 disables them. Default 10000 here (Debezium: 0).', validator: atLeast(0) }),
    key(HB, { name: 'heartbeat.action.query', type: 'STRING', default: null, importance: 'LOW', documentation: "SQL run on the source database at each heartbeat, e.g. INSERT INTO heartbeat (ts) VALUES (now()) on a captured table, so a low-traffic database still produces changes." }),
  ];
  const def = new ConfigDef();
  for (const k of keys) def.define(k);
  return defineCompatKeys(def);
}

/** The declaration of every key the Postgres CDC source reads, refuses or ignores. */
export const pgCdcConfigDef: ConfigDef = declare();

/**
 * Every key's finding (as `ConfigDef.validate`) plus the checks across keys: include/exclude pairs
 * set together (reported on both keys), `max.queue.size` not above `max.batch.size`, a key file
 * without its certificate, unsupported key families and keys Debezium 2 removed. Never throws.
 */
export function validatePgCdcConfig(props: Readonly<Record<string, string>>): ConfigValueReport[] {
  const reports = pgCdcConfigDef.validate(props);
  const add = (name: string, message: string): void => {
    reports.find((r) => r.name === name)?.errors.push(message);
  };
  const isSet = (k: string): boolean => (props[k] ?? '').trim() !== '';
  for (const [include, exclude] of FILTER_PAIRS) {
    if (isSet(include) && isSet(exclude)) {
      add(exclude, `Invalid value ${props[exclude]} for configuration ${exclude}: "${include}" is already specified; use either ${include} or ${exclude}, not both`);
      add(include, `Invalid value ${props[include]} for configuration ${include}: "${exclude}" is also specified; use either ${include} or ${exclude}, not both`);
    }
  }
  const queue = reports.find((r) => r.name === 'max.queue.size')!;
  const batch = reports.find((r) => r.name === 'max.batch.size')!;
  if (queue.errors.length === 0 && batch.errors.length === 0 && Number(queue.value) <= Number(batch.value)) {
    add('max.queue.size', `Invalid value ${queue.value} for configuration max.queue.size: Must be larger than the maximum batch size (max.batch.size=${batch.value})`);
  }
  if (isSet('database.sslkey') && !isSet('database.sslcert')) {
    add('database.sslkey', `Invalid value ${props['database.sslkey']} for configuration database.sslkey: a client key needs its certificate; set database.sslcert`);
  }
  for (const p of compatProblems(props)) add(p.key, p.message);
  return reports;
}

/** Reads a certificate or key file; injected in tests. */
export type ReadFile = (path: string) => Uint8Array;

/**
 * Parses and validates a connector config into frozen settings; throws one ConfigError listing
 * every problem (unreadable certificate files included, each naming its key).
 */
export function parsePgCdcSettings(props: Readonly<Record<string, string>>, readFile: ReadFile = readFileSync): PgCdcSettings {
  const problems = configErrorOf(validatePgCdcConfig(props));
  if (problems) throw problems;
  const cfg = pgCdcConfigDef.parse(props);
  const str = (k: string): string => cfg.getString(k)!.trim();
  const lower = <T extends string>(k: string): T => str(k).toLowerCase() as T;
  const topicPrefix = str('topic.prefix');
  const heartbeatName = cfg.getString('topic.heartbeat.name')?.trim() ?? '';
  const mode = lower<SnapshotMode | 'never'>('snapshot.mode');
  const fetchSize = cfg.getInt('snapshot.fetch.size');
  const placeholderText = cfg.getString('unavailable.value.placeholder')!;
  const placeholderBytes = placeholderText.startsWith('hex:') ? Buffer.from(placeholderText.slice(4), 'hex') : Buffer.from(placeholderText, 'utf8');
  const skipped = cfg.getList('skipped.operations').filter((op): op is SkippableOperation => ['c', 'u', 'd', 't'].includes(op));
  return Object.freeze({
    connection: connectionSettings(cfg, readFile),
    topicPrefix,
    slot: Object.freeze({ name: str('slot.name'), dropOnStop: cfg.getBoolean('slot.drop.on.stop') }),
    publication: Object.freeze({ name: str('publication.name'), autocreate: lower<PublicationAutocreateMode>('publication.autocreate.mode') }),
    filters: new TableFilter({
      schemaIncludeList: cfg.getString('schema.include.list'),
      schemaExcludeList: cfg.getString('schema.exclude.list'),
      tableIncludeList: cfg.getString('table.include.list'),
      tableExcludeList: cfg.getString('table.exclude.list'),
      columnIncludeList: cfg.getString('column.include.list'),
      columnExcludeList: cfg.getString('column.exclude.list'),
      messageKeyColumns: cfg.getString(MESSAGE_KEY_COLUMNS),
      ignoreBuiltin: cfg.getBoolean('table.ignore.builtin'),
    }),
    snapshot: Object.freeze({
      mode: mode === 'never' ? 'no_data' : mode,
      fetchSize: fetchSize === 0 ? DEFAULT_SNAPSHOT_FETCH_SIZE : fetchSize,
      maxThreads: cfg.getInt('snapshot.max.threads'),
      chunkSize: cfg.getInt('snapshot.chunk.size'),
    }),
    heartbeat: Object.freeze({
      intervalMs: cfg.getInt('heartbeat.interval.ms'),
      actionQuery: cfg.getString('heartbeat.action.query')?.trim() || undefined,
      topic: heartbeatName !== '' ? heartbeatName : `${str('topic.heartbeat.prefix')}.${topicPrefix}`,
    }),
    skipped: new Set(skipped),
    tombstonesOnDelete: cfg.getBoolean('tombstones.on.delete'),
    typeModes: Object.freeze({
      decimal: lower<TypeModes['decimal']>('decimal.handling.mode'),
      time: lower<TypeModes['time']>('time.precision.mode'),
      binary: lower<TypeModes['binary']>('binary.handling.mode'),
      interval: lower<TypeModes['interval']>('interval.handling.mode'),
      hstore: lower<TypeModes['hstore']>('hstore.handling.mode'),
      moneyFractionDigits: cfg.getInt('money.fraction.digits'),
      includeUnknown: cfg.getBoolean('include.unknown.datatypes'),
      unavailablePlaceholder: placeholderText.startsWith('hex:') ? placeholderBytes.toString('utf8') : placeholderText,
      unavailablePlaceholderBytes: placeholderBytes,
    }),
    maxBatchSize: cfg.getInt('max.batch.size'),
    maxQueueSize: cfg.getInt('max.queue.size'),
    maxQueueBytes: cfg.getLong('max.queue.size.in.bytes'),
    pollIntervalMs: Math.min(cfg.getLong('poll.interval.ms'), MAX_POLL_INTERVAL_MS),
    statusIntervalMs: cfg.getInt('status.update.interval.ms'),
    maxRetries: cfg.getInt('errors.max.retries'),
    transactionMetadata: Object.freeze({ enabled: cfg.getBoolean('provide.transaction.metadata'), topic: `${topicPrefix}.${str('topic.transaction')}` }),
  });
}

function connectionSettings(cfg: ParsedConfig, readFile: ReadFile): PgConnectionSettings {
  const host = cfg.getString('database.hostname')!.trim();
  const sslMode = cfg.getString('database.sslmode')!.trim().toLowerCase() as SslMode;
  const problems: string[] = [];
  const file = (k: string): Uint8Array | undefined => {
    const path = cfg.getString(k)?.trim();
    if (!path) return undefined;
    try {
      return readFile(path);
    } catch (err) {
      problems.push(`Invalid value ${path} for configuration ${k}: cannot read the file (${(err as Error).message})`);
      return undefined;
    }
  };
  const tls: ConnectionOptions = {};
  const ca = sslMode === 'disable' ? undefined : file('database.sslrootcert');
  if (ca) tls.ca = Buffer.from(ca);
  if (sslMode !== 'disable') {
    const cert = file('database.sslcert');
    const key = file('database.sslkey');
    if (cert) tls.cert = Buffer.from(cert);
    if (key) tls.key = Buffer.from(key);
    const passphrase = cfg.getPassword('database.sslpassword')?.value;
    if (passphrase) tls.passphrase = passphrase;
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  const noVerify = Object.freeze({ ...tls, rejectUnauthorized: false });
  // verify-ca checks the chain but not the host name; libpq's require does the same when a root cert is given.
  const verifyCa = Object.freeze({ ...tls, rejectUnauthorized: true, checkServerIdentity: () => undefined });
  const choice: Record<SslMode, [PgConnectionSettings['ssl'], PgConnectionSettings['sslFallback']]> = {
    disable: [false, undefined],
    allow: [false, noVerify],
    prefer: [noVerify, false],
    require: [ca ? verifyCa : noVerify, undefined],
    'verify-ca': [verifyCa, undefined],
    // pg sets the TLS servername to the host (unless it is an IP address), so the default identity check applies.
    'verify-full': [Object.freeze({ ...tls, rejectUnauthorized: true }), undefined],
  };
  const [ssl, sslFallback] = choice[sslMode];
  return Object.freeze({
    host,
    port: cfg.getInt('database.port'),
    user: cfg.getString('database.user')!.trim(),
    password: cfg.getPassword('database.password')?.value,
    database: cfg.getString('database.dbname')!.trim(),
    sslMode,
    ssl,
    sslFallback,
    connectTimeoutMs: cfg.getInt('database.connectTimeout') * 1000,
    queryTimeoutMs: cfg.getInt('database.query.timeout.ms'),
    keepAlive: cfg.getBoolean('database.tcpKeepAlive'),
  });
}
