/**
 * The data of bench:pipeline's transforms phase: Debezium change events of a Postgres `public.orders`
 * table, built by the CDC source's own code (`TableModel` maps the column text as pgoutput delivers
 * it, `EventBuilder` wraps it in the envelope) and written, one per line, as the worker's JsonConverter
 * (`schemas.enable=true`) puts them on a topic: exactly the bytes a `pg` capture of this table would
 * store, `{"schema":…,"payload":…}` with before, after, source, transaction, op, ts_ms/us/ns.
 *
 * Table (topic.prefix `shop`, default type modes), 11 columns: id int8 PK, customer_id int4,
 * status varchar, amount numeric(12,2) (Decimal, base64 in JSON), currency bpchar(3), discount
 * float8 (nullable), is_gift bool, note text (nullable), created_at timestamptz (ZonedTimestamp
 * text), updated_at timestamp (MicroTimestamp), ship_date date (io.debezium.time.Date, nullable).
 *
 * Events, deterministic (xorshift): about 50 % creates of new ids, 35 % updates and 15 % deletes of
 * ids created earlier (updates carry `before`, as with REPLICA IDENTITY FULL), 5 events a
 * transaction. No tombstones: a text line cannot hold a null record value.
 */
import { open } from 'node:fs/promises';
import { EventBuilder, type EventContext } from '../connectors/postgres-cdc/change-records.js';
import type { TupleData } from '../connectors/postgres-cdc/pgoutput-messages.js';
import type { PgTypeInfo } from '../connectors/postgres-cdc/pg-type-info.js';
import { DEFAULT_TYPE_MODES } from '../connectors/postgres-cdc/pg-value-mapping.js';
import { TableModel, type ModelColumn } from '../connectors/postgres-cdc/table-model.js';
import { PG_CDC_VERSION } from '../connectors/postgres-cdc/version.js';
import { JsonConverter } from '../src/runtime/converters/index.js';
import type { SourceRecord } from '../src/sdk/index.js';

const type = (oid: number, name: string): PgTypeInfo => ({ oid, name, schema: 'pg_catalog', kind: 'base' });
const column = (name: string, t: PgTypeInfo, notNull: boolean, typeMod = -1): ModelColumn => ({ name, type: t, typeMod, notNull, defaultExpression: null });

export const CDC_TOPIC = 'shop.public.orders';

export function ordersModel(): TableModel {
  return new TableModel({
    oid: 16_600,
    schema: 'public',
    table: 'orders',
    columns: [
      column('id', type(20, 'int8'), true),
      column('customer_id', type(23, 'int4'), true),
      column('status', type(1043, 'varchar'), true, 20 + 4),
      column('amount', type(1700, 'numeric'), true, ((12 << 16) | 2) + 4),
      column('currency', type(1042, 'bpchar'), true, 3 + 4),
      column('discount', type(701, 'float8'), false),
      column('is_gift', type(16, 'bool'), true),
      column('note', type(25, 'text'), false),
      column('created_at', type(1184, 'timestamptz'), true),
      column('updated_at', type(1114, 'timestamp'), true),
      column('ship_date', type(1082, 'date'), false),
    ],
    keyColumns: ['id'],
    includesColumn: () => true,
    topicPrefix: 'shop',
    modes: DEFAULT_TYPE_MODES,
  });
}

/** xorshift32: the same sequence on every run and machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const STATUSES = ['pending', 'paid', 'packed', 'shipped', 'delivered', 'returned'];
const CURRENCIES = ['EUR', 'USD', 'GBP'];
const NOTES = ['leave at the door', 'gift wrap, no invoice', 'call before delivery', 'fragile — handle with care'];
const EPOCH_MS = Date.UTC(2024, 0, 1);
const COMMIT_TS_US = Date.UTC(2024, 4, 1) * 1000;
const BASE_LSN = 0x2_4000_0000;
const PER_TX = 5;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Postgres' text of a timestamp `ms` after the epoch (µs part from `us`), with `+00` for timestamptz. */
function pgTimestamp(ms: number, us: number, tz: boolean): string {
  const iso = new Date(ms).toISOString();
  const frac = (ms % 1000) * 1000 + us;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${pad(frac, 6).replace(/0+$/, '')}` : ''}${tz ? '+00' : ''}`;
}

/** Row `id` at `version` as pgoutput text. */
function rowText(id: number, version: number, next: () => number): TupleData {
  const created = EPOCH_MS + id * 7_919;
  const cents = (id * 104_729 + version * 13) % 10_000_000;
  return [
    String(id),
    String(1 + (id * 31) % 50_000),
    STATUSES[version % STATUSES.length]!,
    `${Math.floor(cents / 100)}.${pad(cents % 100)}`,
    CURRENCIES[id % 3]!,
    next() % 4 === 0 ? null : String((next() % 3000) / 100),
    next() % 10 === 0 ? 't' : 'f',
    next() % 3 === 0 ? NOTES[next() % NOTES.length]! : null,
    pgTimestamp(created, id % 1000, true),
    pgTimestamp(created + version * 3_600_000, 0, false),
    version >= 3 ? new Date(created + 5 * 86_400_000).toISOString().slice(0, 10) : null,
  ];
}

export interface CdcData {
  readonly lines: number;
  readonly bytes: number;
  readonly creates: number;
  readonly updates: number;
  readonly deletes: number;
  /** The `source.lsn` of the last event (every event has its own). */
  readonly lastLsn: number;
}

/** Writes `count` change events to `path`, one JsonConverter envelope per line. */
export async function writeCdcInput(path: string, count: number): Promise<CdcData> {
  const model = ordersModel();
  const builder = new EventBuilder({
    serverName: 'shop',
    database: 'shop',
    version: PG_CDC_VERSION,
    tombstonesOnDelete: false,
    heartbeatTopic: '__debezium-heartbeat.shop',
    transactionTopic: 'shop.transaction',
    nowUs: () => COMMIT_TS_US,
  });
  const json = new JsonConverter();
  json.configure({ 'schemas.enable': 'true' }, false);
  const next = rng(0x5eed);
  const partition = { server: 'shop' };
  /** Live ids and their version, for updates and deletes. */
  const live: number[] = [];
  const version = new Map<number, number>();
  let nextId = 1;
  const counts = { creates: 0, updates: 0, deletes: 0 };
  const fd = await open(path, 'wx');
  let bytes = 0;
  try {
    let parts: string[] = [];
    const out: SourceRecord[] = [];
    for (let i = 0; i < count; i++) {
      const tx = Math.floor(i / PER_TX);
      const lsn = BASE_LSN + i * 200;
      const offset = { lsn_proc: lsn, lsn_commit: BASE_LSN + tx * PER_TX * 200, txId: 5_000 + tx };
      const tsUs = COMMIT_TS_US + tx * 1_500;
      const ctx: EventContext = {
        partition,
        offset,
        offsetBefore: offset,
        source: { tsUs, snapshot: 'false', txId: 5_000 + tx, lsn, lastCommitLsn: tx === 0 ? null : BASE_LSN + (tx * PER_TX - 1) * 200 },
        transaction: null,
        nowUs: tsUs + 800,
      };
      const roll = next() % 100;
      out.length = 0;
      if (live.length < 10 || roll < 50) {
        const id = nextId++;
        const t = rowText(id, 0, next);
        live.push(id);
        version.set(id, 0);
        builder.create(model, model.row(t), model.key(t), ctx, out);
        counts.creates++;
      } else {
        const at = next() % live.length;
        const id = live[at]!;
        const v = version.get(id)!;
        const before = rowText(id, v, next);
        if (roll < 85) {
          const after = rowText(id, v + 1, next);
          version.set(id, v + 1);
          builder.update(model, model.row(before), model.row(after), model.key(after), ctx, out);
          counts.updates++;
        } else {
          live[at] = live[live.length - 1]!;
          live.pop();
          version.delete(id);
          builder.delete(model, model.row(before), model.key(before), ctx, out);
          counts.deletes++;
        }
      }
      for (const r of out) {
        parts.push(json.fromConnectData(r.topic, r.valueSchema, r.value)!.toString('utf8'), '\n');
      }
      if (parts.length >= 4_000) {
        const b = Buffer.from(parts.join(''), 'utf8');
        await fd.write(b);
        bytes += b.length;
        parts = [];
      }
    }
    const b = Buffer.from(parts.join(''), 'utf8');
    await fd.write(b);
    bytes += b.length;
    await fd.sync();
  } finally {
    await fd.close();
  }
  return { lines: count, bytes, ...counts, lastLsn: BASE_LSN + (count - 1) * 200 };
}
