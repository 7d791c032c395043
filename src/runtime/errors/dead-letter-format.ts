/**
 * What a dead-lettered record looks like in its topic: the contract between the writers (sink and
 * source task runners) and the readers (`GET /connectors/{c}/dlq`, the replay).
 *
 * - **Sink connectors** (Kafka Connect's DeadLetterQueueReporter): the record exactly as consumed —
 *   key, value, headers and timestamp bytes unchanged — plus context headers.
 * - **Source connectors** (Tributary only): the record as the task produced it, before any
 *   transformation, encoded with Kafka's JsonConverter (`schemas.enable=true`, so nothing of the
 *   Connect schema is lost) for the key, the value and each header's value, and marked with
 *   `__tributary.dlq.encoding: connect-json`. The record's own `topic` (and its explicit partition,
 *   when it named one) travel in `__tributary.dlq.source.topic` / `.source.partition`
 *   (`sourceTargetHeaders`), so a replay knows where the record was going.
 *
 * Context headers: with `errors.deadletterqueue.context.headers.enable=true`, Kafka Connect's exact
 * `__connect.errors.*` set (values UTF-8 text; partition, offset and task id in decimal). Without
 * it, the same facts minus the stack trace under `__tributary.dlq.*`, so the queue can always be
 * inspected and replayed. Readers prefer `__connect.errors.*` and fall back to `__tributary.dlq.*`.
 * The original topic/partition/offset are present only for sink records (a source record has no
 * log coordinates yet).
 */
import { TributaryError, type ErrorCode } from '../../errors/codes.js';
import type { RecordHeader } from '../../log/log.js';

/** Kafka Connect's processing stages (`org.apache.kafka.connect.runtime.errors.Stage`). */
export type Stage =
  | 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'HEADER_CONVERTER' | 'TRANSFORMATION'
  | 'TASK_PUT' | 'TASK_POLL' | 'KAFKA_PRODUCE' | 'KAFKA_CONSUME';

export const CONNECT_PREFIX = '__connect.errors.';
export const TRIBUTARY_PREFIX = '__tributary.dlq.';
export const ENCODING_HEADER = `${TRIBUTARY_PREFIX}encoding`;
export const CONNECT_JSON_ENCODING = 'connect-json';

/** Header name suffixes, as Kafka Connect names them after `__connect.errors.`. */
const SUFFIX = {
  topic: 'topic',
  partition: 'partition',
  offset: 'offset',
  connector: 'connector.name',
  task: 'task.id',
  stage: 'stage',
  className: 'class.name',
  exceptionClass: 'exception.class.name',
  message: 'exception.message',
  stacktrace: 'exception.stacktrace',
} as const;

export interface DeadLetterContext {
  /** Where a sink's record was consumed from; null for source records. */
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: number | null;
  readonly connector: string;
  readonly task: number;
  readonly stage: Stage;
  /** The class that failed: the converter's or transformation's class name, or the connector class for TASK_PUT / KAFKA_PRODUCE. */
  readonly className: string;
  /** The error's Java-style class name (DataError → org.apache.kafka.connect.errors.DataException). */
  readonly exceptionClass: string;
  readonly message: string;
  /** Only written with Kafka Connect's headers. */
  readonly stacktrace: string | null;
}

/** Kafka Connect's exception classes for the SDK's error classes; other errors keep their JS name. */
const JAVA_NAMES: Readonly<Record<string, string>> = {
  DataError: 'org.apache.kafka.connect.errors.DataException',
  RetriableError: 'org.apache.kafka.connect.errors.RetriableException',
  ConnectError: 'org.apache.kafka.connect.errors.ConnectException',
  ConfigError: 'org.apache.kafka.common.config.ConfigException',
};

/** Kafka's exception classes for the log's errors a dead-lettered record can meet. */
const JAVA_NAMES_BY_CODE: Readonly<Partial<Record<ErrorCode, string>>> = {
  MESSAGE_TOO_LARGE: 'org.apache.kafka.common.errors.RecordTooLargeException',
};

export function exceptionClassOf(err: unknown): string {
  const byCode = err instanceof TributaryError ? JAVA_NAMES_BY_CODE[err.code] : undefined;
  if (byCode !== undefined) return byCode;
  const name = err instanceof Error ? err.name : typeof err;
  return JAVA_NAMES[name] ?? name;
}

const text = (v: string): Buffer => Buffer.from(v, 'utf8');

/** The context headers for a dead-lettered record: Kafka Connect's set when `connectHeaders`, else Tributary's. */
export function contextHeaders(ctx: DeadLetterContext, connectHeaders: boolean): RecordHeader[] {
  const prefix = connectHeaders ? CONNECT_PREFIX : TRIBUTARY_PREFIX;
  const out: RecordHeader[] = [];
  const add = (suffix: string, value: string | number | null): void => {
    if (value !== null) out.push({ key: prefix + suffix, value: text(String(value)) });
  };
  if (ctx.topic !== null) {
    add(SUFFIX.topic, ctx.topic);
    add(SUFFIX.partition, ctx.partition);
    add(SUFFIX.offset, ctx.offset);
  }
  add(SUFFIX.connector, ctx.connector);
  add(SUFFIX.task, ctx.task);
  add(SUFFIX.stage, ctx.stage);
  add(SUFFIX.className, ctx.className);
  add(SUFFIX.exceptionClass, ctx.exceptionClass);
  add(SUFFIX.message, ctx.message);
  if (connectHeaders && ctx.stacktrace !== null) add(SUFFIX.stacktrace, ctx.stacktrace);
  return out;
}

/** True for headers the dead letter queue added (dropped again when a record is replayed). */
export function isDeadLetterHeader(key: string): boolean {
  return key.startsWith(CONNECT_PREFIX) || key.startsWith(TRIBUTARY_PREFIX);
}

/** The context a dead-lettered record carries, or null when it has none (e.g. written by another tool). */
export function readContext(headers: readonly RecordHeader[]): DeadLetterContext | null {
  const find = (prefix: string): Map<string, string> | null => {
    const m = new Map<string, string>();
    for (const h of headers) if (h.key.startsWith(prefix) && h.value !== null) m.set(h.key.slice(prefix.length), h.value.toString('utf8'));
    return m.has(SUFFIX.stage) ? m : null;
  };
  const m = find(CONNECT_PREFIX) ?? find(TRIBUTARY_PREFIX);
  if (m === null) return null;
  const num = (s: string | undefined): number | null => (s === undefined || s === '' || !Number.isFinite(Number(s)) ? null : Number(s));
  return {
    topic: m.get(SUFFIX.topic) ?? null,
    partition: num(m.get(SUFFIX.partition)),
    offset: num(m.get(SUFFIX.offset)),
    connector: m.get(SUFFIX.connector) ?? '',
    task: num(m.get(SUFFIX.task)) ?? 0,
    stage: (m.get(SUFFIX.stage) ?? 'KAFKA_CONSUME') as Stage,
    className: m.get(SUFFIX.className) ?? '',
    exceptionClass: m.get(SUFFIX.exceptionClass) ?? '',
    message: m.get(SUFFIX.message) ?? '',
    stacktrace: m.get(SUFFIX.stacktrace) ?? null,
  };
}

/** Source records only: where the record was going (see the file comment). */
export const SOURCE_TOPIC_HEADER = `${TRIBUTARY_PREFIX}source.topic`;
export const SOURCE_PARTITION_HEADER = `${TRIBUTARY_PREFIX}source.partition`;

/** The headers naming a source record's topic and explicit partition (none when `kafkaPartition` is null). */
export function sourceTargetHeaders(topic: string, kafkaPartition: number | null): RecordHeader[] {
  const out: RecordHeader[] = [{ key: SOURCE_TOPIC_HEADER, value: text(topic) }];
  if (kafkaPartition !== null) out.push({ key: SOURCE_PARTITION_HEADER, value: text(String(kafkaPartition)) });
  return out;
}

/** A source record's topic and explicit partition from its headers, or null when they are missing or malformed. */
export function readSourceTarget(headers: readonly RecordHeader[]): { topic: string; partition: number | null } | null {
  let topic: string | null = null;
  let partition: number | null = null;
  for (const h of headers) {
    if (h.value === null) continue;
    if (h.key === SOURCE_TOPIC_HEADER) topic = h.value.toString('utf8');
    else if (h.key === SOURCE_PARTITION_HEADER) {
      const s = h.value.toString('utf8');
      if (!/^\d+$/.test(s)) return null;
      partition = Number(s);
    }
  }
  return topic ? { topic, partition } : null;
}

/** True when the record is a source record in Tributary's connect-json form. */
export function isConnectJsonEncoded(headers: readonly RecordHeader[]): boolean {
  return headers.some((h) => h.key === ENCODING_HEADER && h.value?.toString('utf8') === CONNECT_JSON_ENCODING);
}

/**
 * The dead letter queue topic's settings when Tributary creates it: one partition (as Kafka
 * Connect), and room for records bigger than a data topic accepts, so a record refused for its size
 * still has somewhere to go.
 */
export const DLQ_PARTITIONS = 1;
export const DLQ_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The consumer group whose committed offset on the DLQ marks how far a connector's queue was replayed. */
export function replayGroup(connector: string): string {
  return `connect-${connector}-dlq-replay`;
}
