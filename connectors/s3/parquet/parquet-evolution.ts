/**
 * Which schema changes one Parquet file can absorb, and the schema it continues with. A file keeps
 * the columns it has: a record may add OPTIONAL fields (top level or in nested structs, also under
 * lists and map values) or leave out OPTIONAL ones; anything that would change a column already
 * written (type, annotations, repetition) needs a new file.
 */
import { type Field, type Schema } from '../../../src/sdk/index.js';
import { leafSignature } from './parquet-schema.js';

/** `same`: stored alike; `merge`: compatible, the file continues with `unionSchema`; `incompatible`: cut the file. */
export type SchemaFit = 'same' | 'merge' | 'incompatible';

function worst(a: SchemaFit, b: SchemaFit): SchemaFit {
  if (a === 'incompatible' || b === 'incompatible') return 'incompatible';
  return a === 'merge' || b === 'merge' ? 'merge' : 'same';
}

/**
 * How `next` fits a file written with `current` (both Connect schemas of the same position). Names,
 * docs, versions and parameters other than Decimal's count only where they change the column.
 * `root`: the two are record schemas (the file's root), whose own `optional` does not matter.
 */
export function schemaFit(current: Schema, next: Schema, root = false): SchemaFit {
  if (current === next) return 'same';
  if (current.type !== next.type) return 'incompatible';
  switch (current.type) {
    case 'struct': {
      // The record's own optionality is not stored: the root of a Parquet schema has no repetition.
      if (current.optional !== next.optional && !root) return 'incompatible';
      const cur = current.fields!;
      const nxt = next.fields!;
      let fit: SchemaFit = cur.length === nxt.length ? 'same' : 'merge';
      for (let i = 0; i < cur.length && fit !== 'incompatible'; i++) {
        const f = cur[i]!;
        const g = nxt[i]?.name === f.name ? nxt[i] : nxt.find((x) => x.name === f.name);
        if (!g) fit = f.schema.optional ? worst(fit, 'merge') : 'incompatible';
        else fit = worst(worst(fit, g.index === f.index ? 'same' : 'merge'), schemaFit(f.schema, g.schema));
      }
      for (const g of nxt) {
        if (fit === 'incompatible') break;
        if (!cur.some((f) => f.name === g.name)) fit = g.schema.optional ? worst(fit, 'merge') : 'incompatible';
      }
      return fit;
    }
    case 'array':
      if (current.optional !== next.optional) return 'incompatible';
      return schemaFit(current.valueSchema!, next.valueSchema!);
    case 'map': {
      if (current.optional !== next.optional) return 'incompatible';
      // Keys are matched as values: no evolution inside them.
      if (schemaFit(current.keySchema!, next.keySchema!) !== 'same') return 'incompatible';
      return schemaFit(current.valueSchema!, next.valueSchema!);
    }
    default:
      return leafSignature(current) === leafSignature(next) ? 'same' : 'incompatible';
  }
}

/**
 * The schema a file continues with after a `merge`: `current`'s fields in their order (each merged
 * with its namesake in `next`), then the fields only `next` has, in `next`'s order. Columns keep
 * their positions, and new leaves always come after a group's existing ones. Returns `current`
 * itself when nothing is added. Call only when `schemaFit(current, next)` is not `incompatible`.
 */
export function unionSchema(current: Schema, next: Schema): Schema {
  if (current === next) return current;
  switch (current.type) {
    case 'struct': {
      let changed = false;
      const fields: Field[] = current.fields!.map((f) => {
        const g = next.fields!.find((x) => x.name === f.name);
        const schema = g ? unionSchema(f.schema, g.schema) : f.schema;
        if (schema !== f.schema) changed = true;
        return { name: f.name, index: f.index, schema };
      });
      for (const g of next.fields!) {
        if (fields.some((f) => f.name === g.name)) continue;
        fields.push({ name: g.name, index: fields.length, schema: g.schema });
        changed = true;
      }
      return changed ? Object.freeze({ ...current, fields: Object.freeze(fields) }) : current;
    }
    case 'array': {
      const valueSchema = unionSchema(current.valueSchema!, next.valueSchema!);
      return valueSchema === current.valueSchema ? current : Object.freeze({ ...current, valueSchema });
    }
    case 'map': {
      const valueSchema = unionSchema(current.valueSchema!, next.valueSchema!);
      return valueSchema === current.valueSchema ? current : Object.freeze({ ...current, valueSchema });
    }
    default:
      return current;
  }
}
