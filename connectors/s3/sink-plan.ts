/**
 * Everything an S3 sink task needs, built once from its config: the store, the rotation rules, how
 * a record is prepared (flattened), placed (folder, timestamp), named and encoded. The task holds no
 * setting of its own; tests build a plan to drive the task directly.
 */
import { type Converter, ConfigError, DataError, type Schema, type SinkRecord } from '../../src/sdk/index.js';
import { flattenRecord } from './cdc-flatten.js';
import { ByteArrayWriter } from './formats/byte-array-writer.js';
import { JsonLinesWriter } from './formats/json-lines-writer.js';
import { headersView, headerText, keyEnvelopeView, keyView } from './formats/record-views.js';
import type { RecordWriterFactory } from './formats/record-writer.js';
import { fileExtension, objectKey, parseObjectKey } from './object-keys.js';
import type { ObjectStore } from './object-store.js';
import type { PartitionWriterDeps, SidecarFile } from './partition-writer.js';
import { createPartitioner } from './partitioners.js';
import { bucketStart, ZoneRules } from './path-format.js';
import { parseS3SinkSettings, type FormatName, type S3SinkSettings } from './s3-config.js';
import { S3ObjectStore } from './s3-object-store.js';
import { createTimestampExtractor } from './timestamp-extractors.js';

export interface SinkPlan {
  readonly store: ObjectStore;
  /** `retry.backoff.ms`: when to try again after a failed upload outside `put`. */
  readonly redeliveryBackoffMs: number;
  /** `memory.budget.bytes`: bytes all open files of the task may hold. */
  readonly memoryBudget: number;
  /** `s3.spill.dir`: where the task makes its spill directory; null for the OS temp dir. */
  readonly spillDir: string | null;
  /** The prefix under which the task's objects and uploads live (`<topics.dir>/`). */
  readonly uploadPrefix: string;
  /** Logged once at start (settings that weaken a guarantee). */
  readonly warnings: readonly string[];
  /** The cut journal's key for a topic partition. */
  journalKey(topic: string, partition: number): string;
  /** The topic partition an object key of ours belongs to, or null for another key. */
  partitionOfKey(key: string): { readonly topic: string; readonly partition: number } | null;
  readonly partitionDeps: Omit<PartitionWriterDeps, 'store' | 'journal'>;
  now(): number;
  /** Releases the store's connections. */
  close(): void;
}

export interface PlanDeps {
  /** JsonConverter (`schemas.enable=false`) for JSON files; injected so the connector needs only the SDK. */
  newJsonConverter(): Converter;
  /** Kafka's `Values.convertToString` (header values in header files); injected like the converter. */
  valuesText(schema: Schema | null, value: unknown): string;
  /** The store for these settings (tests can put a fault proxy or a twin here). */
  store?(settings: S3SinkSettings): ObjectStore & { destroy?(): void };
  now?(): number;
  /** The Parquet writer factory (formats/parquet-record-writer.ts). */
  parquet?(settings: S3SinkSettings): RecordWriterFactory;
}

/** Builds a task's plan from its config (throws ConfigError naming the key at fault). */
export function buildPlan(props: Readonly<Record<string, string>>, deps: PlanDeps): SinkPlan {
  const s = parseS3SinkSettings(props);
  const now = deps.now ?? Date.now;
  const store =
    deps.store?.(s) ??
    new S3ObjectStore({
      bucket: s.bucket,
      region: s.region,
      endpoint: s.endpoint,
      pathStyle: s.pathStyleAccess,
      accessKeyId: s.credentials?.accessKeyId ?? null,
      secretAccessKey: s.credentials?.secretAccessKey.value ?? null,
      retries: s.partRetries,
      redeliveryBackoffMs: s.redeliveryBackoffMs,
    });
  const partitioner = createPartitioner(s);
  const extractor = createTimestampExtractor(s, now);
  const needsTime = s.partitioner.kind === 'time' || s.rotateIntervalMs !== null;
  const ext = fileExtension(s);
  const warnings: string[] = [];
  if (s.timestampExtractor === 'Wallclock' && s.partitioner.kind === 'time') {
    warnings.push(
      'timestamp.extractor=Wallclock puts a record in the folder of the time it is written, so a replay after a crash can write it to another folder: ' +
        'use Record or RecordField for exactly-once',
    );
  }
  const prefix = s.topicsDir === '' ? '' : `${s.topicsDir}${s.directoryDelim}`;
  const zone = s.rotateScheduleIntervalMs !== null && s.timezone !== null ? ZoneRules.of(s.timezone) : null;
  const nullValues = s.nullValues;
  const prepare = (r: SinkRecord): SinkRecord | null => {
    if (s.cdcFlatten) return flattenRecord(r);
    if (r.value !== null && r.value !== undefined) return r;
    if (nullValues === 'ignore') return null;
    if (nullValues === 'write') return r;
    throw new DataError(
      `the record at ${r.topic}-${r.kafkaPartition} offset ${r.kafkaOffset} has a null value (a tombstone): set behavior.on.null.values=ignore to skip such records`,
    );
  };
  return {
    store,
    memoryBudget: s.memoryBudgetBytes,
    spillDir: s.spillDir,
    redeliveryBackoffMs: s.redeliveryBackoffMs,
    uploadPrefix: prefix,
    warnings,
    journalKey: (topic, partition) => `${prefix}_tributary${s.directoryDelim}cuts${s.directoryDelim}${topic}${s.fileDelim}${partition}.json`,
    partitionOfKey: (key) => parseObjectKey(s, key),
    partitionDeps: {
      rules: {
        flushSize: s.flushSize,
        flushSizeBytes: s.flushSizeBytes,
        rotateIntervalMs: s.rotateIntervalMs,
        recordTime: s.timestampExtractor !== 'Wallclock',
        partSize: s.partSize,
      },
      prepare,
      place: (r) => {
        const timestamp = needsTime ? extractor.extract(r) : 0;
        return { encoded: partitioner.encodePartition(r, timestamp), timestamp };
      },
      keyFor: (topic, encoded, partition, start) => objectKey(s, topic, encoded, partition, start, ext),
      newWriter: writerFactory(s, deps, s.format, 'value'),
      sidecars: sidecarFiles(s, deps),
      scheduledEnd: (startedAt) => (zone === null ? null : bucketStart(startedAt, s.rotateScheduleIntervalMs!, zone) + s.rotateScheduleIntervalMs!),
      now,
    },
    now,
    close: () => (store as { destroy?(): void }).destroy?.(),
  };
}

/**
 * The key and header files of `store.kafka.keys` / `store.kafka.headers`, each written by its
 * format's writer on a record view (Confluent's `KeyValueHeaderRecordWriterProvider`, `RecordViews`).
 */
function sidecarFiles(s: S3SinkSettings, deps: PlanDeps): SidecarFile[] {
  const files: SidecarFile[] = [];
  const named = (view: 'keys' | 'headers', format: FormatName, project: SidecarFile['project']): SidecarFile => {
    const ext = fileExtension(s, view);
    return {
      view,
      project,
      keyFor: (topic, encoded, partition, start) => objectKey(s, topic, encoded, partition, start, ext),
      newWriter: writerFactory(s, deps, format, view === 'keys' ? 'key' : 'headers'),
    };
  };
  if (s.keysFormat !== null) files.push(named('keys', s.keysFormat, s.keysFormat === 'parquet' ? keyEnvelopeView : keyView));
  if (s.headersFormat !== null) files.push(named('headers', s.headersFormat, headersView(headerText(deps.valuesText))));
  return files;
}

function writerFactory(s: S3SinkSettings, deps: PlanDeps, format: FormatName, part: 'value' | 'key' | 'headers'): RecordWriterFactory {
  const gzip = s.compression === 'gzip' ? s.compressionLevel : null;
  const key = part === 'value' ? 'format.class' : part === 'key' ? 'keys.format.class' : 'headers.format.class';
  switch (format) {
    case 'json': {
      const json = deps.newJsonConverter();
      json.configure({ 'schemas.enable': 'false', 'decimal.format': s.jsonDecimalFormat }, false);
      return (out) => new JsonLinesWriter(json, out, gzip, part);
    }
    case 'bytearray': {
      if (part === 'headers') throw new ConfigError('ByteArrayFormat cannot hold headers', { key });
      const separator = Buffer.from(s.byteArraySeparator, 'utf8');
      return (out) => new ByteArrayWriter(out, gzip, separator, part);
    }
    case 'parquet':
      if (!deps.parquet) throw new ConfigError('this build has no Parquet writer', { key });
      return deps.parquet(s);
  }
}
