/**
 * Kafka Connect's `org.apache.kafka.connect.storage.StringConverter`: writes any value as its
 * string form in `converter.encoding`, ignoring the schema; reads bytes as an optional string.
 *
 * Encodings are the Java charsets Node can do: UTF-8, ISO-8859-1 (latin1), US-ASCII and UTF-16LE,
 * under their Java or Node names. As in Java, a character the charset cannot hold is written as `?`
 * and an undecodable byte is read as U+FFFD.
 */
import {
  type Converter,
  type HeaderConverter,
  type Schema,
  type SchemaAndValue,
  ConfigDef,
  ConfigError,
  Schemas,
} from '../../sdk/index.js';
import { converterTypeKey } from './converter-config.js';
import { javaToString } from './java-text.js';

export const ENCODING_CONFIG = 'converter.encoding';

type NodeEncoding = 'utf8' | 'latin1' | 'ascii' | 'utf16le';

const ENCODINGS: Record<string, NodeEncoding> = {
  'utf-8': 'utf8', utf8: 'utf8',
  'iso-8859-1': 'latin1', iso8859_1: 'latin1', 'iso_8859_1': 'latin1', latin1: 'latin1',
  'us-ascii': 'ascii', ascii: 'ascii',
  'utf-16le': 'utf16le', utf_16le: 'utf16le', utf16le: 'utf16le',
};

function nodeEncoding(name: string): NodeEncoding | undefined {
  return ENCODINGS[name.trim().toLowerCase()];
}

const CONFIG_DEF = new ConfigDef().define(converterTypeKey).define({
  name: ENCODING_CONFIG,
  type: 'STRING',
  default: 'UTF-8',
  importance: 'HIGH',
  width: 'MEDIUM',
  displayName: 'Encoding',
  documentation: 'The name of the character set to use for encoding strings as byte arrays: UTF-8, ISO-8859-1, US-ASCII or UTF-16LE.',
  recommendedValues: ['UTF-8', 'ISO-8859-1', 'US-ASCII', 'UTF-16LE'],
  validator: Object.assign(
    (name: string, v: unknown) => {
      if (typeof v !== 'string' || !nodeEncoding(v)) {
        throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: unsupported encoding; use UTF-8, ISO-8859-1, US-ASCII or UTF-16LE`, { key: name });
      }
    },
    { description: '[UTF-8, ISO-8859-1, US-ASCII, UTF-16LE]' },
  ),
});

const NULL_STRING: SchemaAndValue = Object.freeze({ schema: Schemas.OPTIONAL_STRING, value: null });

export class StringConverter implements Converter, HeaderConverter {
  private encoding: NodeEncoding = 'utf8';

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  /** Throws ConfigError for an unsupported encoding. */
  configure(configs: Readonly<Record<string, string>>, _isKey?: boolean): void {
    this.encoding = nodeEncoding(CONFIG_DEF.parse(configs).getString(ENCODING_CONFIG)!)!;
  }

  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (value instanceof Uint8Array) return this.encode(this.decode(Buffer.from(value.buffer, value.byteOffset, value.byteLength)));
    return this.encode(javaToString(value, schema));
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    // Null bytes (every keyless record) share one frozen answer instead of a new object each.
    if (bytes === null || bytes === undefined) return NULL_STRING;
    return { schema: Schemas.OPTIONAL_STRING, value: this.decode(bytes) };
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }

  private encode(s: string): Buffer {
    switch (this.encoding) {
      case 'latin1':
        return Buffer.from(s.replace(/[^\u0000-\u00ff]/gu, '?'), 'latin1');
      case 'ascii':
        return Buffer.from(s.replace(/[^\u0000-\u007f]/gu, '?'), 'latin1');
      default:
        return Buffer.from(s, this.encoding);
    }
  }

  private decode(b: Buffer): string {
    // Node's 'ascii' decoder drops the high bit; Java's US-ASCII replaces such bytes.
    if (this.encoding === 'ascii') return b.toString('latin1').replace(/[\u0080-\u00ff]/g, '\ufffd');
    return b.toString(this.encoding);
  }
}
