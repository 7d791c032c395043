/**
 * Kafka Connect's `ValueToKey`: replaces the record key with a struct (or map) of the listed
 * fields copied from the value. The key schema is a plain, required struct of those fields' own
 * schemas; a field missing from the value's schema fails the record. A schemaless key holds every
 * listed field, absent ones as null. A null value fails the "Struct / Map required" check, as in
 * Kafka.
 */
import { ConfigDef, DataError, SchemaBuilder, Struct, type ConnectRecord, type Field, type Schema, type Transformation } from '../../src/sdk/index.js';
import { schemaField } from '../support/field-path.js';
import { requireMap, requireStruct, type PlainObject } from '../support/requirements.js';
import { defineReplaceNullWithDefault, fieldValue, nonEmptyList, REPLACE_NULL_WITH_DEFAULT_CONFIG } from '../support/struct-values.js';
import { PerSchema } from '../support/schema-util.js';

const PURPOSE = 'copying fields from value to key';
const FIELDS = 'fields';

const CONFIG_DEF = defineReplaceNullWithDefault(
  new ConfigDef().define({
    name: FIELDS,
    type: 'LIST',
    validator: nonEmptyList(),
    importance: 'HIGH',
    documentation: 'Field names on the record value to extract as the record key.',
  }),
);

/** The key schema and the value fields its fields are read from, in order. */
interface Plan {
  readonly schema: Schema;
  readonly sources: readonly Field[];
}

export class ValueToKey implements Transformation {
  private fields: readonly string[] = [];
  private replaceNullWithDefault = true;
  private readonly plans = new PerSchema<Plan>();
  private readonly derivePlan = (s: Schema): Plan => this.plan(s);

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = CONFIG_DEF.parse(props);
    this.fields = cfg.getList(FIELDS);
    this.replaceNullWithDefault = cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
  }

  apply<R extends ConnectRecord>(record: R): R {
    if (record.valueSchema === null) {
      const value = requireMap(record.value, PURPOSE);
      const key: PlainObject = {};
      for (const name of this.fields) key[name] = Object.prototype.hasOwnProperty.call(value, name) ? (value[name] ?? null) : null;
      return { ...record, keySchema: null, key };
    }
    const value = requireStruct(record.value, PURPOSE);
    const plan = this.plans.get(value.schema, this.derivePlan);
    const values = new Array<unknown>(plan.sources.length);
    for (let i = 0; i < values.length; i++) values[i] = fieldValue(value, plan.sources[i]!, this.replaceNullWithDefault);
    return { ...record, keySchema: plan.schema, key: Struct.fromValues(plan.schema, values) };
  }

  private plan(valueSchema: Schema): Plan {
    const b = SchemaBuilder.struct();
    const sources: Field[] = [];
    for (const name of this.fields) {
      const f = schemaField(valueSchema, name);
      if (f === null) throw new DataError(`Field does not exist: ${name}`);
      b.field(name, f.schema);
      sources.push(f);
    }
    return { schema: b.build(), sources };
  }

  close(): void {}
}
