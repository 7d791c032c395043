/**
 * Object keys, exactly as Confluent's S3 sink names its files (`TopicPartitionWriter.fileKeyToCommit`,
 * the format providers' `getExtension`, `Utils.getAdjustedFilename`):
 *
 * `<topics.dir>/<topic>/<encodedPartition>/<topic>+<kafkaPartition>+<startOffset, zero-padded><ext>`
 *
 * with `directory.delim` for `/` and `file.delim` for `+`, no leading `<topics.dir>/` when
 * `topics.dir` is empty, and key and header files beside the value file as `….keys<ext>` and
 * `….headers<ext>` with the extension of their own format.
 */
import type { FormatName, ParquetCodec, S3SinkSettings } from './s3-config.js';

/** Which of a record's parts a file holds. */
export type FileView = 'value' | 'keys' | 'headers';

/** The settings object keys depend on (a subset of S3SinkSettings, so tests can build it by hand). */
export type KeySettings = Pick<
  S3SinkSettings,
  'topicsDir' | 'directoryDelim' | 'fileDelim' | 'offsetPadWidth' | 'format' | 'keysFormat' | 'headersFormat' | 'parquetCodec' | 'compression' | 'byteArrayExtension'
>;

/** parquet-mr's `CompressionCodecName.getExtension()`, which Confluent puts before `.parquet`. */
const PARQUET_CODEC_EXTENSION: Readonly<Record<ParquetCodec, string>> = { none: '', snappy: '.snappy', gzip: '.gz', zstd: '.zstd' };

/**
 * The extension of files in `format`: JsonFormat `.json` (`.json.gz` with gzip), ParquetFormat
 * `<codec>.parquet` (`.snappy.parquet`, `.gz.parquet`, `.zstd.parquet`, `.parquet` for none),
 * ByteArrayFormat `format.bytearray.extension` (plus `.gz` with gzip).
 */
export function formatExtension(settings: KeySettings, format: FormatName): string {
  const gz = settings.compression === 'gzip' ? '.gz' : '';
  switch (format) {
    case 'json':
      return `.json${gz}`;
    case 'parquet':
      return `${PARQUET_CODEC_EXTENSION[settings.parquetCodec]}.parquet`;
    case 'bytearray':
      return `${settings.byteArrayExtension}${gz}`;
  }
}

/**
 * The extension of a view's files: the value format's for values, `.keys` / `.headers` followed by
 * the keys or headers format's extension (`.keys.json`, `.headers.snappy.parquet`). Throws
 * RangeError for keys or headers when the settings do not store them.
 */
export function fileExtension(settings: KeySettings, view: FileView = 'value'): string {
  if (view === 'value') return formatExtension(settings, settings.format);
  const format = view === 'keys' ? settings.keysFormat : settings.headersFormat;
  if (format === null) throw new RangeError(`${view} are not stored (store.kafka.${view} is false)`);
  return `.${view}${formatExtension(settings, format)}`;
}

/** `<topics.dir><delim><topic><delim>`: the prefix of every object of `topic` (`<topic><delim>` without topics.dir). */
export function topicPrefix(settings: KeySettings, topic: string): string {
  const d = settings.directoryDelim;
  return settings.topicsDir === '' ? `${topic}${d}` : `${settings.topicsDir}${d}${topic}${d}`;
}

/** Java's `String.format("%0<width>d", offset)` for a non-negative offset. */
function padOffset(offset: number, width: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`invalid start offset ${offset}`);
  return String(offset).padStart(width, '0');
}

/**
 * The key of the file of `topic`/`kafkaPartition` in folder `encodedPartition` whose first record
 * has offset `startOffset`; `ext` is one of `fileExtension`'s results. Deterministic: the same
 * arguments always give the same key, which is what makes a replay overwrite instead of duplicate.
 *
 * @example
 * ```ts
 * objectKey(settings, 'orders', 'partition=3', 3, 42, fileExtension(settings));
 * // 'topics/orders/partition=3/orders+3+0000000042.json'
 * ```
 */
export function objectKey(settings: KeySettings, topic: string, encodedPartition: string, kafkaPartition: number, startOffset: number, ext: string): string {
  const f = settings.fileDelim;
  return `${topicPrefix(settings, topic)}${encodedPartition}${settings.directoryDelim}${topic}${f}${kafkaPartition}${f}${padOffset(startOffset, settings.offsetPadWidth)}${ext}`;
}

/** What `parseObjectKey` reads back from a key. */
export interface ParsedObjectKey {
  readonly topic: string;
  readonly encodedPartition: string;
  readonly partition: number;
  readonly startOffset: number;
  readonly view: FileView;
}

/**
 * The inverse of `objectKey` under the same settings (used when partitions are opened, to tell
 * which topic partition an abandoned multipart upload belongs to): null for a key these settings would not produce, e.g. another format's extension, a
 * different `topics.dir`, a file name whose topic differs from its folder's. Offsets are read
 * whatever their padding.
 */
export function parseObjectKey(settings: KeySettings, key: string): ParsedObjectKey | null {
  const d = settings.directoryDelim;
  const f = settings.fileDelim;
  let rest = key;
  if (settings.topicsDir !== '') {
    const prefix = `${settings.topicsDir}${d}`;
    if (!rest.startsWith(prefix)) return null;
    rest = rest.slice(prefix.length);
  }
  const nameAt = rest.lastIndexOf(d);
  if (nameAt <= 0) return null;
  const dir = rest.slice(0, nameAt);
  const name = rest.slice(nameAt + d.length);
  // Keys and headers first: their extensions end with a format extension the value file may share.
  const views: FileView[] = [];
  if (settings.keysFormat !== null) views.push('keys');
  if (settings.headersFormat !== null) views.push('headers');
  views.push('value');
  for (const view of views) {
    const ext = fileExtension(settings, view);
    if (!name.endsWith(ext)) continue;
    const parsed = parseFileName(name.slice(0, name.length - ext.length), f);
    if (!parsed) continue;
    const topicDir = `${parsed.topic}${d}`;
    if (!dir.startsWith(topicDir) || dir.length === topicDir.length) return null;
    return Object.freeze({ ...parsed, encodedPartition: dir.slice(topicDir.length), view });
  }
  return null;
}

const DIGITS = /^\d+$/;

function parseFileName(base: string, f: string): { topic: string; partition: number; startOffset: number } | null {
  const offsetAt = base.lastIndexOf(f);
  if (offsetAt <= 0) return null;
  const partitionAt = base.lastIndexOf(f, offsetAt - 1);
  if (partitionAt <= 0 || partitionAt + f.length > offsetAt) return null;
  const topic = base.slice(0, partitionAt);
  const partition = base.slice(partitionAt + f.length, offsetAt);
  const offset = base.slice(offsetAt + f.length);
  if (!DIGITS.test(partition) || !DIGITS.test(offset)) return null;
  const startOffset = Number(offset);
  const p = Number(partition);
  if (!Number.isSafeInteger(startOffset) || p > 2147483647) return null;
  return { topic, partition: p, startOffset };
}
