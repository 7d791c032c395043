/**
 * `GET /connectors/{c}/dlq`: a page of the connector's dead-lettered records with their error
 * context, and how many are not yet replayed. One walk of the queue serves both; it stops once the
 * page is full and the count is done, or after `SCAN_BUDGET_BYTES` (the count is then a lower
 * bound, and `next_offset` says where to go on).
 */
import { TributaryError } from '../../errors/codes.js';
import type { Log } from '../../log/log.js';
import { recordBytes } from '../record-bytes.js';
import type {
  DeadLetterError, DeadLetterHeader, DeadLetterQuery, DeadLetterQueuePage, DeadLetterRecord, PayloadEncoding,
} from '../herder/herder.js';
import { isConnectJsonEncoded, isDeadLetterHeader, type DeadLetterContext } from './dead-letter-format.js';
import { belongsTo, dlqBounds, dlqTopicOf, readCursor, scanDlq, type DlqEntry } from './dlq-scan.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;
/** Bytes of queue one request reads at most. */
export const SCAN_BUDGET_BYTES = 64 << 20;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `budgetBytes`: how much of the queue the walk reads at most (for tests; default `SCAN_BUDGET_BYTES`). */
export async function readDeadLetters(
  log: Log, name: string, config: Readonly<Record<string, string>>, query: DeadLetterQuery, budgetBytes = SCAN_BUDGET_BYTES,
): Promise<DeadLetterQueuePage> {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new TributaryError('BAD_REQUEST', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, got ${limit}`);
  }
  if (query.from !== undefined && (!Number.isSafeInteger(query.from) || query.from < 0)) {
    throw new TributaryError('BAD_REQUEST', `from must be a DLQ offset (an integer of at least 0), got ${query.from}`);
  }
  const topic = dlqTopicOf(name, config);
  const bounds = await dlqBounds(log, topic);
  if (bounds === null) {
    return { connector: name, dlq_topic: topic, start_offset: 0, end_offset: 0, replayed_through: 0, unreplayed: { count: 0, exact: true }, next_offset: 0, records: [] };
  }
  const cursor = await readCursor(log, name, topic, bounds);
  const from = Math.min(Math.max(query.from ?? cursor, bounds.start), bounds.end);

  const records: DeadLetterRecord[] = [];
  let next = bounds.end;
  let count = 0;
  let exact = true;
  let pageOpen = true;
  let bytes = 0;
  for await (const chunk of scanDlq(log, topic, Math.min(from, cursor), bounds.end)) {
    for (const e of chunk.entries) {
      bytes += recordBytes(e.record);
      if (!belongsTo(e.context, name)) continue;
      const offset = e.record.offset;
      if (offset >= cursor) count++;
      if (pageOpen && offset >= from) {
        records.push(recordView(e, cursor));
        if (records.length === limit) {
          pageOpen = false;
          next = offset + 1;
        }
      }
    }
    // The count needs the walk to reach the end; the budget bounds it (and a page of a sparse shared queue).
    if (bytes >= budgetBytes && chunk.next < bounds.end) {
      exact = false;
      if (pageOpen) next = chunk.next;
      break;
    }
  }
  return { connector: name, dlq_topic: topic, start_offset: bounds.start, end_offset: bounds.end, replayed_through: cursor, unreplayed: { count, exact }, next_offset: next, records };
}

function payload(bytes: Buffer | null): { text: string | null; encoding: PayloadEncoding | null } {
  if (bytes === null) return { text: null, encoding: null };
  try {
    return { text: UTF8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('base64'), encoding: 'base64' };
  }
}

export function recordView(e: DlqEntry, cursor: number): DeadLetterRecord {
  const r = e.record;
  const key = payload(r.key);
  const value = payload(r.value);
  const headers: DeadLetterHeader[] = [];
  for (const h of r.headers) {
    if (isDeadLetterHeader(h.key)) continue;
    const v = payload(h.value);
    headers.push({ key: h.key, value: v.text, value_encoding: v.encoding });
  }
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    format: isConnectJsonEncoded(r.headers) ? 'connect-json' : 'raw',
    key: key.text,
    key_encoding: key.encoding,
    value: value.text,
    value_encoding: value.encoding,
    headers,
    error: e.context === null ? null : errorView(e.context),
    replayed: r.offset < cursor,
  };
}

export function errorView(c: DeadLetterContext): DeadLetterError {
  return {
    stage: c.stage,
    class_name: c.className,
    exception_class: c.exceptionClass,
    message: c.message,
    ...(c.stacktrace !== null ? { stacktrace: c.stacktrace } : {}),
    connector: c.connector,
    task: c.task,
    topic: c.topic,
    partition: c.partition,
    offset: c.offset,
  };
}
