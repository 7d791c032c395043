/**
 * BYTEA per `binary.handling.mode`, unknown types captured as binary (`include.unknown.datatypes`),
 * and BIT/VARBIT as Debezium maps them (BIT(1) → boolean, longer → io.debezium.data.Bits).
 */
import { SchemaBuilder } from '../../src/sdk/index.js';
import type { TypeModes } from './pg-value-mapping.js';

type BinaryMode = TypeModes['binary'];

/** The schema of binary data: BYTES, or STRING for the text encodings (BinaryHandlingMode#getSchema). */
export function binarySchema(mode: BinaryMode): SchemaBuilder {
  return mode === 'bytes' ? SchemaBuilder.bytes() : SchemaBuilder.string();
}

/** Bytes in the configured form; base64-url-safe keeps its `=` padding like java.util.Base64#getUrlEncoder. */
export function encodeBinary(bytes: Buffer, mode: BinaryMode): Buffer | string {
  switch (mode) {
    case 'bytes':
      return bytes;
    case 'base64':
      return bytes.toString('base64');
    case 'hex':
      return bytes.toString('hex');
    case 'base64-url-safe': {
      const s = bytes.toString('base64url');
      return s.length % 4 ? s + '='.repeat(4 - (s.length % 4)) : s;
    }
  }
}

const LOWER_HEX = /^\\x[0-9a-f]*$/;

/** BYTEA in `bytea_output=hex` (`\x0102`). */
export function byteaMapping(mode: BinaryMode): { builder: SchemaBuilder; convert: (t: string) => unknown } {
  const decode = (t: string): Buffer => {
    if (t.charCodeAt(0) !== 92 || t.charCodeAt(1) !== 120 || t.length % 2) throw new RangeError('hex bytea expected (bytea_output=hex)');
    const b = Buffer.from(t.slice(2), 'hex');
    if (b.length * 2 !== t.length - 2) throw new RangeError('hex bytea expected');
    return b;
  };
  // Postgres already prints lowercase hex, as Debezium's HexConverter does: checked, not decoded.
  if (mode === 'hex') {
    return {
      builder: binarySchema(mode),
      convert: (t) => {
        if (t.charCodeAt(0) !== 92 || t.charCodeAt(1) !== 120 || t.length % 2 || !LOWER_HEX.test(t)) throw new RangeError('hex bytea expected (bytea_output=hex)');
        return t.slice(2);
      },
    };
  }
  return { builder: binarySchema(mode), convert: (t) => encodeBinary(decode(t), mode) };
}

/** A type Debezium does not know, with include.unknown.datatypes: the UTF-8 bytes of its text. */
export function unknownMapping(mode: BinaryMode): { builder: SchemaBuilder; convert: (t: string) => unknown } {
  return { builder: binarySchema(mode), convert: (t) => encodeBinary(Buffer.from(t, 'utf8'), mode) };
}

/**
 * BIT(n)/VARBIT(n). Length 1 is a boolean. Otherwise io.debezium.data.Bits with parameter `length`
 * (2^31-1 for VARBIT without a length), the value being the bit string read as a binary number in
 * little-endian bytes sized by its content (`BitSet#toByteArray`): `b'11'` → [0x03],
 * `b'000000110000001000000001'` → [0x01, 0x02, 0x03], `b'00'` → [].
 */
export function bitsMapping(length: number): { builder: SchemaBuilder; convert: (t: string) => unknown } {
  if (length === 1) {
    return {
      builder: SchemaBuilder.bool(),
      convert: (t) => {
        checkBits(t);
        return t.includes('1');
      },
    };
  }
  return {
    builder: SchemaBuilder.bytes().name('io.debezium.data.Bits').version(1).parameter('length', String(length)),
    convert: (t) => {
      checkBits(t);
      const first = t.indexOf('1');
      if (first < 0) return Buffer.alloc(0);
      const significant = t.length - first;
      const out = Buffer.alloc(Math.ceil(significant / 8));
      for (let i = t.length - 1, bit = 0; i >= first; i--, bit++) {
        if (t.charCodeAt(i) === 49) out[bit >> 3] |= 1 << (bit & 7);
      }
      return out;
    },
  };
}

function checkBits(t: string): void {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c !== 48 && c !== 49) throw new RangeError('bit string expected');
  }
}
