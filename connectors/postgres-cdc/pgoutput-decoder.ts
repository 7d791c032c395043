/**
 * Decoder for pgoutput protocol version 1 messages (the payload of one XLogData), per PostgreSQL's
 * "Logical Replication Message Formats". Hot path: fixed-width fields are read in place, strings
 * are the only per-value allocations.
 */
import { DataError } from '../../src/sdk/index.js';
import type { Lsn } from './lsn.js';
import {
  UNCHANGED_TOAST,
  type PgRelationColumn,
  type PgoutputMessage,
  type TupleData,
  type TupleValue,
} from './pgoutput-messages.js';

/** Microseconds between the UNIX epoch and Postgres' epoch, 2000-01-01T00:00:00Z. */
const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;

const TAG_BEGIN = 0x42; // B
const TAG_COMMIT = 0x43; // C
const TAG_ORIGIN = 0x4f; // O
const TAG_RELATION = 0x52; // R
const TAG_TYPE = 0x59; // Y
const TAG_INSERT = 0x49; // I
const TAG_UPDATE = 0x55; // U
const TAG_DELETE = 0x44; // D
const TAG_TRUNCATE = 0x54; // T
const TAG_MESSAGE = 0x4d; // M

const TUPLE_NEW = 0x4e; // N
const TUPLE_KEY = 0x4b; // K
const TUPLE_OLD = 0x4f; // O

const COL_NULL = 0x6e; // n
const COL_TOAST = 0x75; // u
const COL_TEXT = 0x74; // t
const COL_BINARY = 0x62; // b

/** Cursor over one message; throws DataError naming the message tag and offset on malformed input. */
class Reader {
  pos = 1;
  constructor(
    readonly buf: Buffer,
    readonly tag: string,
  ) {}

  need(n: number): void {
    if (this.pos + n > this.buf.length) {
      const { tag, pos, buf } = this;
      throw new DataError(
        `pgoutput '${tag}' message truncated: needs ${n} byte(s) at offset ${pos}, length is ${buf.length}`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  lsn(): Lsn {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A Postgres TimestampTz (µs since 2000-01-01) as µs since the UNIX epoch. */
  timestampUs(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v + PG_EPOCH_OFFSET_US;
  }

  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) {
      throw new DataError(`pgoutput '${this.tag}' message truncated: unterminated string at offset ${this.pos}`);
    }
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  /** Namespace names: Postgres sends the empty string for pg_catalog. */
  namespace(): string {
    const s = this.cstring();
    return s === '' ? 'pg_catalog' : s;
  }

  /** A copy of the next `n` bytes, so that the result never aliases a reused network buffer. */
  bytes(n: number): Buffer {
    this.need(n);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  tuple(): TupleData {
    const n = this.u16();
    const out: TupleValue[] = new Array<TupleValue>(n);
    const buf = this.buf;
    for (let i = 0; i < n; i++) {
      const kind = this.u8();
      if (kind === COL_TEXT) {
        const len = this.u32();
        this.need(len);
        out[i] = buf.toString('utf8', this.pos, this.pos + len);
        this.pos += len;
      } else if (kind === COL_NULL) {
        out[i] = null;
      } else if (kind === COL_TOAST) {
        out[i] = UNCHANGED_TOAST;
      } else if (kind === COL_BINARY) {
        out[i] = this.bytes(this.u32());
      } else {
        throw new DataError(
          `pgoutput '${this.tag}' message: unknown column kind 0x${kind.toString(16)} at offset ${this.pos - 1}`,
        );
      }
    }
    return out;
  }

  unexpected(what: string, byte: number): never {
    throw new DataError(
      `pgoutput '${this.tag}' message: expected ${what}, got 0x${byte.toString(16)} at offset ${this.pos - 1}`,
    );
  }

  end<T>(msg: T): T {
    if (this.pos !== this.buf.length) {
      const extra = this.buf.length - this.pos;
      throw new DataError(`pgoutput '${this.tag}' message has ${extra} unexpected trailing byte(s) at offset ${this.pos}`);
    }
    return msg;
  }
}

/**
 * Decodes one pgoutput v1 message. Throws `DataError` (naming the tag and offset) on an unknown tag,
 * truncated input, unknown column kinds or trailing bytes.
 */
export function decodePgoutput(buf: Buffer): PgoutputMessage {
  if (buf.length === 0) throw new DataError('pgoutput message is empty');
  const code = buf[0]!;
  const r = new Reader(buf, String.fromCharCode(code));
  switch (code) {
    case TAG_INSERT: {
      const relationOid = r.u32();
      const t = r.u8();
      if (t !== TUPLE_NEW) r.unexpected("'N'", t);
      return r.end({ tag: 'insert', relationOid, newTuple: r.tuple() });
    }
    case TAG_UPDATE: {
      const relationOid = r.u32();
      let keyTuple: TupleData | null = null;
      let oldTuple: TupleData | null = null;
      let t = r.u8();
      if (t === TUPLE_KEY || t === TUPLE_OLD) {
        if (t === TUPLE_KEY) keyTuple = r.tuple();
        else oldTuple = r.tuple();
        t = r.u8();
      }
      if (t !== TUPLE_NEW) r.unexpected("'K', 'O' or 'N'", t);
      return r.end({ tag: 'update', relationOid, keyTuple, oldTuple, newTuple: r.tuple() });
    }
    case TAG_DELETE: {
      const relationOid = r.u32();
      const t = r.u8();
      if (t === TUPLE_KEY) return r.end({ tag: 'delete', relationOid, keyTuple: r.tuple(), oldTuple: null });
      if (t === TUPLE_OLD) return r.end({ tag: 'delete', relationOid, keyTuple: null, oldTuple: r.tuple() });
      return r.unexpected("'K' or 'O'", t);
    }
    case TAG_BEGIN: {
      const finalLsn = r.lsn();
      const commitTimeUs = r.timestampUs();
      return r.end({ tag: 'begin', finalLsn, commitTimeUs, xid: r.u32() });
    }
    case TAG_COMMIT: {
      const flags = r.u8();
      const commitLsn = r.lsn();
      const endLsn = r.lsn();
      return r.end({ tag: 'commit', flags, commitLsn, endLsn, commitTimeUs: r.timestampUs() });
    }
    case TAG_RELATION:
      return r.end(decodeRelation(r));
    case TAG_TYPE: {
      const typeOid = r.u32();
      const namespace = r.namespace();
      return r.end({ tag: 'type', typeOid, namespace, name: r.cstring() });
    }
    case TAG_ORIGIN: {
      const lsn = r.lsn();
      return r.end({ tag: 'origin', lsn, name: r.cstring() });
    }
    case TAG_TRUNCATE: {
      const n = r.u32();
      const flags = r.u8();
      r.need(4 * n);
      const relationOids = new Array<number>(n);
      for (let i = 0; i < n; i++) relationOids[i] = r.u32();
      return r.end({ tag: 'truncate', cascade: (flags & 1) !== 0, restartIdentity: (flags & 2) !== 0, relationOids });
    }
    case TAG_MESSAGE: {
      const flags = r.u8();
      const lsn = r.lsn();
      const prefix = r.cstring();
      const content = r.bytes(r.u32());
      return r.end({ tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content });
    }
    default:
      throw new DataError(`unknown pgoutput message tag 0x${code.toString(16)} ('${r.tag}') at offset 0`);
  }
}

function decodeRelation(r: Reader): PgoutputMessage {
  const relationOid = r.u32();
  const namespace = r.namespace();
  const name = r.cstring();
  const ident = r.u8();
  if (ident !== 0x64 && ident !== 0x6e && ident !== 0x66 && ident !== 0x69) {
    r.unexpected('replica identity d/n/f/i', ident);
  }
  const n = r.u16();
  const columns = new Array<PgRelationColumn>(n);
  for (let i = 0; i < n; i++) {
    const flags = r.u8();
    const colName = r.cstring();
    const typeOid = r.u32();
    columns[i] = { flags, isKey: (flags & 1) !== 0, name: colName, typeOid, typeMod: r.i32() };
  }
  const replicaIdentity = String.fromCharCode(ident) as 'd' | 'n' | 'f' | 'i';
  return { tag: 'relation', relationOid, namespace, name, replicaIdentity, columns };
}
