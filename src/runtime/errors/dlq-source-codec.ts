/**
 * A source connector's dead-lettered record (connect-json form, see dead-letter-format.ts) back to
 * the SourceRecord it was, and a record that failed again back to the queue with fresh context.
 */
import type { LogRecord, StoredRecord } from '../../log/log.js';
import type { ConnectHeader, SourceRecord } from '../../sdk/records.js';
import { JsonConverter } from '../converters/json-converter.js';
import {
  ENCODING_HEADER, SOURCE_PARTITION_HEADER, SOURCE_TOPIC_HEADER, contextHeaders, isConnectJsonEncoded, isDeadLetterHeader,
  readSourceTarget, type DeadLetterContext,
} from './dead-letter-format.js';

/** The queue's own headers that describe the record itself (kept when it is dead-lettered again). */
const RECORD_HEADERS = new Set([ENCODING_HEADER, SOURCE_TOPIC_HEADER, SOURCE_PARTITION_HEADER]);

export class SourceRecordDecoder {
  private readonly key = new JsonConverter();
  private readonly value = new JsonConverter();

  constructor() {
    this.key.configure({ 'schemas.enable': 'true' }, true);
    this.value.configure({ 'schemas.enable': 'true' }, false);
  }

  /**
   * The record as the task produced it (before transformation); its source partition and offset
   * are not kept by the queue, and its timestamp is the queue record's. Throws an Error saying why
   * the record cannot be decoded.
   */
  decode(stored: StoredRecord, context: DeadLetterContext | null): SourceRecord {
    if (!isConnectJsonEncoded(stored.headers)) throw new Error(`the record is not in connect-json form (no ${ENCODING_HEADER} header), so it cannot be sent through a source connector`);
    const target = readSourceTarget(stored.headers) ?? (context?.topic ? { topic: context.topic, partition: context.partition } : null);
    if (target === null) throw new Error(`the record names no topic (no ${SOURCE_TOPIC_HEADER} header)`);
    const topic = target.topic;
    try {
      const key = this.key.toConnectData(topic, stored.key);
      const value = this.value.toConnectData(topic, stored.value);
      const headers: ConnectHeader[] = [];
      for (const h of stored.headers) {
        if (isDeadLetterHeader(h.key)) continue;
        const d = this.value.toConnectData(topic, h.value);
        headers.push({ key: h.key, schema: d.schema, value: d.value });
      }
      return {
        topic,
        kafkaPartition: target.partition,
        keySchema: key.schema,
        key: key.value,
        valueSchema: value.schema,
        value: value.value,
        timestamp: stored.timestamp,
        headers,
        sourcePartition: null,
        sourceOffset: null,
      };
    } catch (err) {
      throw new Error(`the record cannot be decoded from connect-json: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** The queue record again, bytes unchanged, with `context` in place of its old context headers. */
export function deadLetterAgain(stored: StoredRecord, context: DeadLetterContext, connectHeaders: boolean): LogRecord {
  return {
    key: stored.key,
    value: stored.value,
    timestamp: stored.timestamp,
    headers: [...stored.headers.filter((h) => !isDeadLetterHeader(h.key) || RECORD_HEADERS.has(h.key)), ...contextHeaders(context, connectHeaders)],
  };
}
