/**
 * ExtractNewRecordState's `drop.fields.*`: a record header (`drop.fields.header.name`) lists field
 * names to remove from the unwrapped value (and, with `drop.fields.from.key`, from the key), as
 * Debezium does with a `ReplaceField` `exclude` delegate. With `drop.fields.keep.schema.compatible`
 * (the default) only fields whose schema is optional are removed.
 *
 * The reduced schema is `copySchemaBasics` of the input (so required, like ReplaceField's) with the
 * kept fields, computed once per input schema and field list. Schemaless maps lose every listed key.
 */
import { DataError, SchemaBuilder, Struct, type ConnectHeader, type Schema } from '../../src/sdk/index.js';
import { isPlainObject, type PlainObject } from '../support/requirements.js';
import { copySchemaBasics } from '../support/schema-util.js';

/** The field names held by header `name` of `headers`, or null when there is none (or it is empty). */
export function fieldsToDrop(headers: readonly ConnectHeader[], name: string): readonly string[] | null {
  let header: ConnectHeader | undefined;
  for (const h of headers) {
    if (h.key === name) {
      header = h;
      break;
    }
  }
  if (header === undefined || header.value === null || header.value === undefined) return null;
  const v = header.value;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new DataError(`header ${name} must hold a list of field names`);
  return v.length === 0 ? null : (v as string[]);
}

interface Reduced {
  readonly schema: Schema;
  /** Index in the input of each kept field, in order. */
  readonly kept: readonly number[];
}

export class FieldDropper {
  private readonly cache = new WeakMap<Schema, Map<string, Reduced | null>>();

  constructor(private readonly keepSchemaCompatible: boolean) {}

  /** `value` (a Struct, or a schemaless map) without the listed fields; itself when none applies. */
  drop(schema: Schema | null, value: unknown, names: readonly string[]): { schema: Schema | null; value: unknown } {
    if (value === null || value === undefined) return { schema, value };
    if (value instanceof Struct) {
      const reduced = this.reduce(value.schema, names);
      if (reduced === null) return { schema, value };
      const values = new Array<unknown>(reduced.kept.length);
      for (let i = 0; i < values.length; i++) values[i] = value.valueAt(reduced.kept[i]!);
      return { schema: reduced.schema, value: Struct.fromValues(reduced.schema, values) };
    }
    if (!isPlainObject(value)) return { schema, value };
    let out: PlainObject | null = null;
    for (const n of names) {
      if (!Object.prototype.hasOwnProperty.call(value, n)) continue;
      out ??= { ...value };
      delete out[n];
    }
    return { schema, value: out ?? value };
  }

  private reduce(schema: Schema, names: readonly string[]): Reduced | null {
    let bySchema = this.cache.get(schema);
    if (!bySchema) this.cache.set(schema, (bySchema = new Map()));
    const cacheKey = names.join('\u0000');
    let reduced = bySchema.get(cacheKey);
    if (reduced !== undefined) return reduced;
    const listed = new Set(names);
    const dropped = (f: { name: string; schema: Schema }): boolean => listed.has(f.name) && (!this.keepSchemaCompatible || f.schema.optional);
    const fields = schema.fields!;
    if (!fields.some(dropped)) {
      reduced = null;
    } else {
      const b = copySchemaBasics(schema, SchemaBuilder.struct());
      const kept: number[] = [];
      for (const f of fields) {
        if (dropped(f)) continue;
        b.field(f.name, f.schema);
        kept.push(f.index);
      }
      reduced = { schema: b.build(), kept };
    }
    bySchema.set(cacheKey, reduced);
    return reduced;
  }
}
