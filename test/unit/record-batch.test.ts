import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ATTR_LOG_APPEND_TIME,
  HEADER_SIZE,
  LOG_OVERHEAD,
  batchCrcValid,
  batchSizeAt,
  computeBatchCrc,
  decodeBatch,
  encodeBatch,
  finishBatch,
  parseRecords,
  readBatchHeader,
  recordsRegion,
  setBaseOffset,
  type EncodeBatchOptions,
} from '../../src/log/codec/record-batch.js';
import { isTributaryError, type ErrorCode } from '../../src/errors/codes.js';
import type { LogRecord, RecordHeader, StoredRecord } from '../../src/log/log.js';
import { KCompression, KRecord, Long, kafkajsDecodeBatch, kafkajsEncodeBatch, type KDecodedRecord } from '../support/kafkajs.js';

const T0 = 1_700_000_000_000;

interface BatchSpec {
  readonly records: readonly LogRecord[]; // every record with an explicit timestamp
  readonly baseOffset?: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly partitionLeaderEpoch?: number;
  readonly transactional?: boolean;
  readonly gzip?: boolean;
}

/** Headers as kafkajs takes them: an object, repeated keys as arrays (so grouped by key). */
function kafkajsHeaders(headers: readonly RecordHeader[] | undefined): Record<string, Buffer | Buffer[]> {
  const out = Object.create(null) as Record<string, Buffer | Buffer[]>;
  for (const h of headers ?? []) {
    if (h.value === null) throw new Error('kafkajs cannot encode null header values');
    const prev = out[h.key];
    out[h.key] = prev === undefined ? h.value : Array.isArray(prev) ? [...prev, h.value] : [prev, h.value];
  }
  return out;
}

async function encodeWithKafkajs(spec: BatchSpec): Promise<Buffer> {
  const ts = spec.records.map((r) => r.timestamp!);
  const first = ts[0]!;
  return kafkajsEncodeBatch({
    compression: spec.gzip ? KCompression.GZIP : KCompression.None,
    firstOffset: Long.fromValue(spec.baseOffset ?? 0),
    firstTimestamp: first,
    maxTimestamp: Math.max(...ts),
    partitionLeaderEpoch: spec.partitionLeaderEpoch ?? 0,
    lastOffsetDelta: spec.records.length - 1,
    transactional: spec.transactional ?? false,
    producerId: Long.fromValue(spec.producerId ?? -1),
    producerEpoch: spec.producerEpoch ?? 0,
    firstSequence: spec.baseSequence ?? 0,
    records: spec.records.map((r, i) =>
      KRecord({ offsetDelta: i, timestampDelta: r.timestamp! - first, key: r.key, value: r.value, headers: kafkajsHeaders(r.headers) }),
    ),
  });
}

function ourOptions(spec: BatchSpec): EncodeBatchOptions {
  return {
    baseOffset: spec.baseOffset ?? 0,
    compression: spec.gzip ? 'gzip' : 'none',
    producerId: spec.producerId ?? -1,
    producerEpoch: spec.producerEpoch ?? 0,
    baseSequence: spec.baseSequence ?? 0,
    partitionLeaderEpoch: spec.partitionLeaderEpoch ?? 0,
    transactional: spec.transactional ?? false,
    now: 12345, // must not be used: every record has a timestamp
  };
}

function expectedStored(spec: BatchSpec): StoredRecord[] {
  return spec.records.map((r, i) => ({
    offset: (spec.baseOffset ?? 0) + i,
    timestamp: r.timestamp!,
    key: r.key,
    value: r.value,
    headers: r.headers ?? [],
  }));
}

function normalise(records: readonly StoredRecord[]): unknown[] {
  return records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : r.key.toString('hex'),
    value: r.value === null ? null : r.value.toString('hex'),
    headers: r.headers.map((h) => [h.key, h.value === null ? null : h.value.toString('hex')]),
  }));
}

/** kafkajs's decoded record, in the same normal form (its headers are an object keyed by name). */
function normaliseK(records: readonly KDecodedRecord[]): unknown[] {
  return records.map((r) => ({
    offset: Number(r.offset),
    timestamp: Number(r.timestamp),
    key: r.key === null ? null : r.key.toString('hex'),
    value: r.value === null ? null : r.value.toString('hex'),
    headers: Object.entries(r.headers).flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => [k, x === null ? null : x.toString('hex')]),
    ),
  }));
}

function decodeOurs(buf: Buffer, pos = 0): StoredRecord[] {
  return decodeBatch(buf, pos, readBatchHeader(buf, pos));
}

function expectCodeSync(fn: () => unknown, code: ErrorCode): void {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  if (!isTributaryError(error, code)) throw new Error(`expected TributaryError ${code}, got ${String(error)}`);
}

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

const GOLDEN: [string, BatchSpec][] = [
  ['a single record with a null key', { records: [{ key: null, value: b('hello'), timestamp: T0 }] }],
  ['keyed records', { records: [{ key: b('k1'), value: b('v1'), timestamp: T0 }, { key: b('k2'), value: b('v2'), timestamp: T0 + 1 }] }],
  ['a tombstone (null value)', { records: [{ key: b('gone'), value: null, timestamp: T0 }] }],
  ['null key and null value', { records: [{ key: null, value: null, timestamp: T0 }] }],
  [
    'empty key and value buffers',
    { records: [{ key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: T0 }, { key: Buffer.alloc(0), value: b('x'), timestamp: T0 }] },
  ],
  [
    'one header',
    { records: [{ key: b('k'), value: b('v'), timestamp: T0, headers: [{ key: 'trace-id', value: b('abc123') }] }] },
  ],
  [
    'several headers, unicode keys, an empty header value and a repeated key',
    {
      records: [
        {
          key: b('k'),
          value: b('v'),
          timestamp: T0,
          headers: [
            { key: 'content-type', value: b('application/json') },
            { key: 'ключ', value: b('значение') },
            { key: '键🎉', value: Buffer.from([0, 1, 2, 255]) },
            { key: 'empty', value: Buffer.alloc(0) },
            { key: 'dup', value: b('first') },
            { key: 'dup', value: b('second') },
          ],
        },
        { key: b('k2'), value: null, timestamp: T0, headers: [{ key: 'ü', value: b('ü') }] },
      ],
    },
  ],
  [
    'negative timestamp deltas (non-monotonic timestamps)',
    {
      records: [
        { key: b('a'), value: b('1'), timestamp: T0 + 10_000 },
        { key: b('b'), value: b('2'), timestamp: T0 },
        { key: b('c'), value: b('3'), timestamp: T0 + 20_000 },
        { key: b('d'), value: b('4'), timestamp: T0 - 5_000_000_000 },
        { key: b('e'), value: b('5'), timestamp: 0 },
      ],
    },
  ],
  [
    'large values (> 16 KiB and > 1 MiB: multi-byte length varints)',
    {
      records: [
        { key: b('big'), value: Buffer.alloc(20_000, 7), timestamp: T0 },
        { key: Buffer.alloc(70_000, 1), value: Buffer.alloc(100_000, 0xab), timestamp: T0 + 1 },
        { key: null, value: Buffer.alloc((1 << 20) + 17, 0x5a), timestamp: T0 + 2 },
      ],
    },
  ],
  [
    'large offsets, timestamps and producer fields',
    {
      baseOffset: 2 ** 40 + 123,
      producerId: 2 ** 45 + 7,
      producerEpoch: 32767,
      baseSequence: 2 ** 31 - 1,
      partitionLeaderEpoch: 2 ** 31 - 1,
      records: [
        { key: b('x'), value: b('y'), timestamp: 2 ** 50 },
        { key: b('x'), value: b('z'), timestamp: 2 ** 50 + 2 ** 40 },
        { key: b('x'), value: b('w'), timestamp: 2 ** 50 - 2 ** 42 },
      ],
    },
  ],
  ['an offset near 2^53', { baseOffset: Number.MAX_SAFE_INTEGER - 10, records: [{ key: null, value: b('v'), timestamp: T0 }] }],
  [
    'many records (multi-byte offset deltas)',
    { records: Array.from({ length: 300 }, (_, i) => ({ key: b(`key-${i % 17}`), value: b(`value-${i}`), timestamp: T0 + i * 1000 })) },
  ],
  ['a transactional batch', { transactional: true, producerId: 4000, producerEpoch: 3, baseSequence: 77, records: [{ key: b('t'), value: b('x'), timestamp: T0 }] }],
];

describe('encodeBatch: golden bytes against kafkajs', () => {
  it.each(GOLDEN)('%s: byte-identical to kafkajs RecordBatch', async (_name, spec) => {
    const ours = await encodeBatch(spec.records, ourOptions(spec));
    const theirs = await encodeWithKafkajs(spec);
    expect(ours.length).toBe(theirs.length);
    expect(ours.equals(theirs)).toBe(true);
  });

  it.each(GOLDEN)('%s: kafkajs decodes ours, we decode kafkajs\'s', async (_name, spec) => {
    const ours = await encodeBatch(spec.records, ourOptions(spec));
    const theirs = await encodeWithKafkajs(spec);
    const expected = normalise(expectedStored(spec));
    const k = await kafkajsDecodeBatch(ours);
    expect(normaliseK(k.records)).toEqual(expected);
    expect(normalise(decodeOurs(theirs))).toEqual(expected);
    expect(normalise(decodeOurs(ours))).toEqual(expected);
  });

  it.each(GOLDEN)('%s: header fields read back as kafkajs wrote them', async (_name, spec) => {
    const theirs = await encodeWithKafkajs(spec);
    const h = readBatchHeader(theirs, 0);
    const ts = spec.records.map((r) => r.timestamp!);
    expect(h).toMatchObject({
      baseOffset: spec.baseOffset ?? 0,
      batchLength: theirs.length - LOG_OVERHEAD,
      partitionLeaderEpoch: spec.partitionLeaderEpoch ?? 0,
      magic: 2,
      attributes: spec.transactional ? 0x10 : 0,
      lastOffsetDelta: spec.records.length - 1,
      baseTimestamp: ts[0],
      maxTimestamp: Math.max(...ts),
      producerId: spec.producerId ?? -1,
      producerEpoch: spec.producerEpoch ?? 0,
      baseSequence: spec.baseSequence ?? 0,
      recordsCount: spec.records.length,
    });
    expect(h.crc).toBe(computeBatchCrc(theirs, 0, theirs.length));
    expect(batchCrcValid(theirs, 0, theirs.length)).toBe(true);
    expect(batchSizeAt(theirs, 0)).toBe(theirs.length);
  });

  it('matches kafkajs on random batches (property)', async () => {
    const headerKey = fc
      .string({ unit: 'grapheme', maxLength: 8 })
      .filter((k) => !/^(0|[1-9]\d*)$/.test(k) && k !== '__proto__');
    const bytes = (max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
    const record = fc.record({
      key: fc.option(bytes(40), { nil: null }),
      value: fc.option(bytes(300), { nil: null }),
      timestamp: fc.integer({ min: 0, max: 2 ** 48 }),
      headers: fc.uniqueArray(fc.tuple(headerKey, fc.array(bytes(20), { minLength: 1, maxLength: 3 })), {
        selector: ([k]) => k,
        maxLength: 4,
      }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 2 ** 50 }),
        fc.integer({ min: -1, max: 2 ** 50 }),
        fc.integer({ min: -1, max: 32767 }),
        fc.integer({ min: -1, max: 2 ** 31 - 1 }),
        async (raw, baseOffset, producerId, producerEpoch, baseSequence) => {
          const records: LogRecord[] = raw.map((r) => ({
            key: r.key,
            value: r.value,
            timestamp: r.timestamp,
            headers: r.headers.flatMap(([key, values]) => values.map((value) => ({ key, value }))),
          }));
          const spec: BatchSpec = { records, baseOffset, producerId, producerEpoch, baseSequence };
          const ours = await encodeBatch(records, ourOptions(spec));
          const theirs = await encodeWithKafkajs(spec);
          expect(ours.toString('hex')).toBe(theirs.toString('hex'));
          expect(normalise(decodeOurs(ours))).toEqual(normalise(expectedStored(spec)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('encodeBatch: gzip, compared by decoding', () => {
  const spec: BatchSpec = {
    gzip: true,
    baseOffset: 42,
    records: [
      { key: b('k1'), value: Buffer.alloc(5000, 'abc'), timestamp: T0 },
      { key: null, value: b('plain'), timestamp: T0 - 100, headers: [{ key: 'h', value: b('1') }, { key: 'ключ', value: b('2') }] },
      { key: b('k3'), value: null, timestamp: T0 + 100 },
      { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: T0 + 5 },
    ],
  };

  it('kafkajs decodes our gzip batch', async () => {
    const ours = await encodeBatch(spec.records, ourOptions(spec));
    const h = readBatchHeader(ours, 0);
    expect(h.attributes & 0x07).toBe(1);
    expect(h.recordsCount).toBe(4);
    expect(batchCrcValid(ours, 0, ours.length)).toBe(true);
    // Compressed: far smaller than the 5000-byte value.
    expect(ours.length).toBeLessThan(1000);
    const k = await kafkajsDecodeBatch(ours);
    expect(k.firstOffset).toBe('42');
    expect(k.lastOffsetDelta).toBe(3);
    expect(normaliseK(k.records)).toEqual(normalise(expectedStored(spec)));
  });

  it('we decode kafkajs\'s gzip batch, with the same header fields as ours', async () => {
    const theirs = await encodeWithKafkajs(spec);
    const ours = await encodeBatch(spec.records, ourOptions(spec));
    expect(normalise(decodeOurs(theirs))).toEqual(normalise(expectedStored(spec)));
    const ht = readBatchHeader(theirs, 0);
    const ho = readBatchHeader(ours, 0);
    for (const f of ['baseOffset', 'partitionLeaderEpoch', 'magic', 'attributes', 'lastOffsetDelta', 'baseTimestamp', 'maxTimestamp', 'producerId', 'producerEpoch', 'baseSequence', 'recordsCount'] as const) {
      expect(ho[f], f).toBe(ht[f]);
    }
    expect(ht.attributes & 0x07).toBe(1);
    expect(recordsRegion(theirs, 0, theirs.length, ht.attributes).equals(recordsRegion(ours, 0, ours.length, ho.attributes))).toBe(true);
  });
});

describe('encodeBatch / decodeBatch (own round trip)', () => {
  it('refuses an empty batch', async () => {
    await expect(encodeBatch([])).rejects.toSatisfy((e: unknown) => isTributaryError(e, 'INVALID_RECORD'));
  });

  it('defaults missing timestamps to `now`, producer fields to -1 and the base offset to 0', async () => {
    const buf = await encodeBatch([{ key: null, value: b('a') }, { key: null, value: b('b'), timestamp: 99 }, { key: null, value: b('c') }], { now: 5000 });
    const h = readBatchHeader(buf, 0);
    expect(h).toMatchObject({ baseOffset: 0, baseTimestamp: 5000, maxTimestamp: 5000, producerId: -1, producerEpoch: -1, baseSequence: -1, attributes: 0 });
    expect(decodeOurs(buf).map((r) => r.timestamp)).toEqual([5000, 99, 5000]);
  });

  it('round-trips null header values (which kafkajs cannot encode)', async () => {
    const records: LogRecord[] = [{ key: b('k'), value: b('v'), timestamp: T0, headers: [{ key: 'n', value: null }, { key: 'e', value: Buffer.alloc(0) }] }];
    const buf = await encodeBatch(records);
    const [r] = decodeOurs(buf);
    expect(r!.headers).toEqual([{ key: 'n', value: null }, { key: 'e', value: Buffer.alloc(0) }]);
  });

  it('decodes a batch at a non-zero position (batches back to back)', async () => {
    const one = await encodeBatch([{ key: b('a'), value: b('1'), timestamp: 1 }], { baseOffset: 0 });
    const two = await encodeBatch([{ key: b('b'), value: b('2'), timestamp: 2 }, { key: b('c'), value: null, timestamp: 3 }], { baseOffset: 1 });
    const both = Buffer.concat([one, two]);
    expect(batchSizeAt(both, 0)).toBe(one.length);
    expect(decodeOurs(both, one.length).map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null])).toEqual([
      [1, 'b', '2'],
      [2, 'c', null],
    ]);
  });

  it('setBaseOffset rewrites the offset in place and keeps the CRC valid', async () => {
    const buf = await encodeBatch([{ key: null, value: b('x'), timestamp: 1 }, { key: null, value: b('y'), timestamp: 1 }]);
    setBaseOffset(buf, 0, 2 ** 45 + 3);
    expect(batchCrcValid(buf, 0, buf.length)).toBe(true);
    expect(decodeOurs(buf).map((r) => r.offset)).toEqual([2 ** 45 + 3, 2 ** 45 + 4]);
  });

  it('uses maxTimestamp for every record of a LogAppendTime batch', async () => {
    const buf = await encodeBatch([{ key: null, value: b('x'), timestamp: 10 }, { key: null, value: b('y'), timestamp: 30 }, { key: null, value: b('z'), timestamp: 20 }]);
    buf.writeInt16BE(buf.readInt16BE(21) | ATTR_LOG_APPEND_TIME, 21);
    buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), 17);
    expect(decodeOurs(buf).map((r) => r.timestamp)).toEqual([30, 30, 30]);
  });

  it('detects any single flipped byte after the CRC field', async () => {
    const buf = await encodeBatch([{ key: b('key'), value: b('some value'), timestamp: T0, headers: [{ key: 'h', value: b('v') }] }]);
    for (let i = 21; i < buf.length; i++) {
      const copy = Buffer.from(buf);
      copy[i] = copy[i]! ^ 0x01;
      expect(batchCrcValid(copy, 0, copy.length), `byte ${i}`).toBe(false);
    }
    // Bytes before the CRC'd range (offset, length, leader epoch) do not affect it.
    const copy = Buffer.from(buf);
    copy.writeInt32BE(999, 12);
    expect(batchCrcValid(copy, 0, copy.length)).toBe(true);
  });
});

describe('decodeBatch errors', () => {
  async function sampleBatch(compression: 'none' | 'gzip' = 'none'): Promise<Buffer> {
    return encodeBatch(
      [
        { key: b('k1'), value: b('v1'), timestamp: T0 },
        { key: b('k2'), value: b('v2'), timestamp: T0 + 1 },
      ],
      { compression },
    );
  }

  it.each([2, 3, 4, 5, 6, 7])('codec %d → UNSUPPORTED_COMPRESSION', async (codec) => {
    const buf = await sampleBatch();
    buf.writeInt16BE((buf.readInt16BE(21) & ~0x07) | codec, 21);
    buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), 17);
    expect(batchCrcValid(buf, 0, buf.length)).toBe(true);
    expectCodeSync(() => decodeOurs(buf), 'UNSUPPORTED_COMPRESSION');
  });

  it('codec bits set through finishBatch (snappy, lz4, zstd) → UNSUPPORTED_COMPRESSION', async () => {
    for (const codec of [2, 3, 4]) {
      const plain = await sampleBatch();
      const h = readBatchHeader(plain, 0);
      const buf = Buffer.from(plain);
      finishBatch(buf, 0, { ...h, attributes: codec });
      expect(readBatchHeader(buf, 0).attributes).toBe(codec);
      expect(batchCrcValid(buf, 0, buf.length)).toBe(true);
      expectCodeSync(() => decodeOurs(buf), 'UNSUPPORTED_COMPRESSION');
    }
  });

  /** Wraps a hand-made records region in a valid batch header claiming `count` records. */
  function batchOf(region: Buffer, count: number, attributes = 0): Buffer {
    const buf = Buffer.alloc(HEADER_SIZE + region.length);
    region.copy(buf, HEADER_SIZE);
    finishBatch(buf, 0, {
      baseOffset: 0,
      attributes,
      lastOffsetDelta: Math.max(count - 1, 0),
      baseTimestamp: T0,
      maxTimestamp: T0,
      recordsCount: count,
      partitionLeaderEpoch: 0,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
    });
    return buf;
  }

  async function regionOf(records: LogRecord[]): Promise<Buffer> {
    const buf = await encodeBatch(records);
    return Buffer.from(buf.subarray(HEADER_SIZE));
  }

  it('well-formed hand-wrapped region decodes (control for the cases below)', async () => {
    const region = await regionOf([{ key: b('a'), value: b('b'), timestamp: T0 }]);
    expect(decodeOurs(batchOf(region, 1)).map((r) => r.value?.toString())).toEqual(['b']);
  });

  const corruptions: [string, () => Promise<Buffer>][] = [
    ['more records claimed than present', async () => batchOf(await regionOf([{ key: b('a'), value: b('b'), timestamp: T0 }]), 2)],
    [
      'fewer records claimed than present (bytes left over)',
      async () => batchOf(await regionOf([{ key: b('a'), value: b('b'), timestamp: T0 }, { key: b('c'), value: b('d'), timestamp: T0 }]), 1),
    ],
    [
      'truncated last record',
      async () => {
        const region = await regionOf([{ key: b('a'), value: b('bbbbbbbb'), timestamp: T0 }]);
        return batchOf(region.subarray(0, region.length - 3), 1);
      },
    ],
    [
      'record length larger than the batch',
      async () => {
        const region = await regionOf([{ key: b('a'), value: b('b'), timestamp: T0 }]);
        region[0] = 0x7e; // length 63, far past the end
        return batchOf(region, 1);
      },
    ],
    [
      'record length zero',
      async () => batchOf(Buffer.from([0x00]), 1),
    ],
    [
      'a key length running past the record',
      async () => {
        // length 4: attributes, tsDelta 0, offsetDelta 0, keyLen 20 (zig-zag 40) → past the record end
        return batchOf(Buffer.from([0x08, 0x00, 0x00, 0x00, 0x28]), 1);
      },
    ],
    [
      'a record whose fields end before its declared length',
      async () => {
        const region = await regionOf([{ key: b('a'), value: b('b'), timestamp: T0 }]);
        region[0] = region[0]! + 2; // claims 1 more byte
        return batchOf(Buffer.concat([region, Buffer.from([0x00])]), 1);
      },
    ],
    [
      'an 11-byte varint',
      async () => batchOf(Buffer.from([0x14, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 1),
    ],
    [
      'a negative header count',
      async () => batchOf(Buffer.from([0x0a, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01]), 1), // len 5: attr, ts, od, key null, value null, headers -1
    ],
    [
      'a null header key',
      async () => batchOf(Buffer.from([0x0e, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x01, 0x01]), 1), // 1 header with key length -1
    ],
    ['gzip body that is not gzip', async () => batchOf(Buffer.from('definitely not gzip data'), 1, 1)],
    [
      'gzip body cut short',
      async () => {
        const buf = await encodeBatch([{ key: b('a'), value: Buffer.alloc(2000, 'q'), timestamp: T0 }], { compression: 'gzip' });
        const body = buf.subarray(HEADER_SIZE, buf.length - 10);
        return batchOf(Buffer.from(body), 1, 1);
      },
    ],
  ];

  it.each(corruptions)('%s → CORRUPT_MESSAGE', async (_name, make) => {
    const buf = await make();
    expect(batchCrcValid(buf, 0, buf.length)).toBe(true); // the CRC is fine: the records are broken
    expectCodeSync(() => decodeOurs(buf), 'CORRUPT_MESSAGE');
  });

  it('parseRecords refuses a count that does not match the bytes', async () => {
    const region = await regionOf([{ key: b('a'), value: b('b'), timestamp: T0 }, { key: b('c'), value: null, timestamp: T0 }]);
    expect(parseRecords(region, 2)).toHaveLength(2);
    expectCodeSync(() => parseRecords(region, 1), 'CORRUPT_MESSAGE');
    expectCodeSync(() => parseRecords(region, 3), 'CORRUPT_MESSAGE');
  });

  it('parseRecords reports where each record lies in its region', async () => {
    const region = await regionOf([{ key: b('a'), value: b('b'), timestamp: T0 }, { key: b('c'), value: null, timestamp: T0 + 7 }]);
    const [r0, r1] = parseRecords(region, 2);
    expect(r0!.start).toBe(0);
    expect(r1!.start).toBe(r0!.end);
    expect(r1!.end).toBe(region.length);
    expect(r1!.timestampDelta).toBe(7);
    expect(r1!.offsetDelta).toBe(1);
    expect(parseRecords(region.subarray(r1!.start), 1)[0]!.key?.toString()).toBe('c');
  });
});
