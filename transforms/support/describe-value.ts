/**
 * The short type name of a Connect value for error messages ("found: long"), standing in for the
 * Java class names Kafka Connect prints (`class java.lang.Long`).
 */
import { Decimal, Struct } from '../../src/sdk/index.js';

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? 'long' : 'double';
    case 'bigint': return 'long';
    case 'string': case 'boolean': return typeof v;
  }
  if (Buffer.isBuffer(v)) return 'bytes';
  if (v instanceof Date) return 'Date';
  if (v instanceof Decimal) return 'Decimal';
  if (v instanceof Struct) return 'Struct';
  if (v instanceof Map) return 'Map';
  if (Array.isArray(v)) return 'array';
  const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  return proto === null || proto === Object.prototype ? 'Map' : (proto.constructor?.name ?? 'object');
}
