/** The Postgres CDC source's config: Debezium's keys, defaults and rules, and the parsed settings. */
import { describe, expect, it } from 'vitest';
import { ConfigError, Password } from '../../src/sdk/index.js';
import { parsePgCdcSettings, pgCdcConfigDef, validatePgCdcConfig } from '../../connectors/postgres-cdc/pg-cdc-config.js';

// The example in Debezium's PostgreSQL connector documentation ("Connector configuration example").
const DOCS_EXAMPLE = {
  name: 'fulfillment-connector',
  'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
  'database.hostname': '192.168.99.100',
  'database.port': '5432',
  'database.user': 'postgres',
  'database.password': 'postgres',
  'database.dbname': 'postgres',
  'topic.prefix': 'fulfillment',
  'table.include.list': 'public.inventory',
};

// A typical production config carried over from Debezium 2.x/3.x, runtime keys and pass-throughs included.
const CARRIED_OVER = {
  name: 'inventory-connector',
  'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
  'tasks.max': '1',
  'database.hostname': 'postgres',
  'database.port': '5432',
  'database.user': 'debezium',
  'database.password': 'dbz',
  'database.dbname': 'inventory',
  'database.sslmode': 'disable',
  'database.ApplicationName': 'debezium',
  'topic.prefix': 'dbserver1',
  'plugin.name': 'pgoutput',
  'slot.name': 'debezium_inventory',
  'publication.name': 'dbz_inventory',
  'publication.autocreate.mode': 'filtered',
  'schema.include.list': 'inventory',
  'table.exclude.list': 'inventory\\.spatial_.*',
  'column.exclude.list': 'inventory.customers.email',
  'message.key.columns': 'inventory.orders:order_number',
  'snapshot.mode': 'initial',
  'heartbeat.interval.ms': '30000',
  'heartbeat.action.query': "INSERT INTO inventory.heartbeat (ts) VALUES (now()) ON CONFLICT (id) DO UPDATE SET ts = now()",
  'skipped.operations': 'none',
  'tombstones.on.delete': 'false',
  'decimal.handling.mode': 'string',
  'time.precision.mode': 'connect',
  'provide.transaction.metadata': 'true',
  'lsn.flush.mode': 'connector',
  'snapshot.locking.mode': 'none',
  'signal.enabled.channels': 'source',
  'schema.history.internal.kafka.topic': 'ignored-by-postgres',
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.schemas.enable': 'true',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  transforms: 'unwrap',
  'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
};

function errorsOf(props: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(validatePgCdcConfig(props).filter((r) => r.errors.length > 0).map((r) => [r.name, r.errors]));
}

function parseError(props: Record<string, string>): ConfigError {
  try {
    parsePgCdcSettings(props, () => Buffer.from('pem'));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected parsePgCdcSettings to fail');
}

describe('Debezium configs run unchanged', () => {
  it("validates and parses the example from Debezium's documentation, with Debezium's defaults", () => {
    expect(errorsOf(DOCS_EXAMPLE)).toEqual({});
    const s = parsePgCdcSettings(DOCS_EXAMPLE);
    expect(s.connection).toMatchObject({ host: '192.168.99.100', port: 5432, user: 'postgres', password: 'postgres', database: 'postgres', sslMode: 'prefer', connectTimeoutMs: 10000, queryTimeoutMs: 600000, keepAlive: true });
    expect(s.connection.ssl).toEqual({ rejectUnauthorized: false });
    expect(s.connection.sslFallback).toBe(false);
    expect(s.topicPrefix).toBe('fulfillment');
    expect(s.slot).toEqual({ name: 'debezium', dropOnStop: false });
    expect(s.publication).toEqual({ name: 'dbz_publication', autocreate: 'all_tables' });
    expect(s.snapshot).toEqual({ mode: 'initial', fetchSize: 10240, maxThreads: 1, chunkSize: 10240 });
    expect(s.heartbeat).toEqual({ intervalMs: 10000, actionQuery: undefined, topic: '__debezium-heartbeat.fulfillment' });
    expect([...s.skipped]).toEqual(['t']);
    expect(s.tombstonesOnDelete).toBe(true);
    expect(s.typeModes).toMatchObject({ decimal: 'precise', time: 'adaptive', binary: 'bytes', interval: 'numeric', hstore: 'json', moneyFractionDigits: 2, includeUnknown: false, unavailablePlaceholder: '__debezium_unavailable_value' });
    expect(Buffer.from(s.typeModes.unavailablePlaceholderBytes).toString()).toBe('__debezium_unavailable_value');
    expect({ b: s.maxBatchSize, q: s.maxQueueSize, qb: s.maxQueueBytes, p: s.pollIntervalMs, st: s.statusIntervalMs }).toEqual({ b: 2048, q: 8192, qb: 0, p: 500, st: 10000 });
    expect(s.transactionMetadata).toEqual({ enabled: false, topic: 'fulfillment.transaction' });
    expect(s.maxRetries).toBe(10);
    expect(s.filters.includesTable('public', 'inventory')).toBe(true);
    expect(s.filters.includesTable('public', 'orders')).toBe(false);
  });

  it('validates and parses a carried-over production config, ignoring keys it does not declare', () => {
    expect(errorsOf(CARRIED_OVER)).toEqual({});
    const s = parsePgCdcSettings(CARRIED_OVER);
    expect(s.connection.ssl).toBe(false);
    expect(s.connection.sslFallback).toBeUndefined();
    expect(s.slot.name).toBe('debezium_inventory');
    expect(s.publication).toEqual({ name: 'dbz_inventory', autocreate: 'filtered' });
    expect(s.skipped.size).toBe(0);
    expect(s.tombstonesOnDelete).toBe(false);
    expect(s.heartbeat).toMatchObject({ intervalMs: 30000, topic: '__debezium-heartbeat.dbserver1' });
    expect(s.heartbeat.actionQuery).toMatch(/^INSERT INTO inventory\.heartbeat/);
    expect(s.transactionMetadata).toEqual({ enabled: true, topic: 'dbserver1.transaction' });
    expect(s.typeModes).toMatchObject({ decimal: 'string', time: 'connect' });
    expect(s.filters.includesTable('inventory', 'orders')).toBe(true);
    expect(s.filters.includesTable('inventory', 'spatial_things')).toBe(false);
    expect(s.filters.includesColumn('inventory', 'customers', 'email')).toBe(false);
    expect(s.filters.keyColumns('inventory', 'orders', ['id', 'order_number'])).toEqual(['order_number']);
  });

  it("keeps Debezium's defaults except plugin.name (pgoutput) and heartbeat.interval.ms (10000)", () => {
    const debeziumDefaults: Record<string, string | null> = {
      'database.port': '5432', 'database.sslmode': 'prefer', 'database.query.timeout.ms': '600000', 'database.tcpKeepAlive': 'true',
      'slot.name': 'debezium', 'slot.drop.on.stop': 'false', 'publication.name': 'dbz_publication', 'publication.autocreate.mode': 'all_tables',
      'status.update.interval.ms': '10000', 'table.ignore.builtin': 'true', 'tombstones.on.delete': 'true', 'skipped.operations': 't',
      'decimal.handling.mode': 'precise', 'time.precision.mode': 'adaptive', 'binary.handling.mode': 'bytes', 'interval.handling.mode': 'numeric',
      'hstore.handling.mode': 'json', 'money.fraction.digits': '2', 'unavailable.value.placeholder': '__debezium_unavailable_value',
      'topic.transaction': 'transaction', 'topic.heartbeat.prefix': '__debezium-heartbeat', 'provide.transaction.metadata': 'false',
      'include.unknown.datatypes': 'false', 'snapshot.mode': 'initial', 'snapshot.fetch.size': '10240', 'snapshot.max.threads': '1',
      'max.batch.size': '2048', 'max.queue.size': '8192', 'max.queue.size.in.bytes': '0', 'poll.interval.ms': '500',
      'heartbeat.action.query': null, 'message.key.columns': null, 'table.include.list': null, 'database.password': null,
      // Debezium: decoderbufs, 0 (no heartbeats) and -1 (retry forever).
      'plugin.name': 'pgoutput', 'heartbeat.interval.ms': '10000', 'errors.max.retries': '10',
    };
    const reported = Object.fromEntries(validatePgCdcConfig({}).map((r) => [r.name, r.value]));
    for (const [key, value] of Object.entries(debeziumDefaults)) expect([key, reported[key]]).toEqual([key, value]);
    for (const key of ['database.hostname', 'database.user', 'database.dbname', 'topic.prefix']) {
      expect(pgCdcConfigDef.key(key)!.default).toBeUndefined();
    }
  });

  it("uses Debezium's group names and documents every key", () => {
    expect(pgCdcConfigDef.groups()).toEqual(expect.arrayContaining(['CONNECTION', 'CONNECTION_ADVANCED_SSL', 'CONNECTION_ADVANCED_REPLICATION', 'FILTERS', 'CONNECTOR', 'CONNECTOR_SNAPSHOT', 'ADVANCED', 'ADVANCED_HEARTBEAT']));
    for (const k of pgCdcConfigDef.configKeys()) expect([k.name, k.documentation.length > 10, k.group !== undefined]).toEqual([k.name, true, true]);
    expect(pgCdcConfigDef.key('connector.class')).toBeUndefined();
    expect(pgCdcConfigDef.key('tasks.max')).toBeUndefined();
  });

  it('hides passwords in reports and masks them', () => {
    const props = { ...DOCS_EXAMPLE, 'database.sslpassword': 'k' };
    const reports = validatePgCdcConfig(props);
    expect(reports.find((r) => r.name === 'database.password')!.value).toBe(Password.HIDDEN);
    expect(reports.find((r) => r.name === 'database.sslpassword')!.value).toBe(Password.HIDDEN);
    expect(pgCdcConfigDef.mask(props)['database.password']).toBe(Password.HIDDEN);
  });

  it('returns frozen settings', () => {
    const s = parsePgCdcSettings(DOCS_EXAMPLE);
    for (const part of [s, s.connection, s.slot, s.publication, s.snapshot, s.heartbeat, s.typeModes, s.transactionMetadata, s.filters]) expect(Object.isFrozen(part)).toBe(true);
  });
});

describe('refused values name the key and the fix', () => {
  const cases: Array<[string, Record<string, string>, string, RegExp]> = [
    ['decoderbufs', { 'plugin.name': 'decoderbufs' }, 'plugin.name', /only pgoutput is supported by Tributary's Postgres source; set plugin.name=pgoutput/],
    ['wal2json', { 'plugin.name': 'wal2json_rds' }, 'plugin.name', /only pgoutput is supported.*set plugin.name=pgoutput/],
    ['an unknown plugin', { 'plugin.name': 'test_decoding' }, 'plugin.name', /Value must be one of pgoutput/],
    ['a bad slot name', { 'slot.name': 'Debezium-Slot' }, 'slot.name', /only digits, lowercase characters and underscores with length <= 63/],
    ['a 64-character slot name', { 'slot.name': 'a'.repeat(64) }, 'slot.name', /length <= 63/],
    ['a bad topic prefix', { 'topic.prefix': 'my prefix' }, 'topic.prefix', /only the underscore, hyphen, dot and alphanumeric characters are allowed/],
    ['a bad host name', { 'database.hostname': 'db host' }, 'database.hostname', /has invalid format/],
    ['a bad port', { 'database.port': '70000' }, 'database.port', /no more than 65535/],
    ['exported', { 'snapshot.mode': 'exported' }, 'snapshot.mode', /exported was removed from Debezium; use initial/],
    ['a custom snapshotter', { 'snapshot.mode': 'custom' }, 'snapshot.mode', /not supported by Tributary's Postgres source; use one of initial, always, no_data, initial_only, when_needed/],
    ['configuration_based', { 'snapshot.mode': 'configuration_based' }, 'snapshot.mode', /not supported.*use one of initial/],
    ['an unknown snapshot mode', { 'snapshot.mode': 'sometimes' }, 'snapshot.mode', /Value must be one of initial, always, no_data, never, initial_only, when_needed/],
    ['an unknown sslmode', { 'database.sslmode': 'verify' }, 'database.sslmode', /Value must be one of disable, allow, prefer, require, verify-ca, verify-full/],
    ['structured time', { 'time.precision.mode': 'structured' }, 'time.precision.mode', /structured is not supported.*use one of adaptive/],
    ['an unknown decimal mode', { 'decimal.handling.mode': 'exact' }, 'decimal.handling.mode', /Value must be one of precise, double, string/],
    ['an unknown publication mode', { 'publication.autocreate.mode': 'some' }, 'publication.autocreate.mode', /Value must be one of all_tables, filtered, disabled, no_tables/],
    ['an unknown operation', { 'skipped.operations': 'c,x' }, 'skipped.operations', /Invalid operation 'x': use a comma-separated list of c \(insert\)/],
    ['none with others', { 'skipped.operations': 'none,c' }, 'skipped.operations', /'none' cannot be specified with other skipped operation types/],
    ['an empty skip list', { 'skipped.operations': '' }, 'skipped.operations', /use 'none' to skip nothing/],
    ['a queue not above the batch', { 'max.batch.size': '8192' }, 'max.queue.size', /Must be larger than the maximum batch size \(max.batch.size=8192\)/],
    ['a bad hex placeholder', { 'unavailable.value.placeholder': 'hex:zz' }, 'unavailable.value.placeholder', /even number of hexadecimal digits/],
    ['a malformed key mapping', { 'message.key.columns': 'public.orders' }, 'message.key.columns', /expected <schema>\.<table>:<column>/],
    ['a bad filter regex', { 'table.include.list': 'public.(x' }, 'table.include.list', /'public\.\(x' is not a valid regular expression/],
    ['a key without its certificate', { 'database.sslkey': '/k.pem' }, 'database.sslkey', /set database.sslcert/],
    ['a bad heartbeat topic', { 'topic.heartbeat.name': 'heart beat' }, 'topic.heartbeat.name', /has invalid format/],
    ['signals', { 'signal.data.collection': 'public.dbz_signal' }, 'signal.data.collection', /signal.data.collection is not supported by Tributary's Postgres source \(in Debezium it reads signals.*\); remove it$/],
    ['incremental snapshot tuning', { 'incremental.snapshot.chunk.size': '4096' }, 'incremental.snapshot.chunk.size', /not supported by Tributary's Postgres source.*remove it or set it to 1024/],
    ['manual LSN flushing', { 'lsn.flush.mode': 'manual' }, 'lsn.flush.mode', /lsn.flush.mode is not supported.*remove it or set it to connector/],
    ['failover slots', { 'slot.failover': 'true' }, 'slot.failover', /not supported.*remove it or set it to false/],
    ['offset mismatch strategies', { 'offset.mismatch.strategy': 'trust_slot' }, 'offset.mismatch.strategy', /remove it or set it to no_validation/],
    ['xmin tracking', { 'xmin.fetch.interval.ms': '1000' }, 'xmin.fetch.interval.ms', /not supported.*set it to 0/],
    ['source type propagation', { 'datatype.propagate.source.type': '.+\\.NUMERIC' }, 'datatype.propagate.source.type', /not supported/],
    ['select overrides', { 'snapshot.select.statement.overrides': 'public.t' }, 'snapshot.select.statement.overrides', /not supported/],
    ['a custom snapshotter class (1.x)', { 'snapshot.custom.class': 'com.example.Snap' }, 'snapshot.custom.class', /not supported/],
    ['shared snapshot locks', { 'snapshot.locking.mode': 'shared' }, 'snapshot.locking.mode', /set it to none/],
    ['custom converters', { converters: 'geo', 'geo.type': 'com.example.Geo' }, 'converters', /Debezium custom converters.*remove it/],
    ['a masked column', { 'column.mask.with.12.chars': 'public.users.ssn' }, 'column.mask.with.<length>.chars', /column.mask.with.12.chars is not supported by Tributary's Postgres source/],
    ['a hashed column', { 'column.mask.hash.SHA-256.with.salt.CzQMA0cB5K': 'public.users.email' }, 'column.mask.hash.<algorithm>.with.salt.<salt>', /column.mask.hash.SHA-256.with.salt.CzQMA0cB5K is not supported/],
    ['a truncated column', { 'column.truncate.to.20.chars': 'public.users.bio' }, 'column.truncate.to.<length>.chars', /not supported/],
    ['a per-table select override', { 'snapshot.select.statement.overrides.public.t': 'SELECT 1' }, 'snapshot.select.statement.overrides.<schema>.<table>', /snapshot.select.statement.overrides.public.t is not supported/],
    ['database.server.name without topic.prefix', { 'database.server.name': 'fulfillment', 'topic.prefix': '' }, 'database.server.name', /was removed in Debezium 2.0; rename it to topic.prefix/],
    ['a 1.x whitelist', { 'table.whitelist': 'public.a' }, 'table.whitelist', /rename it to table.include.list/],
  ];

  for (const [what, overrides, key, message] of cases) {
    it(`refuses ${what} on ${key}`, () => {
      const props = { ...DOCS_EXAMPLE, 'table.include.list': '', ...overrides };
      const errors = errorsOf(props);
      expect(Object.keys(errors)).toContain(key);
      expect(errors[key]!.join('\n')).toMatch(message);
      expect(errors[key]!.every((e) => e.includes('configuration'))).toBe(true);
      const err = parseError(props);
      expect(err.message).toMatch(message);
    });
  }

  it('reports include and exclude lists given together on both keys', () => {
    for (const [inc, exc] of [['schema.include.list', 'schema.exclude.list'], ['table.include.list', 'table.exclude.list'], ['column.include.list', 'column.exclude.list']]) {
      const errors = errorsOf({ ...DOCS_EXAMPLE, 'table.include.list': '', [inc!]: 'a', [exc!]: 'b' });
      expect(errors[exc!]!.join()).toMatch(new RegExp(`"${inc}" is already specified; use either ${inc} or ${exc}, not both`));
      expect(errors[inc!]!.join()).toMatch(new RegExp(`"${exc}" is also specified`));
    }
  });

  it('lists every problem in one ConfigError', () => {
    const err = parseError({ 'plugin.name': 'decoderbufs', 'slot.name': 'Bad' });
    for (const m of [/database.hostname/, /database.user/, /database.dbname/, /topic.prefix/, /plugin.name/, /slot.name/]) expect(err.message).toMatch(m);
    expect(err.key).toBeUndefined();
    expect(parseError({ ...DOCS_EXAMPLE, 'slot.name': 'Bad' }).key).toBe('slot.name');
  });
});

describe('accepted compatibility values', () => {
  it('accepts unsupported keys set to the value that changes nothing, any case', () => {
    const props = { ...DOCS_EXAMPLE, 'lsn.flush.mode': 'CONNECTOR', 'slot.failover': 'false', 'offset.mismatch.strategy': 'no_validation', 'xmin.fetch.interval.ms': '0', 'incremental.snapshot.chunk.size': '1024', 'topic.delimiter': '.', 'snapshot.query.mode': 'select_all', 'snapshot.mode.configuration.based.snapshot.data': 'false', 'event.processing.failure.handling.mode': 'fail' };
    expect(errorsOf(props)).toEqual({});
  });

  it('accepts and ignores keys that change nothing here', () => {
    const props = { ...DOCS_EXAMPLE, 'snapshot.isolation.mode': 'repeatable_read', 'schema.refresh.mode': 'columns_diff_exclude_unchanged_toast', 'slot.max.retries': '10', 'slot.retry.delay.ms': '5000', 'heartbeat.topics.prefix': 'ignored', 'snapshot.lock.timeout.ms': '1000' };
    expect(errorsOf(props)).toEqual({});
    expect(parsePgCdcSettings(props).heartbeat.topic).toBe('__debezium-heartbeat.fulfillment');
    expect(errorsOf({ ...DOCS_EXAMPLE, 'snapshot.isolation.mode': 'chaos' })['snapshot.isolation.mode']!.join()).toMatch(/Value must be one of serializable/);
  });

  it('ignores database.server.name and 1.x lists when their replacement is set, as Debezium 2+ does', () => {
    expect(errorsOf({ ...DOCS_EXAMPLE, 'database.server.name': 'old', 'table.whitelist': 'public.x' })).toEqual({});
  });

  it("takes never as no_data, enum values in any case, and caps poll.interval.ms as Debezium does", () => {
    const s = parsePgCdcSettings({ ...DOCS_EXAMPLE, 'snapshot.mode': ' Never ', 'decimal.handling.mode': 'DOUBLE', 'plugin.name': 'PGOUTPUT', 'poll.interval.ms': '60000', 'snapshot.fetch.size': '0' });
    expect(s.snapshot.mode).toBe('no_data');
    expect(s.snapshot.fetchSize).toBe(10240);
    expect(s.typeModes.decimal).toBe('double');
    expect(s.pollIntervalMs).toBe(5000);
  });

  it('derives the heartbeat and transaction topics, honouring topic.heartbeat.name and topic.transaction', () => {
    const s = parsePgCdcSettings({ ...DOCS_EXAMPLE, 'topic.heartbeat.prefix': 'hb', 'topic.transaction': 'tx', 'heartbeat.interval.ms': '0' });
    expect(s.heartbeat).toEqual({ intervalMs: 0, actionQuery: undefined, topic: 'hb.fulfillment' });
    expect(s.transactionMetadata.topic).toBe('fulfillment.tx');
    expect(parsePgCdcSettings({ ...DOCS_EXAMPLE, 'topic.heartbeat.name': 'shared-heartbeats' }).heartbeat.topic).toBe('shared-heartbeats');
  });

  it('reads skipped operations and the hex placeholder', () => {
    const s = parsePgCdcSettings({ ...DOCS_EXAMPLE, 'skipped.operations': 'c, d ,t,r', 'unavailable.value.placeholder': 'hex:414243' });
    expect([...s.skipped].sort()).toEqual(['c', 'd', 't']);
    expect(s.typeModes.unavailablePlaceholder).toBe('ABC');
    expect([...s.typeModes.unavailablePlaceholderBytes]).toEqual([0x41, 0x42, 0x43]);
  });
});

describe('TLS settings', () => {
  const files: Record<string, string> = { '/ca.pem': 'CA', '/client.pem': 'CERT', '/client.key': 'KEY' };
  const readFile = (path: string): Uint8Array => {
    if (!(path in files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return Buffer.from(files[path]!);
  };
  const tls = (extra: Record<string, string>) => parsePgCdcSettings({ ...DOCS_EXAMPLE, ...extra }, readFile).connection;

  it("maps libpq's modes onto pg's ssl option, with a fallback for allow and prefer", () => {
    expect(tls({ 'database.sslmode': 'disable', 'database.sslrootcert': '/missing.pem' })).toMatchObject({ ssl: false, sslFallback: undefined });
    expect(tls({ 'database.sslmode': 'allow' })).toMatchObject({ ssl: false, sslFallback: { rejectUnauthorized: false } });
    expect(tls({ 'database.sslmode': 'prefer' })).toMatchObject({ ssl: { rejectUnauthorized: false }, sslFallback: false });
    expect(tls({ 'database.sslmode': 'require' })).toMatchObject({ ssl: { rejectUnauthorized: false }, sslFallback: undefined });
    const full = tls({ 'database.sslmode': 'verify-full', 'database.sslrootcert': '/ca.pem', 'database.sslcert': '/client.pem', 'database.sslkey': '/client.key', 'database.sslpassword': 'pass' });
    expect(full.ssl).toMatchObject({ rejectUnauthorized: true, passphrase: 'pass' });
    const ssl = full.ssl as { ca: Buffer; cert: Buffer; key: Buffer; checkServerIdentity?: unknown };
    expect([ssl.ca.toString(), ssl.cert.toString(), ssl.key.toString()]).toEqual(['CA', 'CERT', 'KEY']);
    expect(ssl.checkServerIdentity).toBeUndefined();
  });

  it('verifies the CA but not the host for verify-ca, and for require with a root certificate (as libpq)', () => {
    for (const mode of ['verify-ca', 'require']) {
      const ssl = tls({ 'database.sslmode': mode, 'database.sslrootcert': '/ca.pem' }).ssl as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
      expect(ssl.rejectUnauthorized).toBe(true);
      expect(ssl.checkServerIdentity()).toBeUndefined();
    }
  });

  it('refuses unreadable certificate files, naming each key', () => {
    expect(() => tls({ 'database.sslmode': 'verify-full', 'database.sslrootcert': '/nope.pem', 'database.sslcert': '/nope.crt', 'database.sslkey': '/client.key' })).toThrow(
      /configuration database.sslrootcert: cannot read the file \(ENOENT[^\n]*\n.*configuration database.sslcert: cannot read the file/,
    );
  });
});
