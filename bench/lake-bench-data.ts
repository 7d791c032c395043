/**
 * The data of `npm run bench:lake`: the rows of the bench:cdc table (`cdc-bench-pg.ts`: bigint key,
 * md5 text, numeric(12,2), timestamptz, small jsonb) as Debezium `c` events, built by the Postgres CDC
 * source's own code (`TableModel` maps the column text as pgoutput delivers it, `EventBuilder` wraps
 * it in the envelope), so schemas and values are the ones a real capture writes; and the same rows
 * as the Parquet columns of the baseline.
 */
import { createHash } from 'node:crypto';
import { EventBuilder, type EventContext } from '../connectors/postgres-cdc/change-records.js';
import type { PgTypeInfo } from '../connectors/postgres-cdc/pg-type-info.js';
import { DEFAULT_TYPE_MODES } from '../connectors/postgres-cdc/pg-value-mapping.js';
import { TableModel, type ModelColumn } from '../connectors/postgres-cdc/table-model.js';
import { PG_CDC_VERSION } from '../connectors/postgres-cdc/version.js';
import type { Log, LogRecord } from '../src/log/log.js';
import type { TaskConverters } from '../src/runtime/task-plugins.js';
import type { SourceRecord } from '../src/sdk/index.js';

/** Events per transaction, as `bench:cdc` inserts its rows in 10 transactions. */
const TXNS = 10;
const BASE_LSN = 0x1_6000_0000;
const COMMIT_TS_US = Date.UTC(2024, 4, 1) * 1000;
const EPOCH_MS = Date.UTC(2024, 0, 1);
/** As the source runner: appends stay under half of Kafka's default max.message.bytes. */
const APPEND_MAX_BYTES = 512 * 1024;
const APPENDS_IN_FLIGHT = 4;

const type = (oid: number, name: string): PgTypeInfo => ({ oid, name, schema: 'pg_catalog', kind: 'base' });
const column = (name: string, t: PgTypeInfo, typeMod = -1): ModelColumn => ({ name, type: t, typeMod, notNull: true, defaultExpression: null });

/** `public.bench` as the connector models it with `topic.prefix=cdcbench` and the default type modes. */
export function benchModel(): TableModel {
  return new TableModel({
    oid: 16_384,
    schema: 'public',
    table: 'bench',
    columns: [
      column('id', type(20, 'int8')),
      column('name', type(25, 'text')),
      column('amount', type(1700, 'numeric'), ((12 << 16) | 2) + 4), // numeric(12,2)
      column('created_at', type(1184, 'timestamptz')),
      column('payload', type(3802, 'jsonb')),
    ],
    keyColumns: ['id'],
    includesColumn: () => true,
    topicPrefix: 'cdcbench',
    modes: DEFAULT_TYPE_MODES,
  });
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/**
 * Row `g` as Postgres prints it in pgoutput text (TimeZone UTC), from `insertSql` of cdc-bench-pg.ts:
 * `g, md5(g::text), ((g * 7919) % 10000000) / 100.0, '2024-01-01' + g * 1.001 s, jsonb {n, tag, flags}`.
 */
export function rowText(g: number): string[] {
  const cents = (g * 7919) % 10_000_000;
  const micros = g * 1_001_000;
  const iso = new Date(EPOCH_MS + Math.floor(micros / 1e6) * 1000).toISOString();
  const frac = micros % 1_000_000;
  const created = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${pad(frac, 6).replace(/0+$/, '')}` : ''}+00`;
  return [
    String(g),
    createHash('md5').update(String(g)).digest('hex'),
    `${Math.floor(cents / 100)}.${pad(cents % 100, 2)}`,
    created,
    `{"n": ${g}, "tag": "tag-${g % 100}", "flags": [${g % 2 === 0}, ${g % 3 === 0}]}`,
  ];
}

/** Debezium `c` events of rows `from..to` (inclusive) out of `rows`, in `TXNS` transactions. */
export class BenchEvents {
  readonly model = benchModel();
  private readonly builder = new EventBuilder({
    serverName: 'cdcbench',
    database: 'postgres',
    version: PG_CDC_VERSION,
    tombstonesOnDelete: true,
    heartbeatTopic: '__debezium-heartbeat.cdcbench',
    transactionTopic: 'cdcbench.transaction',
    nowUs: () => COMMIT_TS_US,
  });
  private readonly partition = { server: 'cdcbench' };

  constructor(private readonly rows: number) {}

  events(from: number, to: number): SourceRecord[] {
    const out: SourceRecord[] = [];
    const perTx = Math.ceil(this.rows / TXNS);
    for (let g = from; g <= to; g++) {
      const tx = Math.floor((g - 1) / perTx);
      const tuple = rowText(g);
      const lsn = BASE_LSN + g * 160;
      const offset = { lsn_proc: BASE_LSN + tx * perTx * 160, lsn_commit: BASE_LSN + (tx + 1) * perTx * 160, lsn_events_processed: g - tx * perTx, txId: 750 + tx };
      const ctx: EventContext = {
        partition: this.partition,
        offset,
        offsetBefore: offset,
        source: { tsUs: COMMIT_TS_US + tx * 1_000_000, snapshot: 'false', txId: 750 + tx, lsn, lastCommitLsn: tx === 0 ? null : BASE_LSN + tx * perTx * 160 },
        transaction: null,
        nowUs: COMMIT_TS_US + tx * 1_000_000 + 500,
      };
      this.builder.create(this.model, this.model.row(tuple), this.model.key(tuple), ctx, out);
    }
    return out;
  }
}

export interface Loaded {
  readonly records: number;
  readonly keyBytes: number;
  readonly valueBytes: number;
  readonly appends: number;
  readonly seconds: number;
}

/**
 * Appends the `rows` events to partition 0 of the (new, one-partition) topic, converted by the
 * worker's converters and batched as the source runner batches them (≤ 512 KiB per append).
 */
export async function loadTopic(log: Log, converters: TaskConverters, rows: number, chunk = 2000): Promise<Loaded> {
  const t0 = performance.now();
  const events = new BenchEvents(rows);
  const topic = events.model.topic;
  await log.createTopic(topic, { partitions: 1 });
  let keyBytes = 0;
  let valueBytes = 0;
  let appends = 0;
  let batch: LogRecord[] = [];
  let batchBytes = 0;
  const inFlight: Promise<unknown>[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    inFlight.push(log.append(topic, 0, batch));
    appends++;
    batch = [];
    batchBytes = 0;
    if (inFlight.length >= APPENDS_IN_FLIGHT) await inFlight.shift();
  };
  for (let from = 1; from <= rows; from += chunk) {
    for (const r of events.events(from, Math.min(rows, from + chunk - 1))) {
      const key = converters.key.fromConnectData(r.topic, r.keySchema, r.key, r.headers);
      const value = converters.value.fromConnectData(r.topic, r.valueSchema, r.value, r.headers);
      const size = 21 + (key?.length ?? 0) + (value?.length ?? 0);
      if (batch.length > 0 && batchBytes + size > APPEND_MAX_BYTES) await flush();
      batch.push({ key, value });
      batchBytes += size;
      keyBytes += key?.length ?? 0;
      valueBytes += value?.length ?? 0;
    }
  }
  await flush();
  await Promise.all(inFlight);
  const end = await log.latestOffset(topic, 0);
  if (end !== rows) throw new Error(`${topic}-0 ends at ${end} after loading ${rows} records`);
  return { records: rows, keyBytes, valueBytes, appends, seconds: (performance.now() - t0) / 1000 };
}

export interface DecodeRun {
  readonly records: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/**
 * (info) The first `count` records of partition 0 read as the sink runner reads them (1 MiB per
 * read) and converted to Connect data, key and value, and nothing else: the share of the sink's
 * time that goes to the log and the JsonConverter.
 */
export async function decodeOnly(log: Log, converters: TaskConverters, topic: string, count: number): Promise<DecodeRun> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let offset = 0;
  let records = 0;
  while (records < count) {
    const r = await log.read(topic, 0, offset, { maxBytes: 1 << 20 });
    if (r.records.length === 0) break;
    for (const s of r.records) {
      if (records === count) break;
      converters.key.toConnectData(topic, s.key);
      converters.value.toConnectData(topic, s.value);
      records++;
    }
    offset = r.nextOffset;
  }
  const u = process.cpuUsage(c0);
  return { records, seconds: (performance.now() - t0) / 1000, cpuSeconds: (u.user + u.system) / 1e6 };
}
