/**
 * The compression codecs of the S3 sink's `parquet.codec`, as hyparquet-writer takes them: a Parquet
 * codec name plus a synchronous compressor (SNAPPY is built into the writer).
 */
import { gzipSync } from 'node:zlib';
import type { CompressionCodec } from 'hyparquet';
import { compress as zstdCompress } from 'zstd-napi';
import { ConfigError } from '../../../src/sdk/index.js';

/** The codecs the sink offers, as Confluent's `parquet.codec` spells them. */
export type ParquetCodec = 'zstd' | 'snappy' | 'gzip' | 'none';

/** Every codec the sink offers, for config validation. */
export const PARQUET_CODECS: readonly ParquetCodec[] = ['zstd', 'snappy', 'gzip', 'none'];

type Compressor = (input: Uint8Array) => Uint8Array;

const SETTINGS: Record<ParquetCodec, { codec: CompressionCodec; compressors: Partial<Record<CompressionCodec, Compressor>> }> = {
  // Level 3, zstd's default (Iceberg and parquet-mr default to the same).
  zstd: { codec: 'ZSTD', compressors: { ZSTD: (input) => zstdCompress(input) } },
  snappy: { codec: 'SNAPPY', compressors: {} },
  gzip: { codec: 'GZIP', compressors: { GZIP: (input) => gzipSync(input) } },
  none: { codec: 'UNCOMPRESSED', compressors: {} },
};

/** The writer settings of `codec`; ConfigError for a codec the sink does not offer. */
export function codecSettings(codec: ParquetCodec): (typeof SETTINGS)[ParquetCodec] {
  const settings = Object.hasOwn(SETTINGS, codec) ? SETTINGS[codec] : undefined;
  if (!settings) throw new ConfigError(`unknown Parquet codec ${JSON.stringify(codec)}; use one of ${PARQUET_CODECS.join(', ')}`, { key: 'parquet.codec' });
  return settings;
}
