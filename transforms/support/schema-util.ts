/**
 * Schema helpers shared by the transformations: Kafka Connect's `SchemaUtil.copySchemaBasics` and a
 * per-schema cache of derived schemas (Kafka Connect keeps an LRU of 16; a WeakMap keyed by the
 * schema object does the same job without a bound: converters hand out one object per schema).
 */
import { SchemaBuilder, type Schema } from '../../src/sdk/index.js';

/** Copies name, version, doc and parameters of `source` onto `builder` (not optional / default). */
export function copySchemaBasics(source: Schema, builder: SchemaBuilder): SchemaBuilder {
  if (source.name !== undefined) builder.name(source.name);
  if (source.version !== undefined) builder.version(source.version);
  if (source.doc !== undefined) builder.doc(source.doc);
  if (source.parameters) for (const [k, v] of Object.entries(source.parameters)) builder.parameter(k, v);
  return builder;
}

/** A struct builder carrying `source`'s basics and optionality, without its fields. */
export function structLike(source: Schema): SchemaBuilder {
  const b = copySchemaBasics(source, SchemaBuilder.struct());
  return source.optional ? b.optional() : b;
}

/** Something derived once per input schema (a schema, or a schema and its index plan); weakly keyed. */
export class PerSchema<T> {
  private readonly cache = new WeakMap<Schema, T>();

  get(input: Schema, derive: (s: Schema) => T): T {
    let out = this.cache.get(input);
    if (out === undefined) this.cache.set(input, (out = derive(input)));
    return out;
  }
}
