/**
 * Debezium's topic routing SMT: `io.debezium.transforms.ByLogicalTableRouter` and its successor
 * `ToLogicalTopicRouter` (Debezium 3.6), which differ only in the default `key.field.name`
 * (`__dbz__physicalTableIdentifier` / `__dbz__sourceIdentifier`) and the cache size key
 * (`logical.table.cache.size` / `logical.destination.cache.size`; the old router reads the new key
 * first).
 *
 * A record whose topic matches `topic.regex` entirely goes to `topic.replacement` (Java `$1`
 * syntax); any other record, or one routed to an empty name, passes unchanged. A routed record:
 * - key (a Struct): schema renamed `<new topic>.Key` (after `schema.name.adjustment.mode`), same
 *   version, doc, parameters and optionality, plus — with `key.enforce.uniqueness` (default) — a
 *   required string field `key.field.name` holding the old topic, or the `key.field.regex` /
 *   `key.field.replacement` rewrite of it when the regex matches. A schemaless map key gets the
 *   same entry; a null key stays null (with a null key schema, as Debezium returns it).
 * - value: an envelope (schema name ending `.Envelope`) is renamed `<new topic>.Envelope`, its
 *   `before` / `after` schema (from `before`, else `after`) `<new topic>.Value`, values copied.
 *   Tombstones and other values (heartbeats, schema changes, schemaless values) are kept as they are.
 *
 * Derived schemas are computed once per input schema and new topic; topic and key-field rewrites
 * are cached per topic (`logical.*.cache.size` entries).
 */
import { ConfigError, DataError, LruCache, SchemaBuilder, Schemas, Struct, type ConfigDef, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import { isPlainObject, requireMap, requireStruct } from '../support/requirements.js';
import { AFTER, BEFORE, ENVELOPE_SUFFIX, fieldOf, isEnvelopeSchema } from './envelope.js';
import {
  KEY_ENFORCE_UNIQUENESS,
  KEY_FIELD_NAME,
  KEY_FIELD_REGEX,
  KEY_FIELD_REPLACEMENT,
  LOGICAL_DESTINATION_CACHE_SIZE,
  LOGICAL_TABLE_CACHE_SIZE,
  routerConfigDef,
  SCHEMA_NAME_ADJUSTMENT_MODE,
  TOPIC_REGEX,
  TOPIC_REPLACEMENT,
  type RouterVariant,
} from './logical-topic-router-config.js';
import { RegexRewrite } from './regex-rewrite.js';
import { SchemaNameAdjuster, type SchemaNameAdjustmentMode } from './schema-name-adjuster.js';

export { BY_LOGICAL_TABLE, TO_LOGICAL_TOPIC, type RouterVariant } from './logical-topic-router-config.js';

const PURPOSE = 'Updating schema';

interface EnvelopeShape {
  readonly schema: Schema;
  /** The new `before` / `after` schema, or null when the envelope has neither. */
  readonly row: Schema | null;
  /** The schema `row` was derived from: rows of it are copied by position. */
  readonly sourceRow: Schema | null;
  /** Per envelope field: whether it holds a row (`before` / `after`). */
  readonly isRow: readonly boolean[];
  /** Per envelope field, the default a null takes (Kafka's `Struct.get`), or undefined. */
  readonly defaults: readonly unknown[];
}

export class LogicalTopicRouter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private readonly def: ConfigDef;
  private topicRewrite!: RegexRewrite;
  private keyFieldRewrite: RegexRewrite | null = null;
  private enforceUniqueness = true;
  private keyFieldName = '';
  private adjuster!: SchemaNameAdjuster;
  private topics!: LruCache<string, string | null>;
  private keyIds!: LruCache<string, string>;
  private keySchemas = new WeakMap<Schema, Map<string, Schema>>();
  private envelopes = new WeakMap<Schema, Map<string, EnvelopeShape>>();
  /** The last topic seen and its routing: records of one batch mostly share a topic. */
  private lastTopic: string | null = null;
  private lastRouted: string | null = null;

  constructor(private readonly variant: RouterVariant) {
    this.def = routerConfigDef(variant);
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = this.def.parse(props);
    const keyRegex = (cfg.getString(KEY_FIELD_REGEX) ?? '').trim();
    const keyReplacement = (cfg.getString(KEY_FIELD_REPLACEMENT) ?? '').trim();
    if (keyRegex !== '' && keyReplacement === '') {
      throw new ConfigError(`${KEY_FIELD_REPLACEMENT} must be non-empty if ${KEY_FIELD_REGEX} is set.`, { key: KEY_FIELD_REPLACEMENT });
    }
    this.topicRewrite = new RegexRewrite(cfg.getString(TOPIC_REGEX)!, cfg.getString(TOPIC_REPLACEMENT)!, TOPIC_REGEX, TOPIC_REPLACEMENT);
    this.keyFieldRewrite =
      keyRegex === '' ? null : new RegexRewrite(cfg.getString(KEY_FIELD_REGEX)!, cfg.getString(KEY_FIELD_REPLACEMENT)!, KEY_FIELD_REGEX, KEY_FIELD_REPLACEMENT);
    this.enforceUniqueness = cfg.getBoolean(KEY_ENFORCE_UNIQUENESS);
    this.keyFieldName = cfg.getString(KEY_FIELD_NAME) ?? this.variant.keyFieldNameDefault;
    this.adjuster = new SchemaNameAdjuster(cfg.getString(SCHEMA_NAME_ADJUSTMENT_MODE)!.trim().toLowerCase() as SchemaNameAdjustmentMode);
    const destinationSize = cfg.get(LOGICAL_DESTINATION_CACHE_SIZE) as number | null;
    const size = destinationSize ?? (this.variant.legacyCacheKey ? cfg.getInt(LOGICAL_TABLE_CACHE_SIZE) : 16);
    this.topics = new LruCache(size);
    this.keyIds = new LruCache(size);
    this.keySchemas = new WeakMap();
    this.envelopes = new WeakMap();
    this.lastTopic = null;
  }

  config(): ConfigDef {
    return this.def;
  }

  apply(r: R): R | null {
    const oldTopic = r.topic;
    const newTopic = this.route(oldTopic);
    if (newTopic === null || newTopic === '') return r;

    let keySchema: Schema | null = null;
    let key: unknown = null;
    const k = r.key;
    if (k !== null && k !== undefined) {
      if (k instanceof Struct || r.keySchema !== null || !(isPlainObject(k) || k instanceof Map)) {
        const oldKey = requireStruct(k, PURPOSE);
        keySchema = this.keySchema(oldKey.schema, newTopic);
        key = this.key(keySchema, oldKey, oldTopic);
      } else {
        key = this.enforceUniqueness ? { ...requireMap(k, PURPOSE), [this.keyFieldName]: this.keyId(oldTopic) } : k;
      }
    }

    const v = r.value;
    if (v === null || v === undefined || !isEnvelopeSchema(r.valueSchema)) return { ...r, topic: newTopic, keySchema, key };
    const env = requireStruct(v, PURPOSE);
    const shape = this.envelope(env.schema, newTopic);
    return { ...r, topic: newTopic, keySchema, key, valueSchema: shape.schema, value: this.envelopeValue(shape, env) };
  }

  close(): void {}

  private route(topic: string): string | null {
    if (topic === this.lastTopic) return this.lastRouted;
    let routed = this.topics.get(topic);
    if (routed === undefined) {
      routed = this.topicRewrite.apply(topic);
      this.topics.set(topic, routed);
    }
    this.lastTopic = topic;
    this.lastRouted = routed;
    return routed;
  }

  private keyId(oldTopic: string): string {
    if (this.keyFieldRewrite === null) return oldTopic;
    let id = this.keyIds.get(oldTopic);
    if (id === undefined) {
      id = this.keyFieldRewrite.apply(oldTopic) ?? oldTopic;
      this.keyIds.set(oldTopic, id);
    }
    return id;
  }

  private key(schema: Schema, old: Struct, oldTopic: string): Struct {
    const n = old.schema.fields!.length;
    const values = new Array<unknown>(schema.fields!.length);
    for (let i = 0; i < n; i++) values[i] = old.valueAt(i);
    if (this.enforceUniqueness) values[n] = this.keyId(oldTopic);
    return Struct.fromValues(schema, values);
  }

  private keySchema(old: Schema, newTopic: string): Schema {
    let byTopic = this.keySchemas.get(old);
    if (!byTopic) this.keySchemas.set(old, (byTopic = new Map()));
    let schema = byTopic.get(newTopic);
    if (schema === undefined) {
      const b = copyExcludingName(old, true).name(this.adjuster.adjust(`${newTopic}.Key`));
      if (this.enforceUniqueness) b.field(this.keyFieldName, Schemas.STRING);
      byTopic.set(newTopic, (schema = b.build()));
    }
    return schema;
  }

  private envelope(old: Schema, newTopic: string): EnvelopeShape {
    let byTopic = this.envelopes.get(old);
    if (!byTopic) this.envelopes.set(old, (byTopic = new Map()));
    let shape = byTopic.get(newTopic);
    if (shape !== undefined) return shape;
    const rowField = fieldOf(old, BEFORE) ?? fieldOf(old, AFTER);
    const row = rowField ? copyExcludingName(rowField.schema, true).name(this.adjuster.adjust(`${newTopic}.Value`)).build() : null;
    const b = copyExcludingName(old, false);
    const isRow: boolean[] = [];
    const defaults: unknown[] = [];
    for (const f of old.fields!) {
      const rowSlot = row !== null && (f.name === BEFORE || f.name === AFTER);
      b.field(f.name, rowSlot ? row : f.schema);
      isRow.push(rowSlot);
      defaults.push(f.schema.defaultValue === null ? undefined : f.schema.defaultValue);
    }
    b.name(this.adjuster.adjust(`${newTopic}${ENVELOPE_SUFFIX}`));
    shape = { schema: b.build(), row, sourceRow: rowField?.schema ?? null, isRow, defaults };
    byTopic.set(newTopic, shape);
    return shape;
  }

  private envelopeValue(shape: EnvelopeShape, old: Struct): Struct {
    const fields = old.schema.fields!;
    const values = new Array<unknown>(fields.length);
    for (let i = 0; i < fields.length; i++) {
      let x = old.valueAt(i);
      if (x === null || x === undefined) x = shape.defaults[i] ?? null;
      else if (shape.isRow[i]) x = this.row(shape, requireStruct(x, PURPOSE));
      values[i] = x;
    }
    return Struct.fromValues(shape.schema, values);
  }

  /** The row under the new schema, values as stored (no defaults applied). */
  private row(shape: EnvelopeShape, old: Struct): Struct {
    const schema = shape.row!;
    const fields = old.schema.fields!;
    if (old.schema === shape.sourceRow || (fields.length === schema.fields!.length && fields.every((f, i) => f.name === schema.fields![i]!.name))) {
      const values = new Array<unknown>(fields.length);
      for (let i = 0; i < fields.length; i++) values[i] = old.valueAt(i);
      return Struct.fromValues(schema, values);
    }
    const out = new Struct(schema);
    for (const f of fields) {
      try {
        out.put(f.name, old.valueAt(f.index));
      } catch (err) {
        throw new DataError(`${(err as Error).message} while copying ${old.schema.name ?? 'a row'} into ${schema.name}`);
      }
    }
    return out;
  }
}

/** Version, doc, parameters, optionality and (when `withFields`) the fields of `source`; no name. */
function copyExcludingName(source: Schema, withFields: boolean): SchemaBuilder {
  const b = SchemaBuilder.struct();
  if (source.version !== undefined) b.version(source.version);
  if (source.doc !== undefined) b.doc(source.doc);
  if (source.parameters) for (const [k, v] of Object.entries(source.parameters)) b.parameter(k, v);
  if (source.optional) b.optional();
  if (withFields) for (const f of source.fields ?? []) b.field(f.name, f.schema);
  return b;
}
