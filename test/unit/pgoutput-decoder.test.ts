import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/sdk/index.js';
import { decodePgoutput } from '../../connectors/postgres-cdc/pgoutput-decoder.js';
import { UNCHANGED_TOAST, type TupleValue } from '../../connectors/postgres-cdc/pgoutput-messages.js';

const PG_EPOCH_US = 946_684_800_000_000n;

/** Builds wire messages the way pgoutput writes them (network byte order, NUL-terminated strings). */
class Msg {
  private readonly parts: Buffer[] = [];
  constructor(tag: string) {
    this.char(tag);
  }
  char(c: string): this {
    return this.u8(c.charCodeAt(0));
  }
  u8(v: number): this {
    this.parts.push(Buffer.from([v]));
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    this.parts.push(b);
    return this;
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(v);
    this.parts.push(b);
    return this;
  }
  i64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  cstr(s: string): this {
    this.parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  /** TupleData: Int16 count, then per column a kind byte and, for t/b, Int32 length + bytes. */
  tuple(values: TupleValue[]): this {
    this.u16(values.length);
    for (const v of values) {
      if (v === null) this.char('n');
      else if (v === UNCHANGED_TOAST) this.char('u');
      else if (typeof v === 'string') {
        const bytes = Buffer.from(v, 'utf8');
        this.char('t').u32(bytes.length).raw(bytes);
      } else this.char('b').u32(v.length).raw(v);
    }
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const relation = () =>
  new Msg('R')
    .u32(16385)
    .cstr('public')
    .cstr('orders')
    .char('d')
    .u16(3)
    .u8(1).cstr('id').u32(23).i32(-1)
    .u8(0).cstr('note').u32(1043).i32(68)
    .u8(0).cstr('prix_€').u32(1700).i32(655366)
    .build();

const SAMPLES: Record<string, () => Buffer> = {
  begin: () => new Msg('B').u64(0x1_0177_8d30n).i64(757_000_000_123_456n).u32(0xfffffffe).build(),
  commit: () => new Msg('C').u8(0).u64(0x1778d30n).u64(0x1778d60n).i64(-1n).build(),
  origin: () => new Msg('O').u64(0xabcn).cstr('node_a').build(),
  relation,
  type: () => new Msg('Y').u32(16400).cstr('').cstr('mood').build(),
  insert: () => new Msg('I').u32(16385).char('N').tuple(['1', null, 'héllo ✓ 😀']).build(),
  update: () =>
    new Msg('U').u32(16385).char('O').tuple(['1', 'a', 'x']).char('N').tuple(['1', 'b', UNCHANGED_TOAST]).build(),
  delete: () => new Msg('D').u32(16385).char('K').tuple(['1', null, null]).build(),
  truncate: () => new Msg('T').u32(2).u8(3).u32(16385).u32(0xffff_fff0).build(),
  message: () => new Msg('M').u8(1).u64(0x1b9ab08n).cstr('wm').u32(3).raw(Buffer.from([0, 0xff, 7])).build(),
};

describe('decodePgoutput', () => {
  it('decodes BEGIN with the commit time moved to the UNIX epoch exactly', () => {
    expect(decodePgoutput(SAMPLES.begin!())).toEqual({
      tag: 'begin',
      finalLsn: 0x1_0177_8d30n,
      commitTimeUs: 757_000_000_123_456n + PG_EPOCH_US,
      xid: 0xfffffffe,
    });
  });

  it('decodes COMMIT, including a timestamp before 2000', () => {
    expect(decodePgoutput(SAMPLES.commit!())).toEqual({
      tag: 'commit',
      flags: 0,
      commitLsn: 0x1778d30n,
      endLsn: 0x1778d60n,
      commitTimeUs: PG_EPOCH_US - 1n,
    });
  });

  it('decodes ORIGIN', () => {
    expect(decodePgoutput(SAMPLES.origin!())).toEqual({ tag: 'origin', lsn: 0xabcn, name: 'node_a' });
  });

  it('decodes RELATION with key flags, signed type modifiers and UTF-8 names', () => {
    expect(decodePgoutput(relation())).toEqual({
      tag: 'relation',
      relationOid: 16385,
      namespace: 'public',
      name: 'orders',
      replicaIdentity: 'd',
      columns: [
        { flags: 1, isKey: true, name: 'id', typeOid: 23, typeMod: -1 },
        { flags: 0, isKey: false, name: 'note', typeOid: 1043, typeMod: 68 },
        { flags: 0, isKey: false, name: 'prix_€', typeOid: 1700, typeMod: 655366 },
      ],
    });
  });

  it('accepts every replica identity and rejects others', () => {
    for (const ident of ['d', 'n', 'f', 'i']) {
      const buf = new Msg('R').u32(1).cstr('s').cstr('t').char(ident).u16(0).build();
      expect(decodePgoutput(buf)).toMatchObject({ replicaIdentity: ident, columns: [] });
    }
    const bad = new Msg('R').u32(1).cstr('s').cstr('t').char('x').u16(0).build();
    expect(() => decodePgoutput(bad)).toThrow(/replica identity/);
  });

  it('decodes TYPE, reading the empty namespace as pg_catalog', () => {
    expect(decodePgoutput(SAMPLES.type!())).toEqual({
      tag: 'type',
      typeOid: 16400,
      namespace: 'pg_catalog',
      name: 'mood',
    });
  });

  it('decodes INSERT with nulls and multi-byte UTF-8 text', () => {
    expect(decodePgoutput(SAMPLES.insert!())).toEqual({
      tag: 'insert',
      relationOid: 16385,
      newTuple: ['1', null, 'héllo ✓ 😀'],
    });
  });

  it('decodes UPDATE without old image, with a key image and with a full old image', () => {
    const plain = new Msg('U').u32(7).char('N').tuple(['2', UNCHANGED_TOAST]).build();
    expect(decodePgoutput(plain)).toEqual({
      tag: 'update',
      relationOid: 7,
      keyTuple: null,
      oldTuple: null,
      newTuple: ['2', UNCHANGED_TOAST],
    });
    const keyed = new Msg('U').u32(7).char('K').tuple(['1', null]).char('N').tuple(['2', 'x']).build();
    expect(decodePgoutput(keyed)).toMatchObject({ keyTuple: ['1', null], oldTuple: null, newTuple: ['2', 'x'] });
    const full = decodePgoutput(SAMPLES.update!());
    expect(full).toMatchObject({ keyTuple: null, oldTuple: ['1', 'a', 'x'], newTuple: ['1', 'b', UNCHANGED_TOAST] });
    if (full.tag !== 'update') throw new Error('expected update');
    expect(full.newTuple[2]).toBe(UNCHANGED_TOAST);
  });

  it('decodes DELETE with a key image or a full old image', () => {
    expect(decodePgoutput(SAMPLES.delete!())).toEqual({
      tag: 'delete',
      relationOid: 16385,
      keyTuple: ['1', null, null],
      oldTuple: null,
    });
    const full = new Msg('D').u32(9).char('O').tuple(['1', 'a']).build();
    expect(decodePgoutput(full)).toEqual({ tag: 'delete', relationOid: 9, keyTuple: null, oldTuple: ['1', 'a'] });
  });

  it('decodes TRUNCATE flags and unsigned relation oids', () => {
    expect(decodePgoutput(SAMPLES.truncate!())).toEqual({
      tag: 'truncate',
      cascade: true,
      restartIdentity: true,
      relationOids: [16385, 0xffff_fff0],
    });
    const plain = new Msg('T').u32(1).u8(0).u32(5).build();
    expect(decodePgoutput(plain)).toMatchObject({ cascade: false, restartIdentity: false, relationOids: [5] });
    const restartOnly = new Msg('T').u32(1).u8(2).u32(5).build();
    expect(decodePgoutput(restartOnly)).toMatchObject({ cascade: false, restartIdentity: true });
  });

  it('decodes transactional and non-transactional MESSAGE with binary content', () => {
    expect(decodePgoutput(SAMPLES.message!())).toEqual({
      tag: 'message',
      transactional: true,
      lsn: 0x1b9ab08n,
      prefix: 'wm',
      content: Buffer.from([0, 0xff, 7]),
    });
    const empty = new Msg('M').u8(0).u64(1n).cstr('p').u32(0).build();
    expect(decodePgoutput(empty)).toMatchObject({ transactional: false, content: Buffer.alloc(0) });
  });

  it('returns binary column values and message content as copies of the input', () => {
    const bin = Buffer.from([1, 2, 0, 255]);
    const buf = new Msg('I').u32(1).char('N').tuple([bin, 'x']).build();
    const msg = decodePgoutput(buf);
    if (msg.tag !== 'insert') throw new Error('expected insert');
    expect(msg.newTuple).toEqual([bin, 'x']);
    buf.fill(0xaa);
    expect(msg.newTuple[0]).toEqual(Buffer.from([1, 2, 0, 255]));

    const mbuf = SAMPLES.message!();
    const m = decodePgoutput(mbuf);
    mbuf.fill(0);
    expect(m).toMatchObject({ content: Buffer.from([0, 0xff, 7]) });
  });

  it('decodes a message that sits inside a larger buffer (XLogData payload slice)', () => {
    const inner = SAMPLES.insert!();
    const outer = Buffer.concat([Buffer.alloc(25, 0x77), inner]);
    expect(decodePgoutput(outer.subarray(25))).toEqual(decodePgoutput(inner));
  });

  it('decodes a large text value and many columns', () => {
    const big = 'ab€'.repeat(50_000);
    const values = Array.from({ length: 1600 }, (_, i) => (i % 3 === 0 ? null : `v${i}`));
    const msg = decodePgoutput(new Msg('I').u32(1).char('N').tuple([big, ...values]).build());
    expect(msg).toMatchObject({ newTuple: [big, ...values] });
  });

  describe('malformed input throws DataError', () => {
    it('on an empty buffer', () => {
      expect(() => decodePgoutput(Buffer.alloc(0))).toThrow(DataError);
    });

    it('on an unknown tag, naming it', () => {
      const err = catchError(() => decodePgoutput(Buffer.from('S\0\0\0\x01\x01', 'latin1')));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toMatch(/tag 0x53 \('S'\)/);
    });

    for (const [kind, make] of Object.entries(SAMPLES)) {
      it(`on every truncation of ${kind}`, () => {
        const full = make();
        for (let len = 1; len < full.length; len++) {
          const err = catchError(() => decodePgoutput(full.subarray(0, len)));
          expect(err, `${kind} cut at ${len}`).toBeInstanceOf(DataError);
          expect(err.message).toMatch(new RegExp(`'${String.fromCharCode(full[0]!)}' message`));
        }
      });

      it(`on trailing bytes after ${kind}`, () => {
        const err = catchError(() => decodePgoutput(Buffer.concat([make(), Buffer.from([0])])));
        expect(err).toBeInstanceOf(DataError);
        expect(err.message).toMatch(/trailing byte\(s\) at offset \d+/);
      });
    }

    it('names the offset of a truncated text value', () => {
      const full = new Msg('I').u32(1).char('N').u16(1).char('t').u32(10).raw(Buffer.from('abc')).build();
      expect(() => decodePgoutput(full)).toThrow(/'I' message truncated: needs 10 byte\(s\) at offset 13/);
    });

    it('on an unknown column kind', () => {
      const buf = new Msg('I').u32(1).char('N').u16(1).char('z').build();
      expect(() => decodePgoutput(buf)).toThrow(/unknown column kind 0x7a at offset 8/);
    });

    it('on a wrong tuple marker', () => {
      expect(() => decodePgoutput(new Msg('I').u32(1).char('K').tuple([]).build())).toThrow(DataError);
      expect(() => decodePgoutput(new Msg('U').u32(1).char('X').tuple([]).build())).toThrow(DataError);
      expect(() => decodePgoutput(new Msg('U').u32(1).char('K').tuple([]).char('K').tuple([]).build())).toThrow(
        DataError,
      );
      expect(() => decodePgoutput(new Msg('D').u32(1).char('N').tuple([]).build())).toThrow(DataError);
    });

    it('on an unterminated string', () => {
      const buf = Buffer.concat([new Msg('O').u64(1n).build(), Buffer.from('abc')]);
      expect(() => decodePgoutput(buf)).toThrow(/unterminated string at offset 9/);
    });
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
