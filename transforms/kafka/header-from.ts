/**
 * Kafka Connect's `org.apache.kafka.connect.transforms.HeaderFrom$Key` / `$Value`: appends one header
 * per entry of `fields`, named by the same entry of `headers`, holding the field's value (with its
 * field schema, or no schema for a schemaless record). `operation=move` also removes the fields
 * (the struct keeps its name, version, doc and parameters but, as in Kafka, not its optionality);
 * `copy` leaves the key/value as it is. Existing headers stay, even with the same name.
 *
 * As in Kafka, a null key/value (tombstone) is a DataError. Naming a field the schema lacks is a
 * DataError too (Kafka fails with a NullPointerException).
 */
import { ConfigDef, ConfigError, DataError, oneOf, SchemaBuilder, Struct, type ConnectHeader, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import type { RecordPart } from '../support/record-part.js';
import { requireMap, requireStruct } from '../support/requirements.js';
import { copySchemaBasics, PerSchema } from '../support/schema-util.js';
import { defineReplaceNullWithDefault, fieldValue, nonEmptyList, REPLACE_NULL_WITH_DEFAULT_CONFIG } from '../support/struct-values.js';

const CONFIG_DEF = defineReplaceNullWithDefault(new ConfigDef()
  .define({ name: 'fields', type: 'LIST', importance: 'HIGH', validator: nonEmptyList(), documentation: 'Field names in the record whose values are to be copied or moved to headers.' })
  .define({ name: 'headers', type: 'LIST', importance: 'HIGH', validator: nonEmptyList(), documentation: 'Header names, in the same order as the field names listed in the fields configuration property.' })
  .define({
    name: 'operation', type: 'STRING', importance: 'HIGH', validator: oneOf(['move', 'copy']),
    documentation: 'Either move if the fields are to be moved to the headers (removed from the key/value), or copy if the fields are to be copied to the headers (retained in the key/value).',
  }));

/** Per input schema: the schema after a move (the input itself for copy), and per header the source field index. */
interface Plan {
  readonly schema: Schema;
  /** Input field index of each kept field, in output order (move only). */
  readonly kept: readonly number[];
  readonly sources: readonly number[];
}

export class HeaderFrom implements Transformation {
  private fields: readonly string[] = [];
  private headers: readonly string[] = [];
  private move = false;
  private purpose = '';
  private replaceNullWithDefault = true;
  /** Derived per input schema; replaced when reconfigured. */
  private plans = new PerSchema<Plan>();
  private readonly derive = (s: Schema): Plan => this.buildPlan(s);

  constructor(private readonly part: RecordPart) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.plans = new PerSchema<Plan>();
    const cfg = CONFIG_DEF.parse(props);
    this.fields = cfg.getList('fields');
    this.headers = cfg.getList('headers');
    if (this.fields.length !== this.headers.length) {
      throw new ConfigError("'fields' config must have the same number of elements as 'headers' config.", { key: 'headers' });
    }
    this.move = cfg.getString('operation') === 'move';
    this.purpose = `header ${cfg.getString('operation')!}`;
    this.replaceNullWithDefault = cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
  }

  apply(record: ConnectRecord): ConnectRecord {
    const value = this.part.value(record);
    const schema = this.part.schema(record);
    const headers: ConnectHeader[] = record.headers.slice();
    if (schema === null) {
      const map = requireMap(value, this.purpose);
      const out = { ...map };
      for (let i = 0; i < this.fields.length; i++) {
        const field = this.fields[i]!;
        if (this.move) delete out[field];
        headers.push({ key: this.headers[i]!, schema: null, value: map[field] ?? null });
      }
      return this.part.with(record, null, out, headers);
    }
    const struct = requireStruct(value, this.purpose);
    // Planned from the struct's own schema, whose field indexes the plan holds.
    const plan = this.plans.get(struct.schema, this.derive);
    const inFields = struct.schema.fields!;
    for (let i = 0; i < plan.sources.length; i++) {
      const f = inFields[plan.sources[i]!]!;
      headers.push({ key: this.headers[i]!, schema: f.schema, value: fieldValue(struct, f, this.replaceNullWithDefault) });
    }
    if (!this.move) return { ...record, headers };
    const values = plan.kept.map((index) => fieldValue(struct, inFields[index]!, this.replaceNullWithDefault));
    const out = Struct.fromValues(plan.schema, values);
    out.validate();
    return this.part.with(record, plan.schema, out, headers);
  }

  close(): void {}

  private buildPlan(schema: Schema): Plan {
    if (schema.type !== 'struct') throw new DataError(`Only Struct objects supported for [${this.purpose}], found: ${schema.type}`);
    const byName = new Map(schema.fields!.map((f) => [f.name, f.index]));
    const sources = this.fields.map((name) => {
      const index = byName.get(name);
      if (index === undefined) throw new DataError(`Field ${name} does not exist in the ${this.part.which} schema${schema.name ? ` ${schema.name}` : ''}`);
      return index;
    });
    if (!this.move) return { schema, kept: [], sources };
    const b = copySchemaBasics(schema, SchemaBuilder.struct());
    const kept: number[] = [];
    for (const f of schema.fields!) {
      if (this.fields.includes(f.name)) continue;
      b.field(f.name, f.schema);
      kept.push(f.index);
    }
    return { schema: b.build(), kept, sources };
  }
}
