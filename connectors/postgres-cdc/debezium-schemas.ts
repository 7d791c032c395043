/**
 * The fixed schemas of Debezium's Postgres change events (debezium-connector-common SchemaFactory,
 * Envelope; PostgresSourceInfoStructMaker), and the naming rules for topics and record schemas.
 */
import { SchemaBuilder, Schemas, type Schema } from '../../src/sdk/index.js';

/** The `source.snapshot` values, in Debezium's enum order. */
export const SNAPSHOT_MARKERS = ['true', 'first', 'first_in_data_collection', 'last_in_data_collection', 'last', 'false', 'incremental'] as const;
export type SnapshotMarker = (typeof SNAPSHOT_MARKERS)[number];

const snapshotSchema = SchemaBuilder.string()
  .name('io.debezium.data.Enum')
  .version(1)
  .parameter('allowed', SNAPSHOT_MARKERS.join(','))
  .defaultValue('false')
  .optional()
  .build();

/** `io.debezium.connector.postgresql.Source`, field order as Debezium builds it. */
export const SOURCE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.postgresql.Source')
  .version(1)
  .field('version', Schemas.STRING)
  .field('connector', Schemas.STRING)
  .field('name', Schemas.STRING)
  .field('ts_ms', Schemas.INT64)
  .field('snapshot', snapshotSchema)
  .field('db', Schemas.STRING)
  .field('sequence', Schemas.OPTIONAL_STRING)
  .field('ts_us', Schemas.OPTIONAL_INT64)
  .field('ts_ns', Schemas.OPTIONAL_INT64)
  .field('schema', Schemas.STRING)
  .field('table', Schemas.STRING)
  .field('txId', Schemas.OPTIONAL_INT64)
  .field('lsn', Schemas.OPTIONAL_INT64)
  .field('xmin', Schemas.OPTIONAL_INT64)
  .field('origin', Schemas.OPTIONAL_STRING)
  .field('origin_lsn', Schemas.OPTIONAL_INT64)
  .build();

/** The envelope's `transaction` block (`event.block`). */
export const TRANSACTION_BLOCK_SCHEMA: Schema = SchemaBuilder.struct()
  .optional()
  .name('event.block')
  .version(1)
  .field('id', Schemas.STRING)
  .field('total_order', Schemas.INT64)
  .field('data_collection_order', Schemas.INT64)
  .build();

/** `<prefix>.<schema>.<table>.Envelope`, version 2: before, after, source, transaction, op, ts_ms, ts_us, ts_ns. */
export function envelopeSchema(name: string, rowSchema: Schema): Schema {
  return SchemaBuilder.struct()
    .name(name)
    .version(2)
    .field('before', rowSchema)
    .field('after', rowSchema)
    .field('source', SOURCE_SCHEMA)
    .field('transaction', TRANSACTION_BLOCK_SCHEMA)
    .field('op', Schemas.STRING)
    .field('ts_ms', Schemas.OPTIONAL_INT64)
    .field('ts_us', Schemas.OPTIONAL_INT64)
    .field('ts_ns', Schemas.OPTIONAL_INT64)
    .build();
}

/** `__debezium-heartbeat.<prefix>` records: key `{serverName}`, value `{ts_ms}`. */
export const HEARTBEAT_KEY_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.ServerNameKey')
  .version(1)
  .field('serverName', Schemas.STRING)
  .build();

export const HEARTBEAT_VALUE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.Heartbeat')
  .version(1)
  .field('ts_ms', Schemas.INT64)
  .build();

export const TRANSACTION_KEY_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.TransactionMetadataKey')
  .version(1)
  .field('id', Schemas.STRING)
  .build();

const eventCountSchema = SchemaBuilder.struct()
  .optional()
  .name('event.collection')
  .version(1)
  .field('data_collection', Schemas.STRING)
  .field('event_count', Schemas.INT64)
  .build();

export const TRANSACTION_VALUE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.TransactionMetadataValue')
  .version(1)
  .field('status', Schemas.STRING)
  .field('id', Schemas.STRING)
  .field('event_count', Schemas.OPTIONAL_INT64)
  .field('data_collections', SchemaBuilder.array(eventCountSchema).optional().build())
  .field('ts_ms', Schemas.INT64)
  .build();

export const EVENT_COUNT_SCHEMA: Schema = eventCountSchema;

/**
 * Debezium's default topic naming: characters other than letters, digits, `.`, `_` and `-` become
 * `_`. Record schema names are the topic name plus `.Key` / `.Value` / `.Envelope` (Debezium 2+
 * defaults `schema.name.adjustment.mode` to none).
 */
export function topicName(...parts: string[]): string {
  return parts.join('.').replace(/[^A-Za-z0-9._-]/g, '_');
}
