/**
 * The `add.fields` / `add.headers` entries of ExtractNewRecordState (Debezium's
 * `AbstractExtractNewRecordState.FieldReference`): which envelope field an entry names and what the
 * added field or header is called.
 *
 * - `op`, `ts_ms`, `ts_us`, `ts_ns` are the envelope's own fields; `id`, `total_order`,
 *   `data_collection_order` are in `transaction`; any other bare name is in `source`.
 * - `struct.field` names the struct explicitly (`source.ts_ms`); the added name is then
 *   `<prefix><struct>_<field>` (`__source_ts_ms`), else `<prefix><field>` (`__lsn`).
 * - `field:NEW` renames: `<prefix>NEW`.
 * - A field the named struct lacks is looked up on the envelope itself; one found nowhere is not
 *   added (Debezium's code; its docs claim otherwise).
 *
 * References are parsed at configure time and resolved against an envelope schema once per schema.
 */
import { ConfigError, type Schema, type Struct } from '../../src/sdk/index.js';
import { isPlainObject, type PlainObject } from '../support/requirements.js';
import { fieldOf, optionalCopy, SOURCE, TRANSACTION } from './envelope.js';

export interface FieldReference {
  /** The struct holding the field (`source`, `transaction`, ...), or null for the envelope itself. */
  readonly struct: string | null;
  readonly field: string;
  /** The name of the added field or header, prefix included. */
  readonly newField: string;
}

/** A reference found in one envelope schema: where to read it and the schema of what is added. */
export interface ResolvedField {
  readonly newField: string;
  /** Optional, without default: Debezium adds `copySchemaBasics(schema).optional()`. */
  readonly schema: Schema;
  /** Index of the holding struct in the envelope, or -1 when the field is the envelope's own. */
  readonly parentIndex: number;
  readonly index: number;
}

function structOf(simpleName: string): string | null {
  switch (simpleName) {
    case 'id':
    case 'total_order':
    case 'data_collection_order':
      return TRANSACTION;
    case 'op':
    case 'ts_ms':
    case 'ts_us':
    case 'ts_ns':
      return null;
    case 'updateDescription':
      return 'updateDescription';
    default:
      return SOURCE;
  }
}

/** Parses one list setting (`add.fields` or `add.headers`); empty entries are skipped. */
export function parseFieldReferences(prefix: string, entries: readonly string[], key: string): FieldReference[] {
  const out: FieldReference[] = [];
  for (const entry of entries) {
    if (entry === '') continue;
    // Java's String.split drops trailing empty parts: "op:" is "op".
    const parts = entry.split(':');
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    if (parts.length > 2) throw new ConfigError(`Invalid value ${entry} for configuration ${key}: Unexpected field name: ${entry}`, { key });
    const path = parts[0]!.split('.');
    if (path.length > 2 || path.some((p) => p === '')) {
      throw new ConfigError(`Invalid value ${entry} for configuration ${key}: expected 'field' or 'struct.field'`, { key });
    }
    const field = path.length === 1 ? path[0]! : path[1]!;
    const struct = path.length === 1 ? structOf(field) : path[0]!;
    const newField = prefix + (parts.length === 2 ? parts[1]! : path.length === 1 ? field : `${struct}_${field}`);
    out.push({ struct, field, newField });
  }
  return out;
}

/** Where `ref` lives in envelopes of `envelope`, or null when it is not there. */
export function resolveField(ref: FieldReference, envelope: Schema): ResolvedField | null {
  if (ref.struct !== null) {
    const parent = fieldOf(envelope, ref.struct);
    const f = parent && parent.schema.type === 'struct' ? fieldOf(parent.schema, ref.field) : undefined;
    if (parent && f) return { newField: ref.newField, schema: optionalCopy(f.schema), parentIndex: parent.index, index: f.index };
  }
  const own = fieldOf(envelope, ref.field);
  return own ? { newField: ref.newField, schema: optionalCopy(own.schema), parentIndex: -1, index: own.index } : null;
}

/** The referenced value of one envelope (null when its holding struct is null, as `transaction` in a snapshot). */
export function readField(f: ResolvedField, envelope: Struct): unknown {
  if (f.parentIndex < 0) return envelope.valueAt(f.index);
  const parent = envelope.valueAt(f.parentIndex) as Struct | null;
  return parent === null || parent === undefined ? null : parent.valueAt(f.index);
}

/** Marks a reference a schemaless envelope does not have. */
export const ABSENT: unique symbol = Symbol('absent');

/** The referenced value of a schemaless envelope, or ABSENT. */
export function readSchemalessField(ref: FieldReference, envelope: PlainObject): unknown {
  const has = Object.prototype.hasOwnProperty;
  if (ref.struct !== null && has.call(envelope, ref.struct)) {
    const parent = envelope[ref.struct];
    if (isPlainObject(parent)) {
      if (has.call(parent, ref.field)) return parent[ref.field];
    } else if (parent === null) {
      // A null block (no transaction metadata): the field is there, without a value.
      return null;
    }
  }
  return has.call(envelope, ref.field) ? envelope[ref.field] : ABSENT;
}
