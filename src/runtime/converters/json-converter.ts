/**
 * Kafka Connect's `org.apache.kafka.connect.json.JsonConverter`, byte-compatible with it.
 *
 * With `schemas.enable=true` (the default) each key or value is the envelope
 * `{"schema":S,"payload":P}` (see `json-schema.ts` for S, `json-data.ts` for P, which
 * `json-writer.ts` compiles per schema for writing); with it false the payload alone is written and
 * read back without a schema.
 *
 * Differences from Kafka, all on the side of rejecting or keeping more:
 * - a null value is always a tombstone (null bytes), as the SDK's Converter contract says; Kafka
 *   writes an envelope with a null (or default) payload when a schema is given;
 * - input is checked against the schema (Jackson reads a string in an int32 field as 0) and text
 *   after the root JSON value is an error (Jackson ignores it);
 * - a Decimal whose scale differs from the schema's is rescaled when no digits are lost.
 */
import {
  type Converter,
  type HeaderConverter,
  type Schema,
  type SchemaAndValue,
  ConfigDef,
  DataError,
  LruCache,
  atLeast,
  oneOf,
} from '../../sdk/index.js';
import { type ConverterRole, converterRole, converterTypeKey, CONVERTER_TYPE_CONFIG } from './converter-config.js';
import { type DecimalFormat, type JsonDataOptions, schemalessToConnect, toConnect, toJson } from './json-data.js';
import { payloadReader, type PayloadReader } from './json-reader.js';
import { asConnectSchema, asJsonSchema } from './json-schema.js';
import { fastJson } from './json-writer.js';
import { type JsonValue, JsonCursor, JsonObject, JsonSyntaxError, parseJson } from './lossless-json.js';
import { Where } from './where.js';

export const SCHEMAS_ENABLE_CONFIG = 'schemas.enable';
export const SCHEMAS_CACHE_SIZE_CONFIG = 'schemas.cache.size';
export const DECIMAL_FORMAT_CONFIG = 'decimal.format';
export const REPLACE_NULL_WITH_DEFAULT_CONFIG = 'replace.null.with.default';

/** Kafka's exact message for input that is not an envelope. */
export const ENVELOPE_REQUIRED_MESSAGE =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields.' +
  ' If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

const SERIALIZATION_FAILED = 'Converting byte[] to Kafka Connect data failed due to serialization error: ';

const CONFIG_DEF = new ConfigDef()
  .define(converterTypeKey)
  .define({
    name: SCHEMAS_ENABLE_CONFIG, type: 'BOOLEAN', default: true, importance: 'HIGH', group: 'Schemas', orderInGroup: 0,
    width: 'MEDIUM', displayName: 'Enable Schemas', documentation: 'Include schemas within each of the serialized values and keys.',
  })
  .define({
    name: SCHEMAS_CACHE_SIZE_CONFIG, type: 'INT', default: 1000, validator: atLeast(0), importance: 'HIGH', group: 'Schemas',
    orderInGroup: 1, width: 'MEDIUM', displayName: 'Schema Cache Size',
    documentation: 'The maximum number of schemas that can be cached in this converter instance.',
  })
  .define({
    name: DECIMAL_FORMAT_CONFIG, type: 'STRING', default: 'BASE64', validator: oneOf(['BASE64', 'NUMERIC'], true),
    recommendedValues: ['BASE64', 'NUMERIC'], importance: 'LOW', group: 'Serialization', orderInGroup: 0, width: 'MEDIUM',
    displayName: 'Decimal Format',
    documentation: "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
  })
  .define({
    name: REPLACE_NULL_WITH_DEFAULT_CONFIG, type: 'BOOLEAN', default: true, importance: 'LOW', group: 'Serialization',
    orderInGroup: 1, width: 'MEDIUM', displayName: 'Replace null with default',
    documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
  });

const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** For the text after a known envelope head: a BOM there is content, as it is in the middle of a whole decode. */
const UTF8_TAIL = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Envelope heads remembered for the fast path (see `readAfterHead`): a few schemas per topic. */
const HEADS = 8;
/**
 * Fast-path misses in a row after which a head is no longer tried (a producer whose payloads the
 * readers always leave to the general path, e.g. `1.0` in integer fields, would pay twice).
 */
const MAX_MISSES = 16;
/**
 * Records with a given-up head after which it is tried once more, so a burst of odd records does
 * not disable the fast path for good, while a producer that always misses pays one try per this many.
 */
const RETRY_EVERY = 256;
const RAW_SCHEMA = { rawMembers: new Set(['schema']) };
const NULL_SCHEMA_AND_VALUE: SchemaAndValue = Object.freeze({ schema: null, value: null });
const NULL_SCHEMA_HEAD = Buffer.from('{"schema":null,"payload":', 'utf8');

/**
 * The bytes of an envelope up to where its payload value starts (`{"schema":S,"payload":`, as
 * written), the schema they give and its compiled payload reader.
 */
interface Head {
  readonly bytes: Buffer;
  readonly schema: Schema | null;
  readonly reader: PayloadReader | null;
  /** Fast-path misses since the last hit. */
  misses: number;
  /** Records with this head not tried since it was given up on (`misses` ≥ MAX_MISSES) or last tried. */
  skipped: number;
}

export class JsonConverter implements Converter, HeaderConverter {
  private options: JsonDataOptions = { decimalFormat: 'BASE64', replaceNullWithDefault: true };
  private schemasEnabled = true;
  private role: ConverterRole = 'value';
  private fromConnectSchemas = new LruCache<Schema, Buffer>(1000);
  private toConnectSchemas = new LruCache<string, Schema>(1000);
  /** Most recently used first; empty when schemas are disabled or not cached. */
  private heads: Head[] = [];
  private readonly reads = { afterHead: 0, whole: 0 };

  /** Usable with the defaults before `configure` is called. */
  constructor() {
    this.configure({}, false);
  }

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  /** `isKey` is omitted when configured as a header converter. Throws ConfigError. */
  configure(configs: Readonly<Record<string, string>>, isKey?: boolean): void {
    const c = CONFIG_DEF.parse(configs);
    this.schemasEnabled = c.getBoolean(SCHEMAS_ENABLE_CONFIG);
    this.options = Object.freeze({
      decimalFormat: c.getString(DECIMAL_FORMAT_CONFIG)!.trim().toUpperCase() as DecimalFormat,
      replaceNullWithDefault: c.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG),
    });
    this.role = converterRole(c.getString(CONVERTER_TYPE_CONFIG), isKey);
    const size = c.getInt(SCHEMAS_CACHE_SIZE_CONFIG);
    this.fromConnectSchemas = new LruCache(size);
    this.toConnectSchemas = new LruCache(size);
    this.heads = [];
  }

  fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.write(topic, schema, value, this.role);
  }

  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue {
    return this.read(topic, bytes, this.role);
  }

  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.write(topic, schema, value, `header ${JSON.stringify(headerKey)}`);
  }

  toConnectHeader(topic: string, headerKey: string, bytes: Buffer | null): SchemaAndValue {
    return this.read(topic, bytes, `header ${JSON.stringify(headerKey)}`);
  }

  /** Entries in the two schema caches (Connect → JSON, JSON → Connect); for tests and metrics. */
  schemaCacheSizes(): { fromConnect: number; toConnect: number } {
    return { fromConnect: this.fromConnectSchemas.size, toConnect: this.toConnectSchemas.size };
  }

  /**
   * Envelopes read since construction: `afterHead` by the fast path (a known schema head, only the
   * payload parsed), `whole` parsed entirely; for tests and metrics.
   */
  readCounts(): { afterHead: number; whole: number } {
    return { ...this.reads };
  }

  private write(topic: string, schema: Schema | null, value: unknown, root: string): Buffer | null {
    if (value === null || value === undefined) return null;
    const payload = (schema === null ? undefined : fastJson(schema, value, this.options)) ?? toJson(schema, value, this.options, Where.root(topic, root));
    if (!this.schemasEnabled) return Buffer.from(payload, 'utf8');
    // `{"schema":S,"payload":` + P + `}`, with the first part encoded once per schema.
    const head = schema === null ? NULL_SCHEMA_HEAD : this.envelopeHeadOf(schema, topic);
    const out = Buffer.allocUnsafe(head.length + Buffer.byteLength(payload, 'utf8') + 1);
    head.copy(out, 0);
    out[out.length - 1] = 0x7d;
    out.write(payload, head.length, 'utf8');
    return out;
  }

  private envelopeHeadOf(schema: Schema, topic: string): Buffer {
    let head = this.fromConnectSchemas.get(schema);
    if (head === undefined) {
      head = Buffer.from(`{"schema":${asJsonSchema(schema, this.options, Where.root(topic, 'schema'))},"payload":`, 'utf8');
      this.fromConnectSchemas.set(schema, head);
    }
    return head;
  }

  private read(topic: string, bytes: Buffer | null, root: string): SchemaAndValue {
    if (bytes === null || bytes === undefined) return NULL_SCHEMA_AND_VALUE;
    const heads = this.heads;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i]!;
      const h = head.bytes;
      if (bytes.length <= h.length || bytes.compare(h, 0, h.length, 0, h.length) !== 0) continue;
      if (head.misses >= MAX_MISSES && ++head.skipped < RETRY_EVERY) break;
      head.skipped = 0;
      const read = this.readAfterHead(head, bytes);
      if (read === undefined) {
        head.misses++;
        break;
      }
      head.misses = 0;
      if (i > 0) heads.unshift(heads.splice(i, 1)[0]!);
      this.reads.afterHead++;
      return read;
    }
    return this.readWhole(topic, bytes, root);
  }

  /**
   * The fast path, for an envelope whose bytes start with a head seen before: only the payload is
   * read, with the schema's compiled reader. The general path produced that head from a document
   * whose last member was the payload, and it parses left to right, so on any document with the
   * same head and a tail of one JSON value, optional whitespace, `}` and optional whitespace, it
   * reaches the same schema and reads the payload at the same depth: the result is the same.
   * Undefined (the general path then decides, errors included) for any other tail.
   */
  private readAfterHead(head: Head, bytes: Buffer): SchemaAndValue | undefined {
    try {
      // The head is valid UTF-8 ending on a character boundary: the whole is valid iff the tail is.
      const c = new JsonCursor(UTF8_TAIL.decode(bytes.subarray(head.bytes.length)), false, undefined);
      c.skipWs();
      const value = head.reader === null ? schemalessToConnect(c.value(1)) : head.reader(c, 1);
      c.skipWs();
      if (c.s.charCodeAt(c.pos) !== 0x7d) return undefined;
      c.pos++;
      c.skipWs();
      if (c.pos !== c.s.length) return undefined;
      return { schema: head.schema, value };
    } catch {
      return undefined;
    }
  }

  private readWhole(topic: string, bytes: Buffer, root: string): SchemaAndValue {
    this.reads.whole++;
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch (err) {
      throw new DataError(`${SERIALIZATION_FAILED}invalid UTF-8 (topic "${topic}")`, { cause: err });
    }
    // Jackson reads empty input as a missing node: null without schemas, not an envelope with them.
    if (/^[ \t\r\n]*$/.test(text)) {
      if (this.schemasEnabled) throw new DataError(ENVELOPE_REQUIRED_MESSAGE);
      return NULL_SCHEMA_AND_VALUE;
    }
    let json: JsonValue;
    try {
      json = parseJson(text, this.schemasEnabled ? RAW_SCHEMA : undefined);
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw new DataError(`${SERIALIZATION_FAILED}${err.message} (topic "${topic}")`, { cause: err });
      throw err;
    }
    if (!this.schemasEnabled) return { schema: null, value: toConnect(null, json, this.options, Where.root(topic, root)) };

    if (!(json instanceof JsonObject) || json.members.size !== 2 || !json.members.has('schema') || !json.members.has('payload')) {
      throw new DataError(ENVELOPE_REQUIRED_MESSAGE);
    }
    const schema = this.connectSchemaOf(json.raw!.get('schema')!, topic);
    const value = toConnect(schema, json.get('payload'), this.options, Where.root(topic, root));
    if (json.last!.name === 'payload') this.rememberHead(bytes, text, json.last!.at, schema);
    return { schema, value };
  }

  /** Remembers the bytes before the payload value at `at` (a UTF-16 index into `text`, the decoded `bytes`). */
  private rememberHead(bytes: Buffer, text: string, at: number, schema: Schema | null): void {
    // Without a schema cache every record parses its schema (schemas.cache.size=0); a BOM (which
    // the decoder dropped) would shift the offsets.
    if (this.toConnectSchemas.capacity <= 0 || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) return;
    // UTF-16 and UTF-8 lengths agree only for ASCII.
    const end = text.length === bytes.length ? at : Buffer.byteLength(text.slice(0, at), 'utf8');
    const heads = this.heads;
    const same = heads.findIndex((h) => h.bytes.length === end && bytes.compare(h.bytes, 0, end, 0, end) === 0);
    if (same >= 0) {
      // Known (read here after a miss): kept with its count of misses.
      if (same > 0) heads.unshift(heads.splice(same, 1)[0]!);
      return;
    }
    // A copy: `bytes` may be a view of a whole fetch.
    heads.unshift({ bytes: Buffer.from(bytes.subarray(0, end)), schema, reader: schema === null ? null : payloadReader(schema, this.options), misses: 0, skipped: 0 });
    if (heads.length > HEADS) heads.pop();
  }

  /** The schema's text is the cache key: a producer writes the same text for every record. */
  private connectSchemaOf(text: string, topic: string): Schema | null {
    if (text === 'null') return null;
    const cached = this.toConnectSchemas.get(text);
    if (cached !== undefined) return cached;
    const schema = asConnectSchema(parseJson(text), this.options, Where.root(topic, 'schema'));
    if (schema !== null) this.toConnectSchemas.set(text, schema);
    return schema;
  }
}
