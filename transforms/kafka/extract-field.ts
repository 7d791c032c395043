/**
 * Kafka Connect's `ExtractField$Key` / `$Value`: replaces the key/value with one of its fields,
 * which with `field.syntax.version=V2` may be nested (`a.b`, backticks around names holding dots;
 * KIP-821). The new schema is that field's schema. A null key/value stays null (with the field's
 * schema when there is one); a field missing from a map gives null, from a schema an error.
 */
import { ConfigDef, DataError, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import { defineFieldSyntaxVersion, FieldPath, fieldSyntaxVersionOf } from '../support/field-path.js';
import type { RecordPart } from '../support/record-part.js';
import { requireMapOrNull, requireStructOrNull } from '../support/requirements.js';
import { PerSchema } from '../support/schema-util.js';
import { defineReplaceNullWithDefault, REPLACE_NULL_WITH_DEFAULT_CONFIG } from '../support/struct-values.js';

const PURPOSE = 'field extraction';
const FIELD = 'field';

const CONFIG_DEF = defineFieldSyntaxVersion(
  defineReplaceNullWithDefault(new ConfigDef().define({ name: FIELD, type: 'STRING', importance: 'MEDIUM', documentation: 'Field name to extract.' })),
);

export class ExtractField implements Transformation {
  private path = FieldPath.parse('', 'V1');
  private originalPath = '';
  private replaceNullWithDefault = true;
  private readonly schemas = new PerSchema<Schema>();
  private readonly deriveSchema = (s: Schema): Schema => {
    // Kafka's Schema.field() refuses non-struct schemas with this message.
    if (s.type !== 'struct') throw new DataError('Cannot look up fields on non-struct type');
    const f = this.path.fieldFrom(s);
    if (f === null) throw new DataError(`Unknown field: ${this.originalPath}`);
    return f.schema;
  };

  constructor(private readonly part: RecordPart) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = CONFIG_DEF.parse(props);
    this.originalPath = cfg.getString(FIELD)!;
    this.path = FieldPath.parse(this.originalPath, fieldSyntaxVersionOf(cfg), FIELD);
    this.replaceNullWithDefault = cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
  }

  apply<R extends ConnectRecord>(record: R): R {
    const schema = this.part.schema(record);
    if (schema === null) {
      const map = requireMapOrNull(this.part.value(record), PURPOSE);
      return this.part.with(record, null, map === null ? null : this.path.valueFromMap(map));
    }
    const struct = requireStructOrNull(this.part.value(record), PURPOSE);
    const fieldSchema = this.schemas.get(schema, this.deriveSchema);
    return this.part.with(record, fieldSchema, struct === null ? null : this.path.valueFromStruct(struct, this.replaceNullWithDefault));
  }

  close(): void {}
}
