/**
 * What the key and header files beside a value file hold (Confluent's `RecordViews`, used by its
 * `KeyValueHeaderRecordWriterProvider`). A view turns a record into the record a value format's
 * writer takes, so the JSON lines, ByteArray and Parquet writers serve keys and headers unchanged:
 *
 * - **keys** (`store.kafka.keys`): the key with its key schema, as if it were the value. Parquet
 *   wraps it in a struct `RecordKey { key }` (Confluent envelopes every Parquet view), so a key of a
 *   primitive schema is a one-column file and a struct key is one struct column `key`.
 * - **headers** (`store.kafka.headers`): `RecordHeaders { headers: [{ key, value }] }` in JSON
 *   (`{"headers":[{"key":"k","value":"v"}]}`) and Parquet alike, each header value as text
 *   (Kafka's `Values.convertToString`, see `headerText`).
 *
 * As in Confluent, a null key (with keys stored) or a record without headers (with headers stored)
 * is a DataError. Views are taken before any file takes the record, so the files stay aligned.
 */
import { DataError, type ConnectHeader, type Schema, SchemaBuilder, Schemas, Struct, type SinkRecord } from '../../../src/sdk/index.js';

/** The record as one kind of file takes it; throws DataError when the record has nothing to write there. */
export type RecordView = (record: SinkRecord) => SinkRecord;

const where = (r: SinkRecord): string => `${r.topic}-${r.kafkaPartition} offset ${r.kafkaOffset}`;

/** The key as the value: what JsonFormat and ByteArrayFormat key files hold. */
export const keyView: RecordView = (r) => {
  if (r.key === null || r.key === undefined) {
    throw new DataError(
      `Key cannot be null for the record at ${where(r)}: with store.kafka.keys=true every record's key is written to the .keys file beside its value (Confluent fails too)`,
    );
  }
  return { ...r, valueSchema: r.keySchema, value: r.key };
};

/** The envelope struct of each key schema, built once per schema (Parquet caches its plans by schema identity). */
const keyEnvelopes = new WeakMap<Schema, Schema>();

/** The key in a struct `RecordKey { key }`: what ParquetFormat key files hold. */
export const keyEnvelopeView: RecordView = (r) => {
  const key = keyView(r).value;
  const schema = r.keySchema;
  if (schema === null) {
    throw new DataError(
      `the key at ${where(r)} has no schema, which Parquet key files need ` +
        '(with JsonConverter set key.converter.schemas.enable=true; or use keys.format.class=JsonFormat)',
    );
  }
  let envelope = keyEnvelopes.get(schema);
  if (envelope === undefined) {
    envelope = SchemaBuilder.struct().name('RecordKey').field('key', schema).build();
    keyEnvelopes.set(schema, envelope);
  }
  return { ...r, valueSchema: envelope, value: Struct.fromValues(envelope, [key]) };
};

/**
 * One header. Confluent declares `value` required, so a header with a null value fails its task;
 * here it is optional and such a header is written with a null value.
 */
export const HEADER_SCHEMA: Schema = SchemaBuilder.struct().field('key', Schemas.STRING).field('value', Schemas.OPTIONAL_STRING).build();
/** Every header of a record, in order. */
export const HEADERS_SCHEMA: Schema = SchemaBuilder.struct().name('RecordHeaders').field('headers', SchemaBuilder.array(HEADER_SCHEMA).build()).build();

/** A header's value as text, or null for a null value. */
export type HeaderText = (topic: string, header: ConnectHeader) => string | null;

/** The headers in a struct `RecordHeaders { headers }`: what JsonFormat and ParquetFormat header files hold. */
export function headersView(text: HeaderText): RecordView {
  return (r) => {
    if (r.headers.length === 0) {
      throw new DataError(
        `Headers cannot be empty for the record at ${where(r)}: with store.kafka.headers=true every record needs headers for the .headers file beside its value (Confluent fails too)`,
      );
    }
    const list = r.headers.map((h) => Struct.fromValues(HEADER_SCHEMA, [h.key, text(r.topic, h)]));
    return { ...r, valueSchema: HEADERS_SCHEMA, value: Struct.fromValues(HEADERS_SCHEMA, [list]) };
  };
}


/**
 * Header values as text with `valuesText` (Kafka's `Values.convertToString`, given by the runtime):
 * strings as they are, bytes as base64, dates as ISO-8601, decimals as Java's BigDecimal text,
 * containers as Kafka writes them. A value it cannot write is a DataError naming the header.
 */
export function headerText(valuesText: (schema: Schema | null, value: unknown) => string): HeaderText {
  return (_topic, h) => {
    const v = h.value;
    if (v === null || v === undefined) return null;
    try {
      return valuesText(h.schema, v);
    } catch (err) {
      throw new DataError(`the header ${h.key} cannot be written as text: ${(err as Error).message}`, { cause: err });
    }
  };
}
