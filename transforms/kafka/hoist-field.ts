/**
 * Kafka Connect's `HoistField$Key` / `$Value`: wraps the key/value in a struct (schema present) or
 * map (schemaless) with the single field `field`. The wrapping schema is a plain, required struct
 * whose one field has the original schema. As in Kafka, a null is wrapped too, which fails for a
 * required original schema (the struct field is validated on put).
 */
import { ConfigDef, SchemaBuilder, Struct, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import type { RecordPart } from '../support/record-part.js';
import { PerSchema } from '../support/schema-util.js';

const FIELD = 'field';

const CONFIG_DEF = new ConfigDef().define({
  name: FIELD,
  type: 'STRING',
  importance: 'MEDIUM',
  documentation: 'Field name for the single field that will be created in the resulting Struct or Map.',
});

export class HoistField implements Transformation {
  private fieldName = '';
  private readonly schemas = new PerSchema<Schema>();
  private readonly deriveSchema = (s: Schema): Schema => SchemaBuilder.struct().field(this.fieldName, s).build();

  constructor(private readonly part: RecordPart) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.fieldName = CONFIG_DEF.parse(props).getString(FIELD)!;
  }

  apply<R extends ConnectRecord>(record: R): R {
    const schema = this.part.schema(record);
    const value = this.part.value(record) ?? null;
    if (schema === null) return this.part.with(record, null, { [this.fieldName]: value });
    const updated = this.schemas.get(schema, this.deriveSchema);
    return this.part.with(record, updated, new Struct(updated).put(this.fieldName, value));
  }

  close(): void {}
}
