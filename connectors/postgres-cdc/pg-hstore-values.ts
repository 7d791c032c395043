/**
 * HSTORE (`hstore.handling.mode`: `json` → io.debezium.data.Json string, `map` → MAP<STRING, STRING?>)
 * and the pgvector types. Debezium reads both into a java.util.HashMap (pgjdbc's HStoreConverter,
 * Vectors#fromSparseVectorString), so its JSON lists entries in HashMap iteration order; that order
 * is reproduced here so the strings match byte for byte.
 */
import { SchemaBuilder, Struct, type Schema } from '../../src/sdk/index.js';

/** Java's String#hashCode over UTF-16 code units. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The iteration order of a java.util.HashMap filled with `hashes` in order (distinct keys): by bucket
 * `spread(hash) & (capacity - 1)`, insertion order within a bucket. Capacity starts at the power of
 * two at or above `initialCapacity` (16 for `new HashMap()`) and doubles past 3/4 full. (Buckets
 * turned into trees, 9+ colliding keys, are not modelled.)
 */
export function javaHashMapOrder(hashes: readonly number[], initialCapacity = 16): number[] {
  let capacity = 1;
  while (capacity < initialCapacity) capacity *= 2;
  while (hashes.length > capacity * 0.75) capacity *= 2;
  const mask = capacity - 1;
  const order = hashes.map((_, i) => i);
  const bucket = hashes.map((h) => (h ^ (h >>> 16)) & mask);
  return order.sort((a, b) => bucket[a]! - bucket[b]! || a - b);
}

/** Reads hstore output (`"a"=>"1", "b"=>NULL`) into key/value lists in text order. */
function parseHstore(text: string): { keys: string[]; values: Array<string | null> } {
  const keys: string[] = [];
  const values: Array<string | null> = [];
  let i = 0;
  const quoted = (): string => {
    if (text.charCodeAt(i) !== 34) throw new RangeError('quoted hstore key or value expected');
    let out = '';
    let from = ++i;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) {
        out += text.slice(from, i);
        from = ++i;
      } else if (c === 34) {
        out += text.slice(from, i++);
        return out;
      }
    }
    throw new RangeError('unterminated hstore string');
  };
  while (i < text.length) {
    keys.push(quoted());
    if (!text.startsWith('=>', i)) throw new RangeError('=> expected');
    i += 2;
    if (text.startsWith('NULL', i)) {
      values.push(null);
      i += 4;
    } else values.push(quoted());
    if (i < text.length) {
      if (!text.startsWith(', ', i)) throw new RangeError(', expected');
      i += 2;
    }
  }
  return { keys, values };
}

/** A JSON string literal as Jackson writes it (control characters as `\uXXXX` in upper case). */
function jacksonString(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 34 && c !== 92) continue;
    out += s.slice(from, i);
    from = i + 1;
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c === 8) out += '\\b';
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 12) out += '\\f';
    else if (c === 13) out += '\\r';
    else out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `${out}${s.slice(from)}"`;
}

export function hstoreMapping(mode: 'json' | 'map'): { builder: SchemaBuilder; convert: (t: string) => unknown } {
  if (mode === 'map') {
    return {
      builder: SchemaBuilder.map(SchemaBuilder.string().build(), SchemaBuilder.string().optional().build()),
      convert: (t) => {
        const { keys, values } = parseHstore(t);
        const m = new Map<string, string | null>();
        for (const i of javaHashMapOrder(keys.map(javaStringHash))) m.set(keys[i]!, values[i]!);
        return m;
      },
    };
  }
  return {
    builder: SchemaBuilder.string().name('io.debezium.data.Json').version(1),
    convert: (t) => {
      const { keys, values } = parseHstore(t);
      const parts = javaHashMapOrder(keys.map(javaStringHash)).map((i) => {
        const v = values[i];
        return `${jacksonString(keys[i]!)}:${v === null ? 'null' : jacksonString(v!)}`;
      });
      return `{${parts.join(',')}}`;
    },
  };
}

/** The JSON Debezium puts for an unchanged TOASTed hstore: `{placeholder: placeholder}`. */
export function hstorePlaceholder(placeholder: string, mode: 'json' | 'map'): unknown {
  return mode === 'map' ? new Map([[placeholder, placeholder]]) : `{${jacksonString(placeholder)}:${jacksonString(placeholder)}}`;
}

/** pgvector `vector` / `halfvec` (`[1,2.5,3]`): io.debezium.data.DoubleVector / FloatVector arrays. */
export function vectorMapping(half: boolean): { builder: SchemaBuilder; convert: (t: string) => unknown } {
  const element = half ? SchemaBuilder.float32().build() : SchemaBuilder.float64().build();
  return {
    builder: SchemaBuilder.array(element).name(half ? 'io.debezium.data.FloatVector' : 'io.debezium.data.DoubleVector').version(1),
    convert: (t) => {
      const s = t.trim();
      if (s.charCodeAt(0) !== 91 || s.charCodeAt(s.length - 1) !== 93) throw new RangeError('vector expected');
      return s.slice(1, -1).split(',').map((x) => (half ? Math.fround(number(x)) : number(x)));
    },
  };
}

/** pgvector `sparsevec` (`{1:1.5,3:2}/5`): io.debezium.data.SparseDoubleVector {dimensions, vector}. */
export function sparseVectorMapping(): { builder: SchemaBuilder; convert: (t: string, schema: Schema) => unknown } {
  return {
    builder: SchemaBuilder.struct().name('io.debezium.data.SparseDoubleVector').version(1).doc('Sparse double vector')
      .field('dimensions', SchemaBuilder.int16().build())
      .field('vector', SchemaBuilder.map(SchemaBuilder.int16().build(), SchemaBuilder.float64().build()).build()),
    convert: (t, schema) => {
      const slash = t.lastIndexOf('/');
      const body = t.slice(0, slash).trim();
      if (slash < 0 || body.charCodeAt(0) !== 123 || body.charCodeAt(body.length - 1) !== 125) throw new RangeError('sparse vector expected');
      const entries = body.slice(1, -1).trim() === '' ? [] : body.slice(1, -1).split(',').map((e) => e.split(':'));
      const indexes = entries.map(([k]) => int16(k));
      const vector = new Map<number, number>();
      // a HashMap sized for the entries; Short#hashCode is the value itself
      for (const i of javaHashMapOrder(indexes, indexes.length)) vector.set(indexes[i]!, number(entries[i]![1]));
      return Struct.fromValues(schema, [int16(t.slice(slash + 1)), vector]);
    },
  };
}

function number(x: string | undefined): number {
  const n = Number(x?.trim());
  if (x === undefined || x.trim() === '' || (Number.isNaN(n) && x.trim() !== 'NaN')) throw new RangeError('number expected');
  return n;
}

function int16(x: string | undefined): number {
  const n = number(x);
  if (!Number.isInteger(n) || n < -32768 || n > 32767) throw new RangeError('smallint expected');
  return n;
}
