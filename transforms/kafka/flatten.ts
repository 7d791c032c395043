/**
 * Kafka Connect's `org.apache.kafka.connect.transforms.Flatten$Key` / `$Value`: nested structs
 * (schemaful) or maps (schemaless) become top-level fields named by joining the path with
 * `delimiter` (default `.`); arrays and their contents are left alone.
 *
 * With a schema, a flattened field is optional when it or any ancestor struct is, and takes its
 * default from its own schema or else from the ancestors' default structs; the flattened struct
 * keeps the input's name, version, doc and parameters (not its optionality or default). Map fields
 * in a struct are refused, as in Kafka. Null keys/values (tombstones) pass through untouched.
 */
import { ConfigDef, DataError, SchemaBuilder, Struct, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import { describeValue } from '../support/describe-value.js';
import type { RecordPart } from '../support/record-part.js';
import { isPlainObject, requireMap, requireStructOrNull, type PlainObject } from '../support/requirements.js';
import { copySchemaBasics, PerSchema } from '../support/schema-util.js';

const PURPOSE = 'flattening';

const CONFIG_DEF = new ConfigDef().define({
  name: 'delimiter',
  type: 'STRING',
  default: '.',
  importance: 'MEDIUM',
  documentation: 'Delimiter to insert between field names from the input record when generating field names for the output record',
});

/** Per input schema: the flat schema and, per flat field, the field-index path into the input. */
interface Plan {
  readonly schema: Schema;
  readonly paths: readonly (readonly number[])[];
}

export class Flatten implements Transformation {
  private delimiter = '.';
  /** Derived per input schema; replaced when reconfigured. */
  private plans = new PerSchema<Plan>();
  private readonly derive = (s: Schema): Plan => this.buildPlan(s);

  constructor(private readonly part: RecordPart) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.plans = new PerSchema<Plan>();
    this.delimiter = CONFIG_DEF.parse(props).getString('delimiter') ?? '';
  }

  apply(record: ConnectRecord): ConnectRecord {
    const value = this.part.value(record);
    if (value === null || value === undefined) return record;
    const schema = this.part.schema(record);
    if (schema === null) {
      const out: PlainObject = {};
      this.flattenMap(requireMap(value, PURPOSE), '', out);
      return this.part.with(record, null, out);
    }
    const struct = requireStructOrNull(value, PURPOSE)!;
    const plan = this.plans.get(struct.schema, this.derive);
    const values = new Array<unknown>(plan.paths.length);
    for (let i = 0; i < plan.paths.length; i++) values[i] = read(struct, plan.paths[i]!);
    const out = Struct.fromValues(plan.schema, values);
    out.validate();
    return this.part.with(record, plan.schema, out);
  }

  close(): void {}

  private name(prefix: string, field: string): string {
    return prefix === '' ? field : `${prefix}${this.delimiter}${field}`;
  }

  private flattenMap(map: PlainObject, prefix: string, out: PlainObject): void {
    for (const key of Object.keys(map)) {
      const name = this.name(prefix, key);
      const v = map[key];
      if (v === null || v === undefined) out[name] = null;
      else if (isPlainObject(v) || v instanceof Map) this.flattenMap(requireMap(v, PURPOSE), name, out);
      else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'string' || Buffer.isBuffer(v) || Array.isArray(v)) out[name] = v;
      else if (v instanceof Struct) throw new DataError(`Flatten transformation does not support Struct for record without schemas (for field ${name}).`);
      else throw new DataError(`Flatten transformation was passed a value of type ${describeValue(v)} which is not supported by Connect's data API`);
    }
  }

  private buildPlan(schema: Schema): Plan {
    if (schema.type !== 'struct') throw new DataError(`Only Struct objects supported for [${PURPOSE}], found: ${schema.type}`);
    const b = copySchemaBasics(schema, SchemaBuilder.struct());
    const paths: number[][] = [];
    this.addFields(schema, '', [], b, paths, schema.optional, schema.defaultValue instanceof Struct ? schema.defaultValue : null);
    return { schema: b.build(), paths };
  }

  private addFields(schema: Schema, prefix: string, path: number[], out: SchemaBuilder, paths: number[][], optional: boolean, parentDefault: Struct | null): void {
    for (const f of schema.fields!) {
      const name = this.name(prefix, f.name);
      const fieldOptional = optional || f.schema.optional;
      let dflt: unknown = f.schema.defaultValue ?? null;
      if (dflt === null && parentDefault !== null) dflt = parentDefault.get(f.name);
      switch (f.schema.type) {
        case 'struct':
          this.addFields(f.schema, name, [...path, f.index], out, paths, fieldOptional, dflt instanceof Struct ? dflt : null);
          break;
        case 'map':
          throw new DataError(`Flatten transformation does not support MAP for record with schemas (for field ${name}).`);
        default: {
          const fb = copySchemaBasics(f.schema, f.schema.type === 'array' ? SchemaBuilder.array(f.schema.valueSchema!) : SchemaBuilder.type(f.schema.type));
          if (fieldOptional) fb.optional();
          if (dflt !== null) fb.defaultValue(dflt);
          out.field(name, fb.build());
          paths.push([...path, f.index]);
        }
      }
    }
  }
}

/** The value at `path`, applying each level's default to a null as Kafka's `Struct.get` does. */
function read(struct: Struct, path: readonly number[]): unknown {
  let s: Struct = struct;
  for (let i = 0; ; i++) {
    const f = s.schema.fields![path[i]!]!;
    let v = s.valueAt(f.index) ?? null;
    if (v === null && f.schema.defaultValue !== undefined) v = f.schema.defaultValue;
    if (i === path.length - 1 || v === null) return v;
    s = v as Struct;
  }
}
