/**
 * Debezium's `schema.name.adjustment.mode` (`SchemaNameAdjuster`): how schema names derived from a
 * topic name are made valid Avro full names.
 *
 * - `none`: unchanged.
 * - `avro`: each character outside `[A-Za-z0-9_.]` (a first character outside `[A-Za-z_]`) becomes
 *   `_`; a leading digit is kept after its `_`. Two different names adjusted to the same one is an
 *   error, as Debezium's adjuster reports it (per transformation here, not per JVM).
 * - `avro_unicode`: each invalid character (`_` included) becomes `_uXXXX` (Java's hex of the
 *   UTF-16 unit, padded to 4 only from 2 digits).
 */
import { DataError } from '../../src/sdk/index.js';

export const SCHEMA_NAME_ADJUSTMENT_MODES = ['none', 'avro', 'avro_unicode'] as const;
export type SchemaNameAdjustmentMode = (typeof SCHEMA_NAME_ADJUSTMENT_MODES)[number];

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const UNDERSCORE = 95;
const DOT = 46;

function unicodeEscape(c: number): string {
  const hex = c.toString(16);
  return `_u${hex.length <= 2 ? `00${hex}` : hex}`;
}

function adjustAvro(name: string): string {
  let out = '';
  let changed = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const valid = isLetter(c) || c === UNDERSCORE || (i > 0 && (isDigit(c) || c === DOT));
    if (valid) {
      out += name[i];
    } else {
      out += '_';
      // A leading digit is kept, so that names differing only in it stay apart.
      if (i === 0 && isDigit(c)) out += name[i];
      changed = true;
    }
  }
  return changed ? out : name;
}

function adjustAvroUnicode(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const valid = isLetter(c) || (i > 0 && (isDigit(c) || c === DOT));
    out += valid ? name[i] : unicodeEscape(c);
  }
  return out;
}

export class SchemaNameAdjuster {
  private readonly originals = new Map<string, string>();

  constructor(private readonly mode: SchemaNameAdjustmentMode) {}

  adjust(name: string): string {
    if (this.mode === 'none' || name === '') return name;
    const adjusted = this.mode === 'avro' ? adjustAvro(name) : adjustAvroUnicode(name);
    if (adjusted === name) return name;
    const seen = this.originals.get(adjusted);
    if (seen === undefined) this.originals.set(adjusted, name);
    else if (seen !== name) {
      throw new DataError(`The Kafka Connect schema name '${name}' is not a valid Avro schema name and its replacement '${adjusted}' conflicts with another different schema '${seen}'`);
    }
    return adjusted;
  }
}
