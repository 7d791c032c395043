/**
 * What a file needs to give row groups written before a schema merge the columns they lack.
 *
 * A leaf added under an existing struct is null in every old row, but its definition levels still
 * depend on whether that struct (and each list or map around it) was present in the row. So each
 * encoded row group keeps a skeleton of its struct-bearing columns: the converted value with every
 * leaf dropped and every struct reduced to its struct-bearing children. At `finish()` the null
 * column is encoded from the skeleton against a schema pruned to the missing leaves, in which LIST
 * and MAP groups are plain groups (`{list: [...]}`, `{key_value: [...]}`), so the encoder walks the
 * skeleton without needing map keys.
 */
import type { Schema } from '../../../src/sdk/index.js';
import { leafKey, type ParquetNode } from './parquet-schema.js';

/** A struct present in a row, with no struct-bearing children: shared, never mutated. */
const PRESENT: Readonly<Record<string, never>> = Object.freeze({});

type Skeletonize = (converted: unknown) => unknown;

function bearsStruct(s: Schema): boolean {
  if (s.type === 'struct') return true;
  if (s.type === 'array' || s.type === 'map') return bearsStruct(s.valueSchema!);
  return false;
}

const skeletonizers = new WeakMap<Schema, Skeletonize>();

/**
 * The skeleton function of a top-level field, or undefined when no struct lies below it (no field
 * can be added there, so nothing needs keeping). Works on converted values (`parquet-values.ts`).
 */
export function skeletonizer(s: Schema): Skeletonize | undefined {
  if (!bearsStruct(s)) return undefined;
  let fn = skeletonizers.get(s);
  if (fn) return fn;
  switch (s.type) {
    case 'struct': {
      const kids = s.fields!.filter((f) => bearsStruct(f.schema)).map((f) => [f.name, skeletonizer(f.schema)!] as const);
      fn = kids.length === 0
        ? (v) => (v == null ? null : PRESENT)
        : (v) => {
          if (v == null) return null;
          const out: Record<string, unknown> = {};
          for (const [name, k] of kids) out[name] = k((v as Record<string, unknown>)[name]);
          return out;
        };
      break;
    }
    case 'array': {
      const k = skeletonizer(s.valueSchema!)!;
      fn = (v) => (v == null ? null : { list: (v as unknown[]).map(k) });
      break;
    }
    default: {
      const k = skeletonizer(s.valueSchema!)!;
      fn = (v) => (v == null ? null : { key_value: (v as { value: unknown }[]).map((e) => k(e.value)) });
    }
  }
  skeletonizers.set(s, fn);
  return fn;
}

/** The skeletons of one column of one row group: a byte per row, the rare complex ones aside. */
export class SkeletonColumn {
  private readonly codes: Uint8Array;
  private readonly others = new Map<number, unknown>();

  constructor(values: readonly unknown[], skeletonize: Skeletonize) {
    this.codes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const s = skeletonize(values[i]);
      if (s === PRESENT) this.codes[i] = 1;
      else if (s !== null) {
        this.codes[i] = 2;
        this.others.set(i, s);
      }
    }
  }

  rows(): unknown[] {
    return Array.from(this.codes, (c, i) => (c === 0 ? null : c === 1 ? PRESENT : this.others.get(i)));
  }
}

/**
 * `column` reduced to the leaves in `keep`, groups stripped of LIST/MAP annotations (see the module
 * comment). Undefined when no leaf is kept.
 */
export function prunedColumn(column: ParquetNode, keep: ReadonlySet<string>): ParquetNode | undefined {
  if (column.children.length === 0) return keep.has(leafKey(column.path)) ? column : undefined;
  const children = column.children.map((c) => prunedColumn(c, keep)).filter((c): c is ParquetNode => c !== undefined);
  if (children.length === 0) return undefined;
  const { converted_type: _c, logical_type: _l, ...plain } = column.element;
  return { element: { ...plain, num_children: children.length }, path: column.path, children };
}
