/**
 * The text the FileStream sink writes for a record value: what Kafka's `PrintStream.println(value)`
 * prints (Java's `String.valueOf`), adapted to the SDK's JS value model.
 */
import { Decimal, Struct, bigDecimalString } from '../../src/sdk/index.js';

/**
 * Formats a value as one line of text (without the newline):
 * - `null`/`undefined` → `null`; strings as they are; bytes decoded as UTF-8;
 * - a `Struct` → `Struct{a=1,b=x}` (non-null fields, as Kafka's `Struct.toString`);
 * - a `Map` or plain object → `{k=v, k2=v2}` and an array → `[a, b]` (Java's collection format);
 * - a `Decimal` as Java's `BigDecimal.toString` (`1.23E-8`, `1.5E+401`);
 * - a `Date` → ISO-8601; anything else → `String(value)` (numbers, booleans, bigints).
 */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (value instanceof Struct) {
    let text = 'Struct{';
    let first = true;
    for (const f of value.schema.fields ?? []) {
      const v = value.valueAt(f.index);
      if (v === null || v === undefined) continue;
      text += `${first ? '' : ','}${f.name}=${valueText(v)}`;
      first = false;
    }
    return `${text}}`;
  }
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${valueText(k)}=${valueText(v)}`).join(', ')}}`;
  if (Array.isArray(value)) return `[${value.map(valueText).join(', ')}]`;
  if (value instanceof Decimal) return bigDecimalString(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'object' && isPlainObject(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${valueText(v)}`).join(', ')}}`;
  }
  return String(value);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
