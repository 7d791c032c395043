/**
 * Connect schemas ⇄ the JSON schema objects of Kafka Connect's JsonConverter envelope
 * (`asJsonSchema` / `asConnectSchema`).
 *
 * Written members follow Jackson's insertion order in Kafka's `asJsonSchema`: `type`, then `items`
 * (array) / `keys`, `values` (map) / `fields` (struct), then `optional`, `name`, `version`, `doc`,
 * `parameters`, `default`. A struct field is its schema's object with `field` appended last:
 * `{"type":"int32","optional":false,"field":"id"}`.
 */
import { type Schema, type SchemaType, DataError, SchemaBuilder } from '../../sdk/index.js';
import { type JsonDataOptions, toConnect, toJson } from './json-data.js';
import { quoteJson } from './java-text.js';
import { type JsonValue, JsonNumber, JsonObject } from './lossless-json.js';
import type { Where } from './where.js';

/** SDK type → JSON type name (Kafka writes `float`/`double` for FLOAT32/FLOAT64). */
const TYPE_NAMES: Record<SchemaType, string> = {
  int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64',
  float32: 'float', float64: 'double',
  boolean: 'boolean', string: 'string', bytes: 'bytes',
  array: 'array', map: 'map', struct: 'struct',
};

const PRIMITIVE_BUILDERS: Record<string, () => SchemaBuilder> = {
  boolean: SchemaBuilder.bool,
  int8: SchemaBuilder.int8,
  int16: SchemaBuilder.int16,
  int32: SchemaBuilder.int32,
  int64: SchemaBuilder.int64,
  float: SchemaBuilder.float32,
  double: SchemaBuilder.float64,
  bytes: SchemaBuilder.bytes,
  string: SchemaBuilder.string,
};

/** The JSON text of a schema. */
export function asJsonSchema(schema: Schema, o: JsonDataOptions, at: Where): string {
  let s = `{"type":"${TYPE_NAMES[schema.type]}"`;
  switch (schema.type) {
    case 'array':
      s += `,"items":${asJsonSchema(need(schema.valueSchema, 'Array', at), o, at.field('items'))}`;
      break;
    case 'map':
      s += `,"keys":${asJsonSchema(need(schema.keySchema, 'Map key', at), o, at.field('keys'))}`;
      s += `,"values":${asJsonSchema(need(schema.valueSchema, 'Map value', at), o, at.field('values'))}`;
      break;
    case 'struct': {
      const fields = (schema.fields ?? []).map((f) => {
        const json = asJsonSchema(f.schema, o, at.field(f.name));
        return `${json.slice(0, -1)},"field":${quoteJson(f.name)}}`;
      });
      s += `,"fields":[${fields.join(',')}]`;
      break;
    }
  }
  s += `,"optional":${schema.optional ? 'true' : 'false'}`;
  if (schema.name !== undefined) s += `,"name":${quoteJson(schema.name)}`;
  if (schema.version !== undefined) s += `,"version":${schema.version}`;
  if (schema.doc !== undefined) s += `,"doc":${quoteJson(schema.doc)}`;
  if (schema.parameters !== undefined) {
    const params = Object.entries(schema.parameters).map(([k, v]) => `${quoteJson(k)}:${quoteJson(v)}`);
    s += `,"parameters":{${params.join(',')}}`;
  }
  if (schema.defaultValue !== undefined && schema.defaultValue !== null) {
    s += `,"default":${toJson(schema, schema.defaultValue, o, at.field('default'))}`;
  }
  return `${s}}`;
}

function need(s: Schema | undefined, what: string, at: Where): Schema {
  if (!s) throw at.fail(`Couldn't translate ${what} schema: it is missing`);
  return s;
}

/** The Connect schema of a JSON schema object; `null` (schemaless) for a JSON null. */
export function asConnectSchema(node: JsonValue | undefined, o: JsonDataOptions, at: Where): Schema | null {
  if (node === null) return null;
  const type = node instanceof JsonObject ? node.get('type') : undefined;
  if (typeof type !== 'string') throw at.fail("Schema must contain 'type' field");
  const json = node as JsonObject;
  let builder: SchemaBuilder;
  const primitive = PRIMITIVE_BUILDERS[type];
  if (primitive) builder = primitive();
  else if (type === 'array') {
    const items = json.get('items');
    if (items === undefined || items === null) throw at.fail('Array schema did not specify the element type');
    builder = SchemaBuilder.array(nested(items, o, at.field('items')));
  } else if (type === 'map') {
    const keys = json.get('keys');
    if (keys === undefined || keys === null) throw at.fail('Map schema did not specify the key type');
    const values = json.get('values');
    if (values === undefined || values === null) throw at.fail('Map schema did not specify the value type');
    builder = SchemaBuilder.map(nested(keys, o, at.field('keys')), nested(values, o, at.field('values')));
  } else if (type === 'struct') {
    builder = SchemaBuilder.struct();
    const fields = json.get('fields');
    if (!Array.isArray(fields)) throw at.fail('Struct schema\'s "fields" argument is not an array.');
    for (const field of fields) {
      const name = field instanceof JsonObject ? field.get('field') : undefined;
      if (typeof name !== 'string') throw at.fail("Struct schema's field name not specified properly");
      const fieldSchema = nested(field, o, at.field(name));
      try {
        builder.field(name, fieldSchema);
      } catch (err) {
        throw at.fail((err as Error).message, err);
      }
    }
  } else {
    throw at.fail(`Unknown schema type: ${type}`);
  }

  if (json.get('optional') === true) builder.optional();
  const name = json.get('name');
  if (typeof name === 'string') builder.name(name);
  const version = json.get('version');
  if (version instanceof JsonNumber && version.integral) builder.version(Number(version.raw));
  const doc = json.get('doc');
  if (typeof doc === 'string') builder.doc(doc);
  const params = json.get('parameters');
  if (params instanceof JsonObject) {
    for (const [k, v] of params.members) {
      if (typeof v !== 'string') throw at.fail('Schema parameters must have string values.');
      builder.parameter(k, v);
    }
  }

  const withoutDefault = build(builder, at);
  const defaultNode = json.get('default');
  if (defaultNode === undefined) return withoutDefault;
  // As Kafka: the default is read with the schema built so far, and a null default means none.
  const def = toConnect(withoutDefault, defaultNode, o, at.field('default'));
  if (def === null) return withoutDefault;
  builder.defaultValue(def);
  return build(builder, at);
}

function nested(node: JsonValue, o: JsonDataOptions, at: Where): Schema {
  const s = asConnectSchema(node, o, at);
  if (!s) throw at.fail('A nested schema may not be null');
  return s;
}

function build(builder: SchemaBuilder, at: Where): Schema {
  try {
    return builder.build();
  } catch (err) {
    if (err instanceof DataError) throw at.fail(err.message, err);
    throw err;
  }
}
