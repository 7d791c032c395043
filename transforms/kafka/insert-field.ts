/**
 * Kafka Connect's `InsertField$Key` / `$Value`: adds fields holding the record's topic, partition,
 * offset (sink records only), timestamp and/or a static string to a struct or map. A field name
 * suffixed `!` is required in the new schema, `?` (or no suffix) optional. A null key/value
 * (tombstone) passes unchanged.
 *
 * As in Kafka, the updated struct schema keeps the name, version, doc and parameters of the input
 * schema but not its optionality or default (`SchemaUtil.copySchemaBasics`).
 */
import { ConfigDef, ConfigError, SchemaBuilder, Schemas, Struct, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import type { RecordPart } from '../support/record-part.js';
import { requireMap, requireSinkRecord, requireStruct } from '../support/requirements.js';
import { copySchemaBasics, PerSchema } from '../support/schema-util.js';
import { defineReplaceNullWithDefault, fieldValue, REPLACE_NULL_WITH_DEFAULT_CONFIG } from '../support/struct-values.js';

const PURPOSE = 'field insertion';
const OPTIONALITY_DOC = 'Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).';

const TOPIC_FIELD = 'topic.field';
const PARTITION_FIELD = 'partition.field';
const OFFSET_FIELD = 'offset.field';
const TIMESTAMP_FIELD = 'timestamp.field';
const STATIC_FIELD = 'static.field';
const STATIC_VALUE = 'static.value';

const field = (name: string, documentation: string) => ({ name, type: 'STRING' as const, default: null, importance: 'MEDIUM' as const, documentation });

const CONFIG_DEF = defineReplaceNullWithDefault(
  new ConfigDef()
    .define(field(TOPIC_FIELD, `Field name for Kafka topic. ${OPTIONALITY_DOC}`))
    .define(field(PARTITION_FIELD, `Field name for Kafka partition. ${OPTIONALITY_DOC}`))
    .define(field(OFFSET_FIELD, `Field name for Kafka offset - only applicable to sink connectors.<br/>${OPTIONALITY_DOC}`))
    .define(field(TIMESTAMP_FIELD, `Field name for record timestamp. ${OPTIONALITY_DOC}`))
    .define(field(STATIC_FIELD, `Field name for static data field. ${OPTIONALITY_DOC}`))
    .define(field(STATIC_VALUE, 'Static field value, if field name configured.')),
);

const TIMESTAMP = SchemaBuilder.timestamp().build();
const OPTIONAL_TIMESTAMP = SchemaBuilder.timestamp().optional().build();

interface InsertionSpec {
  readonly name: string;
  readonly optional: boolean;
}

function parseSpec(spec: string | null): InsertionSpec | null {
  if (spec === null) return null;
  if (spec.endsWith('?')) return { name: spec.slice(0, -1), optional: true };
  if (spec.endsWith('!')) return { name: spec.slice(0, -1), optional: false };
  return { name: spec, optional: true };
}

export class InsertField implements Transformation {
  private topicField: InsertionSpec | null = null;
  private partitionField: InsertionSpec | null = null;
  private offsetField: InsertionSpec | null = null;
  private timestampField: InsertionSpec | null = null;
  private staticField: InsertionSpec | null = null;
  private staticValue: string | null = null;
  private replaceNullWithDefault = true;
  private readonly schemas = new PerSchema<Schema>();
  private readonly deriveSchema = (s: Schema): Schema => this.updatedSchema(s);

  constructor(private readonly part: RecordPart) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = CONFIG_DEF.parse(props);
    this.topicField = parseSpec(cfg.getString(TOPIC_FIELD));
    this.partitionField = parseSpec(cfg.getString(PARTITION_FIELD));
    this.offsetField = parseSpec(cfg.getString(OFFSET_FIELD));
    this.timestampField = parseSpec(cfg.getString(TIMESTAMP_FIELD));
    this.staticField = parseSpec(cfg.getString(STATIC_FIELD));
    this.staticValue = cfg.getString(STATIC_VALUE);
    this.replaceNullWithDefault = cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
    if (!this.topicField && !this.partitionField && !this.offsetField && !this.timestampField && !this.staticField) {
      throw new ConfigError('No field insertion configured');
    }
    if (this.staticField && this.staticValue === null) {
      throw new ConfigError(`Invalid value null for configuration ${STATIC_VALUE}: No value specified for static field: ${this.staticField.name}`, { key: STATIC_VALUE });
    }
  }

  apply<R extends ConnectRecord>(record: R): R {
    const value = this.part.value(record);
    if (value === null || value === undefined) return record;
    return this.part.schema(record) === null ? this.applySchemaless(record, value) : this.applyWithSchema(record, value);
  }

  private applySchemaless<R extends ConnectRecord>(record: R, value: unknown): R {
    const updated = { ...requireMap(value, PURPOSE) };
    if (this.topicField) updated[this.topicField.name] = record.topic;
    if (this.partitionField && record.kafkaPartition !== null) updated[this.partitionField.name] = record.kafkaPartition;
    if (this.offsetField) updated[this.offsetField.name] = requireSinkRecord(record, PURPOSE).kafkaOffset;
    if (this.timestampField && record.timestamp !== null) updated[this.timestampField.name] = record.timestamp;
    if (this.staticField) updated[this.staticField.name] = this.staticValue;
    return this.part.with(record, null, updated);
  }

  private applyWithSchema<R extends ConnectRecord>(record: R, value: unknown): R {
    const struct = requireStruct(value, PURPOSE);
    const schema = this.schemas.get(struct.schema, this.deriveSchema);
    const fields = struct.schema.fields!;
    // Inserted values follow the struct's own, in the order updatedSchema appends their fields.
    const values: unknown[] = new Array<unknown>(schema.fields!.length);
    for (let i = 0; i < fields.length; i++) values[i] = fieldValue(struct, fields[i]!, this.replaceNullWithDefault);
    let i = fields.length;
    if (this.topicField) values[i++] = record.topic;
    if (this.partitionField) values[i++] = record.kafkaPartition ?? null;
    if (this.offsetField) values[i++] = requireSinkRecord(record, PURPOSE).kafkaOffset;
    if (this.timestampField) values[i++] = record.timestamp === null ? null : new Date(record.timestamp);
    if (this.staticField) values[i++] = this.staticValue;
    return this.part.with(record, schema, Struct.fromValues(schema, values));
  }

  private updatedSchema(input: Schema): Schema {
    const b = copySchemaBasics(input, SchemaBuilder.struct());
    for (const f of input.fields!) b.field(f.name, f.schema);
    const add = (spec: InsertionSpec | null, optional: Schema, required: Schema): void => {
      if (spec) b.field(spec.name, spec.optional ? optional : required);
    };
    add(this.topicField, Schemas.OPTIONAL_STRING, Schemas.STRING);
    add(this.partitionField, Schemas.OPTIONAL_INT32, Schemas.INT32);
    add(this.offsetField, Schemas.OPTIONAL_INT64, Schemas.INT64);
    add(this.timestampField, OPTIONAL_TIMESTAMP, TIMESTAMP);
    add(this.staticField, Schemas.OPTIONAL_STRING, Schemas.STRING);
    return b.build();
  }

  close(): void {}
}
