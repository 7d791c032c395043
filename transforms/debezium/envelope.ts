/**
 * Debezium's change-event envelope as its transformations recognise it (`io.debezium.data.Envelope`,
 * `SmtManager.isValidEnvelope`): a value schema whose name ends in `.Envelope`, with `before`,
 * `after`, `source`, `op`, `ts_ms` (and `transaction`, `ts_us`, `ts_ns`) fields.
 *
 * Schemaless records have no schema name to go by; a plain object with a string `op` and an `after`
 * key (what JsonConverter with `schemas.enable=false` makes of an envelope) is taken as one.
 */
import { DataError, type Field, type Schema } from '../../src/sdk/index.js';
import { isPlainObject, type PlainObject } from '../support/requirements.js';

export const ENVELOPE_SUFFIX = '.Envelope';
export const BEFORE = 'before';
export const AFTER = 'after';
export const SOURCE = 'source';
export const OP = 'op';
export const TRANSACTION = 'transaction';
/** Operation code of a delete (`Envelope.Operation.DELETE`). */
export const OP_DELETE = 'd';

export function isEnvelopeSchema(schema: Schema | null): schema is Schema {
  return schema !== null && schema.name !== undefined && schema.name.endsWith(ENVELOPE_SUFFIX);
}

export function isSchemalessEnvelope(value: unknown): value is PlainObject {
  return isPlainObject(value) && typeof value[OP] === 'string' && Object.prototype.hasOwnProperty.call(value, AFTER);
}

/** The field of a struct schema called `name`, or undefined (also for a schema that is not a struct). */
export function fieldOf(schema: Schema, name: string): Field | undefined {
  return schema.fields?.find((f) => f.name === name);
}

/** Like `fieldOf`, but a missing field is Kafka's `DataException("Unknown field: ...")`. */
export function requireField(schema: Schema, name: string): Field {
  const f = fieldOf(schema, name);
  if (!f) throw new DataError(`Unknown field: ${name}`);
  return f;
}

/**
 * An optional copy of `schema` without its default: Kafka's
 * `SchemaUtil.copySchemaBasics(schema).optional().build()`, keeping the element / field schemas of
 * arrays, maps and structs (Kafka's copy loses them).
 */
export function optionalCopy(schema: Schema): Schema {
  if (schema.optional && schema.defaultValue === undefined) return schema;
  const { defaultValue: _dropped, ...rest } = schema;
  return Object.freeze({ ...rest, optional: true });
}
