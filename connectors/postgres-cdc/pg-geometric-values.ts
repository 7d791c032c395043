/**
 * The built-in geometric types as Debezium maps them (`PostgresValueConverter#convertPoint`, `#convertBox`
 * ..., `io.debezium.data.geometry.*`, `io.debezium.spatial.WkbWriter`): point → Point {x, y, wkb, srid};
 * box, lseg, path, polygon → Geometry {wkb, srid, extensions}; circle → Circle; line → Line.
 * WKB is little-endian; srid is always null for these planar types.
 */
import { SchemaBuilder, Struct, type Schema } from '../../src/sdk/index.js';

const FLOAT64 = SchemaBuilder.float64().build();

/** io.debezium.data.geometry.Point. */
export function pointBuilder(): SchemaBuilder {
  return SchemaBuilder.struct().name('io.debezium.data.geometry.Point').version(1).doc('Geometry (POINT)')
    .field('x', FLOAT64).field('y', FLOAT64)
    .field('wkb', SchemaBuilder.bytes().optional().build())
    .field('srid', SchemaBuilder.int32().optional().build());
}

// Geometry, Circle and Line builders are optional even for NOT NULL columns, as in Debezium.
function geometryBuilder(): SchemaBuilder {
  return SchemaBuilder.struct().name('io.debezium.data.geometry.Geometry').version(2).doc('Geometry').optional()
    .field('wkb', SchemaBuilder.bytes().build())
    .field('srid', SchemaBuilder.int32().optional().build())
    .field('extensions', SchemaBuilder.map(SchemaBuilder.string().build(), SchemaBuilder.string().build()).optional().build());
}

/** The coordinates in a geometric value's text, in order (`(1,2),(3,4)` → [1, 2, 3, 4]). */
function numbers(text: string): number[] {
  const out: number[] = [];
  let from = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 44;
    const separator = c === 40 || c === 41 || c === 44 || c === 91 || c === 93 || c === 60 || c === 62 || c === 123 || c === 125 || c === 32;
    if (!separator) {
      if (from < 0) from = i;
      continue;
    }
    if (from >= 0) {
      const s = text.slice(from, i);
      const n = Number(s);
      if (Number.isNaN(n) && s !== 'NaN') throw new RangeError('number expected');
      out.push(n);
      from = -1;
    }
  }
  return out;
}

function expect(values: number[], count: number, even = false): number[] {
  if (even ? values.length < count || values.length % 2 : values.length !== count) throw new RangeError('wrong number of coordinates');
  return values;
}

const HEADER = 5;

function wkb(type: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  b[0] = 1; // little endian
  b.writeInt32LE(type, 1);
  return b;
}

function pointWkb(x: number, y: number): Buffer {
  const b = wkb(1, HEADER + 16);
  b.writeDoubleLE(x, 5);
  b.writeDoubleLE(y, 13);
  return b;
}

function lineStringWkb(xy: readonly number[]): Buffer {
  const b = wkb(2, HEADER + 4 + xy.length * 8);
  b.writeInt32LE(xy.length / 2, 5);
  xy.forEach((v, i) => b.writeDoubleLE(v, 9 + i * 8));
  return b;
}

function polygonWkb(ring: readonly number[]): Buffer {
  const b = wkb(3, HEADER + 8 + ring.length * 8);
  b.writeInt32LE(1, 5);
  b.writeInt32LE(ring.length / 2, 9);
  ring.forEach((v, i) => b.writeDoubleLE(v, 13 + i * 8));
  return b;
}

const pointValue = (schema: Schema, x: number, y: number): Struct => Struct.fromValues(schema, [x, y, pointWkb(x, y), null]);

type Mapping = { builder: SchemaBuilder; convert: (t: string, schema: Schema) => unknown };

/** The mapping of a geometric type by name, or undefined. */
export function geometricMapping(name: string): Mapping | undefined {
  switch (name) {
    case 'point':
      return {
        builder: pointBuilder(),
        convert: (t, schema) => {
          const [x, y] = expect(numbers(t), 2) as [number, number];
          return pointValue(schema, x, y);
        },
      };
    case 'box':
      return geometryOf((t) => {
        const [x1, y1, x2, y2] = expect(numbers(t), 4) as [number, number, number, number];
        return [polygonWkb([x1, y1, x1, y2, x2, y2, x2, y1, x1, y1]), new Map([['type', 'box']])];
      });
    case 'lseg':
      return geometryOf((t) => [lineStringWkb(expect(numbers(t), 4)), new Map([['type', 'lseg']])]);
    case 'path':
      return geometryOf((t) => [
        lineStringWkb(expect(numbers(t), 2, true)),
        new Map([['type', 'path'], ['closed', String(t.trimStart().charCodeAt(0) !== 91)]]),
      ]);
    case 'polygon':
      return geometryOf((t) => {
        const ring = expect(numbers(t), 2, true);
        const n = ring.length;
        if (n >= 4 && (ring[0] !== ring[n - 2] || ring[1] !== ring[n - 1])) ring.push(ring[0]!, ring[1]!);
        return [polygonWkb(ring), new Map([['type', 'polygon']])];
      });
    case 'circle':
      return {
        builder: SchemaBuilder.struct().name('io.debezium.data.geometry.Circle').version(1).doc('Geometry (CIRCLE)').optional()
          .field('center', pointBuilder().build()).field('radius', FLOAT64),
        convert: (t, schema) => {
          const [x, y, r] = expect(numbers(t), 3) as [number, number, number];
          return Struct.fromValues(schema, [pointValue(schema.fields![0]!.schema, x, y), r]);
        },
      };
    case 'line':
      return {
        builder: SchemaBuilder.struct().name('io.debezium.data.geometry.Line').version(1).doc('Geometry (LINE)').optional()
          .field('a', FLOAT64).field('b', FLOAT64).field('c', FLOAT64),
        convert: (t, schema) => Struct.fromValues(schema, expect(numbers(t), 3)),
      };
    default:
      return undefined;
  }
}

function geometryOf(shape: (t: string) => [Buffer, Map<string, string>]): Mapping {
  return {
    builder: geometryBuilder(),
    convert: (t, schema) => {
      const [bytes, extensions] = shape(t);
      return Struct.fromValues(schema, [bytes, null, extensions]);
    },
  };
}
