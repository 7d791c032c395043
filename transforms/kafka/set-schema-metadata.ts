/**
 * Kafka Connect's `SetSchemaMetadata$Key` / `$Value`: sets the name and/or version of the key/value
 * schema, keeping everything else (type, optionality, default, doc, parameters, fields). A struct
 * value is rebuilt against the new schema so that `struct.schema` matches the record's schema. A
 * null value without a schema passes unchanged; a value without a schema fails.
 */
import { ConfigDef, ConfigError, Struct, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import type { RecordPart } from '../support/record-part.js';
import { requireSchema } from '../support/requirements.js';
import { PerSchema } from '../support/schema-util.js';
import { defineReplaceNullWithDefault, fieldValue, REPLACE_NULL_WITH_DEFAULT_CONFIG } from '../support/struct-values.js';

const SCHEMA_NAME = 'schema.name';
const SCHEMA_VERSION = 'schema.version';

const CONFIG_DEF = defineReplaceNullWithDefault(
  new ConfigDef()
    .define({ name: SCHEMA_NAME, type: 'STRING', default: null, importance: 'HIGH', documentation: 'Schema name to set.' })
    .define({ name: SCHEMA_VERSION, type: 'INT', default: null, importance: 'HIGH', documentation: 'Schema version to set.' }),
);

export class SetSchemaMetadata implements Transformation {
  private schemaName: string | null = null;
  private schemaVersion: number | null = null;
  private replaceNullWithDefault = true;
  private readonly schemas = new PerSchema<Schema>();
  private readonly deriveSchema = (s: Schema): Schema => {
    const out: { -readonly [K in keyof Schema]: Schema[K] } = { ...s };
    if (this.schemaName !== null) out.name = this.schemaName;
    if (this.schemaVersion !== null) out.version = this.schemaVersion;
    return Object.freeze(out);
  };

  constructor(private readonly part: RecordPart) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = CONFIG_DEF.parse(props);
    this.schemaName = cfg.getString(SCHEMA_NAME);
    this.schemaVersion = cfg.get(SCHEMA_VERSION) as number | null;
    this.replaceNullWithDefault = cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
    if (this.schemaName === null && this.schemaVersion === null) throw new ConfigError('Neither schema name nor version configured');
  }

  apply<R extends ConnectRecord>(record: R): R {
    const value = this.part.value(record) ?? null;
    const current = this.part.schema(record);
    if (value === null && current === null) return record;
    const schema = requireSchema(current, 'updating schema metadata');
    const updated = this.schemas.get(schema, this.deriveSchema);
    return this.part.with(record, updated, value instanceof Struct ? this.rebuild(value, updated) : value);
  }

  /** The struct's values under `schema`, which has the same fields as the struct's own schema. */
  private rebuild(struct: Struct, schema: Schema): Struct {
    const own = struct.schema.fields!;
    const values = new Array<unknown>(own.length);
    for (let i = 0; i < own.length; i++) values[i] = fieldValue(struct, own[i]!, this.replaceNullWithDefault);
    return Struct.fromValues(schema, values);
  }

  close(): void {}
}
