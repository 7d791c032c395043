import { describe, expect, it } from 'vitest';
import { appendFile, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../src/util/clock.js';
import { LOG_OVERHEAD, readBatchHeader, batchCrcValid, encodeBatch } from '../../src/log/codec/record-batch.js';
import { readInt64 } from '../../src/log/codec/varint.js';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { buf, expectCode, partitionDir, readAll, useLogHarness, view } from '../support/log.js';
import { copyCrashImage } from '../support/temp-dir.js';

const h = useLogHarness();

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;

async function segmentFiles(dir: string): Promise<{ bases: number[]; files: string[] }> {
  const files = (await readdir(dir)).filter((f) => SEGMENT_FILE.test(f)).sort();
  const bases = files.filter((f) => f.endsWith('.log')).map((f) => Number(f.slice(0, 20)));
  return { bases, files };
}

/** Walks the batches of a .log file: [position, baseOffset, lastOffset, maxTimestamp]. */
function batchesOf(log: Buffer): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  let pos = 0;
  while (pos < log.length) {
    const hd = readBatchHeader(log, pos);
    const size = hd.batchLength + LOG_OVERHEAD;
    expect(batchCrcValid(log, pos, size)).toBe(true);
    out.push([pos, hd.baseOffset, hd.baseOffset + hd.lastOffsetDelta, hd.maxTimestamp]);
    pos += size;
  }
  expect(pos).toBe(log.length);
  return out;
}

/** Checks a sealed segment's .index and .timeindex against its .log. */
async function checkIndexFiles(dir: string, base: number): Promise<{ offsetEntries: number; timeEntries: number }> {
  const stem = join(dir, String(base).padStart(20, '0'));
  const log = await readFile(`${stem}.log`);
  const index = await readFile(`${stem}.index`);
  const timeindex = await readFile(`${stem}.timeindex`);
  const batches = batchesOf(log);
  const startByPos = new Map(batches.map(([pos, b]) => [pos, b]));
  expect(index.length % 8).toBe(0);
  for (let i = 0; i < index.length; i += 8) {
    const rel = index.readUInt32BE(i);
    const pos = index.readUInt32BE(i + 4);
    // Every entry points at the start of the batch with that base offset.
    expect(startByPos.get(pos), `index entry ${i / 8} of segment ${base}`).toBe(base + rel);
  }
  expect(timeindex.length % 12).toBe(0);
  for (let i = 0; i < timeindex.length; i += 12) {
    const ts = readInt64(timeindex, i);
    const offset = base + timeindex.readUInt32BE(i + 8);
    expect(batches.some(([, b]) => b === offset)).toBe(true);
    // Every batch before that offset has a max timestamp ≤ the entry's.
    for (const [, b, , maxTs] of batches) if (b < offset) expect(maxTs).toBeLessThanOrEqual(ts);
  }
  return { offsetEntries: index.length / 8, timeEntries: timeindex.length / 12 };
}

async function fill(log: EmbeddedLog, topic: string, batches: number, perBatch: number, valueBytes: number): Promise<void> {
  let n = 0;
  for (let i = 0; i < batches; i++) {
    await log.append(
      topic,
      0,
      Array.from({ length: perBatch }, () => {
        const id = n++;
        return { key: buf(`k${id}`), value: Buffer.from(`${id}:`.padEnd(valueBytes, String(id % 10))) };
      }),
    );
  }
}

function expectSequence(records: { offset: number; value: Buffer | null }[], count: number): void {
  expect(records.map((r) => r.offset)).toEqual(Array.from({ length: count }, (_, i) => i));
  records.forEach((r, i) => expect(r.value!.toString().startsWith(`${i}:`)).toBe(true));
}

describe('rolling by segment.bytes', () => {
  it('rolls segments named by their 20-digit base offset, with .log, .index and .timeindex', async () => {
    const dataDir = join(await h.tempDir(), 'd');
    const log = await h.open(dataDir);
    await log.createTopic('t', { configs: { 'segment.bytes': 1024 } });
    await fill(log, 't', 60, 1, 100);
    const d = (await log.describeTopic('t')).partitions[0]!;
    expect(d.segments).toBeGreaterThan(5);
    await log.close();

    const pdir = partitionDir(dataDir, 't');
    const { bases, files } = await segmentFiles(pdir);
    expect(bases.length).toBe(d.segments);
    expect(bases[0]).toBe(0);
    for (const b of bases) {
      const stem = String(b).padStart(20, '0');
      expect(stem).toHaveLength(20);
      expect(files).toEqual(expect.arrayContaining([`${stem}.log`, `${stem}.index`, `${stem}.timeindex`]));
    }
    expect(files.length).toBe(bases.length * 3);
    let expectNext = 0;
    let total = 0;
    for (const b of bases) {
      const content = await readFile(join(pdir, `${String(b).padStart(20, '0')}.log`));
      total += content.length;
      expect(content.length).toBeLessThanOrEqual(1024);
      const batches = batchesOf(content);
      // A segment's name is the offset of its first batch; offsets continue across segments.
      expect(batches[0]![1]).toBe(b);
      expect(b).toBe(expectNext);
      for (const [, base, last] of batches) {
        expect(base).toBe(expectNext);
        expectNext = last + 1;
      }
    }
    expect(expectNext).toBe(60);
    expect(total).toBe(d.sizeBytes);
  });

  it('puts a batch bigger than segment.bytes alone in its own segment', async () => {
    const log = await h.open(join(await h.tempDir(), 'd'));
    await log.createTopic('t', { configs: { 'segment.bytes': 1024 } });
    await log.append('t', 0, [{ key: null, value: buf('small') }]);
    await log.append('t', 0, [{ key: null, value: Buffer.alloc(3000, 1) }]);
    await log.append('t', 0, [{ key: null, value: buf('after') }]);
    const p = log.partition('t', 0);
    expect(p.segments.map((s) => s.baseOffset)).toEqual([0, 1, 2]);
    expect((await readAll(log, 't')).map((r) => r.value!.length)).toEqual([5, 3000, 5]);
  });

  it('reads across many segments return every record in order, whatever maxBytes', async () => {
    const log = await h.open(join(await h.tempDir(), 'd'));
    await log.createTopic('t', { configs: { 'segment.bytes': 2048 } });
    await fill(log, 't', 300, 3, 40); // 900 records, ~50 segments
    expect((await log.describeTopic('t')).partitions[0]!.segments).toBeGreaterThan(30);
    for (const maxBytes of [1, 300, 5000, 1 << 20]) {
      const all = await readAll(log, 't', 0, maxBytes);
      expectSequence(all, 900);
    }
  });
});

describe('rolling by segment.ms', () => {
  it('rolls once the active segment is older than segment.ms (ManualClock)', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await h.open(join(await h.tempDir(), 'd'), { clock });
    await log.createTopic('t', { configs: { 'segment.ms': 1000 } });
    const p = log.partition('t', 0);
    await log.append('t', 0, [{ key: null, value: buf('a') }]);
    clock.advance(999);
    await log.append('t', 0, [{ key: null, value: buf('b') }]);
    expect(p.segments.map((s) => s.baseOffset)).toEqual([0]);
    clock.advance(501); // the first record is now 1500 ms old
    await log.append('t', 0, [{ key: null, value: buf('c') }]);
    expect(p.segments.map((s) => s.baseOffset)).toEqual([0, 2]);
    await log.append('t', 0, [{ key: null, value: buf('d') }]);
    expect(p.segments.map((s) => s.baseOffset)).toEqual([0, 2]);
    // Time passing alone rolls nothing: the roll happens at the next append.
    clock.advance(60_000);
    expect(p.segments).toHaveLength(2);
    await log.append('t', 0, [{ key: null, value: buf('e') }]);
    expect(p.segments.map((s) => s.baseOffset)).toEqual([0, 2, 4]);
    expect((await readAll(log, 't')).map((r) => r.value!.toString())).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('measures the age from the first record of the segment, not from when the partition opened', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await h.open(join(await h.tempDir(), 'd'), { clock });
    await log.createTopic('t', { configs: { 'segment.ms': 1000 } });
    const p = log.partition('t', 0);
    clock.advance(10_000); // the empty segment waits a long time
    await log.append('t', 0, [{ key: null, value: buf('first') }]);
    clock.advance(10);
    await log.append('t', 0, [{ key: null, value: buf('10 ms later') }]);
    expect(p.segments).toHaveLength(1);
  });

  it('keeps the active segment\'s age across reopen', async () => {
    const clock = new ManualClock(1_000_000);
    const dir = join(await h.tempDir(), 'd');
    let log = await h.open(dir, { clock });
    await log.createTopic('t', { configs: { 'segment.ms': 1000 } });
    await log.append('t', 0, [{ key: null, value: buf('a') }]);
    await log.close();
    clock.advance(2000);
    log = await h.open(dir, { clock });
    await log.append('t', 0, [{ key: null, value: buf('b') }]);
    expect(log.partition('t', 0).segments.map((s) => s.baseOffset)).toEqual([0, 1]);
  });
});

describe('offset index', () => {
  it('gets entries past 4 KiB per segment, matching the .log, and reads from any offset return the batch holding it', async () => {
    const dataDir = join(await h.tempDir(), 'd');
    const log = await h.open(dataDir);
    await log.createTopic('t', { configs: { 'segment.bytes': 64 * 1024 } });
    await fill(log, 't', 400, 3, 200); // ~650-byte batches, ~100 per segment
    const p = log.partition('t', 0);
    expect(p.segments.length).toBeGreaterThanOrEqual(3);
    for (const s of p.segments.slice(0, -1)) expect(s.offsetIndex.entries).toBeGreaterThanOrEqual(10);
    const total = 1200;

    for (let o = 0; o < total; o += 7) {
      const r = await log.read('t', 0, o, { maxBytes: 1 });
      expect(r.records[0]!.offset).toBe(o);
      expect(r.records.every((x) => x.offset >= o)).toBe(true);
      expect(r.records[0]!.value!.toString().startsWith(`${o}:`)).toBe(true);
      const raw = await log.readRaw('t', 0, o, { maxBytes: 1 });
      const first = readBatchHeader(raw.bytes, 0);
      expect(first.baseOffset).toBeLessThanOrEqual(o);
      expect(first.baseOffset + first.lastOffsetDelta).toBeGreaterThanOrEqual(o);
      expect(raw.bytes.length).toBe(first.batchLength + LOG_OVERHEAD); // exactly one batch for maxBytes 1
      expect(raw.nextOffset).toBe(first.baseOffset + first.lastOffsetDelta + 1);
      // A bigger budget reads on from the same place.
      const more = await log.read('t', 0, o, { maxBytes: 10_000 });
      expect(more.records[0]!.offset).toBe(o);
      expect(more.records.map((x) => x.offset)).toEqual(Array.from({ length: more.records.length }, (_, i) => o + i));
    }

    const bases = p.segments.map((s) => s.baseOffset);
    await log.close();
    for (const b of bases) {
      const { offsetEntries, timeEntries } = await checkIndexFiles(partitionDir(dataDir, 't'), b);
      if (b !== bases[bases.length - 1]) {
        expect(offsetEntries).toBeGreaterThanOrEqual(10);
        expect(timeEntries).toBe(offsetEntries);
      }
    }
  });
});

describe('reopen and recovery', () => {
  async function build(): Promise<{ dataDir: string; log: EmbeddedLog; count: number; entries: number[] }> {
    const clock = new ManualClock(1_700_000_000_000);
    const dataDir = join(await h.tempDir(), 'd');
    const log = await h.open(dataDir, { clock });
    await log.createTopic('t', { configs: { 'segment.bytes': 16 * 1024 } });
    let n = 0;
    for (let i = 0; i < 150; i++) {
      clock.advance(1000);
      const per = 1 + (i % 3);
      await log.append(
        't',
        0,
        Array.from({ length: per }, () => {
          const id = n++;
          return { key: buf(`k${id}`), value: Buffer.from(`${id}:`.padEnd(300, 'v')), headers: [{ key: 'id', value: buf(String(id)) }] };
        }),
      );
    }
    const entries = log.partition('t', 0).segments.map((s) => s.offsetIndex.entries);
    return { dataDir, log, count: n, entries };
  }

  async function expectIntact(log: EmbeddedLog, count: number): Promise<void> {
    const all = await readAll(log, 't');
    expectSequence(all, count);
    all.forEach((r) => expect(r.headers).toEqual([{ key: 'id', value: buf(String(r.offset)) }]));
    expect(await log.latestOffset('t', 0)).toBe(count);
    // Random access still works (indexes are right).
    for (const o of [0, 1, Math.floor(count / 3), Math.floor(count / 2) + 1, count - 1]) {
      expect((await log.read('t', 0, o, { maxBytes: 1 })).records[0]!.offset).toBe(o);
    }
    // And appends continue at the right offset.
    expect(await log.append('t', 0, [{ key: buf('new'), value: Buffer.from(`${count}:`) }])).toEqual({ baseOffset: count, lastOffset: count });
  }

  it('reopen after close keeps everything, with the indexes loaded', async () => {
    const { dataDir, log, count, entries } = await build();
    expect(entries.length).toBeGreaterThan(3);
    await log.close();
    const again = await h.open(dataDir);
    const p = again.partition('t', 0);
    // Loaded from the .index files: the same sparse entries as when written.
    expect(p.segments.map((s) => s.offsetIndex.entries)).toEqual(entries);
    expect(p.segments.slice(0, -1).every((s) => s.offsetIndex.entries > 0)).toBe(true);
    await expectIntact(again, count);
  });

  it('reopen after a crash (no .clean-shutdown marker) rebuilds and keeps everything', async () => {
    const { dataDir, log, count, entries } = await build();
    await log.close();
    await rm(join(dataDir, '.clean-shutdown'));
    const again = await h.open(dataDir);
    expect(again.partition('t', 0).segments.map((s) => s.offsetIndex.entries)).toEqual(entries);
    await expectIntact(again, count);
  });

  it('reopen after a crash with no recovery point either re-validates every segment and rebuilds the same indexes', async () => {
    const { dataDir, log, count, entries } = await build();
    const bases = log.partition('t', 0).segments.map((s) => s.baseOffset);
    await log.close();
    const pdir = partitionDir(dataDir, 't');
    const indexFiles = await Promise.all(bases.map((b) => readFile(join(pdir, `${String(b).padStart(20, '0')}.index`))));
    await rm(join(dataDir, '.clean-shutdown'));
    await rm(join(pdir, 'recovery-point'));
    // Stale index files must not matter: recovery rebuilds them from the data.
    for (const b of bases) await writeFile(join(pdir, `${String(b).padStart(20, '0')}.index`), Buffer.alloc(0));
    const again = await h.open(dataDir);
    const p = again.partition('t', 0);
    expect(p.segments.map((s) => s.offsetIndex.entries)).toEqual(entries);
    p.segments.forEach((s, i) => expect(s.offsetIndex.toBuffer().equals(indexFiles[i]!)).toBe(true));
    await expectIntact(again, count);
  });

  it('a copy taken while the log is open (a crash image) opens with every acknowledged record', async () => {
    const { dataDir, log, count } = await build();
    const image = join(await h.tempDir(), 'image');
    await copyCrashImage(dataDir, image);
    await log.close();
    const again = await h.open(image);
    await expectIntact(again, count);
  });

  it('a torn tail (half a batch, then garbage) is truncated and everything before it kept', async () => {
    const { dataDir, log, count } = await build();
    const image = join(await h.tempDir(), 'image');
    await copyCrashImage(dataDir, image);
    await log.close();
    const pdir = partitionDir(image, 't');
    const { bases } = await segmentFiles(pdir);
    const active = join(pdir, `${String(bases[bases.length - 1]).padStart(20, '0')}.log`);
    const content = await readFile(active);
    // Half of a copy of the first batch (a torn write), then garbage.
    const firstSize = content.readInt32BE(8) + LOG_OVERHEAD;
    await appendFile(active, content.subarray(0, Math.floor(firstSize / 2)));
    const before = (await stat(active)).size;
    const messages: string[] = [];
    const again = await h.open(image, { onRecovery: (m) => messages.push(m) });
    expect((await stat(active)).size).toBe(content.length);
    expect(before).toBeGreaterThan(content.length);
    expect(messages.length).toBeGreaterThan(0);
    await expectIntact(again, count);
  });

  it('a batch with a bad CRC in the active segment of a crash image: it and everything after are dropped', async () => {
    const { dataDir, log } = await build();
    const image = join(await h.tempDir(), 'image');
    await copyCrashImage(dataDir, image);
    await log.close();
    const pdir = partitionDir(image, 't');
    const { bases } = await segmentFiles(pdir);
    const activeBase = bases[bases.length - 1]!;
    const active = join(pdir, `${String(activeBase).padStart(20, '0')}.log`);
    const content = await readFile(active);
    const batches = batchesOf(content);
    expect(batches.length).toBeGreaterThan(2);
    const [pos, badBase] = batches[1]!;
    content[pos + 70] = content[pos + 70]! ^ 0xff;
    await writeFile(active, content);
    const again = await h.open(image);
    expect(await again.latestOffset('t', 0)).toBe(badBase);
    expectSequence(await readAll(again, 't'), badBase);
  });

  describe('a damaged .index file is detected and rebuilt on reopen', () => {
    const damages: [string, (index: Buffer, logSize: number) => Buffer][] = [
      ['random garbage', (ix) => Buffer.from(Array.from({ length: Math.max(ix.length, 64) }, (_, i) => (i * 151 + 7) & 0xff))],
      ['a torn length (not a multiple of 8)', (ix) => ix.subarray(0, ix.length - 3)],
      [
        'an entry beyond the log size',
        (ix, logSize) => {
          const out = Buffer.from(ix);
          out.writeUInt32BE(logSize + 100, out.length - 4);
          return out;
        },
      ],
      [
        'a last entry that does not point at its batch',
        (ix) => {
          const out = Buffer.from(ix);
          out.writeUInt32BE(out.readUInt32BE(out.length - 4) + 1, out.length - 4);
          return out;
        },
      ],
      [
        'entries out of order',
        (ix) => {
          const out = Buffer.from(ix);
          out.copy(out, 0, out.length - 8);
          return out;
        },
      ],
    ];

    it.each(damages)('%s', async (_name, damage) => {
      const { dataDir, log, count, entries } = await build();
      const bases = log.partition('t', 0).segments.map((s) => s.baseOffset);
      await log.close();
      const pdir = partitionDir(dataDir, 't');
      const target = bases[1]!; // a closed segment in the middle
      const stem = join(pdir, String(target).padStart(20, '0'));
      const original = await readFile(`${stem}.index`);
      expect(original.length).toBeGreaterThan(8);
      const logSize = (await stat(`${stem}.log`)).size;
      await writeFile(`${stem}.index`, damage(original, logSize));
      const again = await h.open(dataDir);
      const p = again.partition('t', 0);
      // Rebuilt in memory: the same entries as the original index.
      expect(p.segments.map((s) => s.offsetIndex.entries)).toEqual(entries);
      expect(p.segments[1]!.offsetIndex.toBuffer().equals(original)).toBe(true);
      await expectIntact(again, count);
    });

    it('a damaged .timeindex is rebuilt too', async () => {
      const { dataDir, log, count } = await build();
      const bases = log.partition('t', 0).segments.map((s) => s.baseOffset);
      await log.close();
      const stem = join(partitionDir(dataDir, 't'), String(bases[1]).padStart(20, '0'));
      const original = await readFile(`${stem}.timeindex`);
      await writeFile(`${stem}.timeindex`, Buffer.concat([original, Buffer.alloc(5, 0xff)]));
      const again = await h.open(dataDir);
      expect(again.partition('t', 0).segments[1]!.timeIndex.toBuffer().equals(original)).toBe(true);
      await expectIntact(again, count);
      expect(await again.offsetForTimestamp('t', 0, 0)).toBe(0);
    });

    it('missing index files are rebuilt', async () => {
      const { dataDir, log, count, entries } = await build();
      const bases = log.partition('t', 0).segments.map((s) => s.baseOffset);
      await log.close();
      for (const b of bases.slice(0, 2)) {
        const stem = join(partitionDir(dataDir, 't'), String(b).padStart(20, '0'));
        await rm(`${stem}.index`);
        await truncate(`${stem}.timeindex`, 0).catch(() => {});
      }
      const again = await h.open(dataDir);
      expect(again.partition('t', 0).segments.map((s) => s.offsetIndex.entries)).toEqual(entries);
      await expectIntact(again, count);
    });
  });

  it('index files left by an interrupted segment deletion are removed on open', async () => {
    const { dataDir, log, count } = await build();
    await log.close();
    const pdir = partitionDir(dataDir, 't');
    const orphan = join(pdir, `${String(99_999_999).padStart(20, '0')}`);
    await writeFile(`${orphan}.index`, Buffer.alloc(8));
    await writeFile(`${orphan}.timeindex`, Buffer.alloc(12));
    const again = await h.open(dataDir);
    const files = await readdir(pdir);
    expect(files).not.toContain(`${String(99_999_999).padStart(20, '0')}.index`);
    expect(files).not.toContain(`${String(99_999_999).padStart(20, '0')}.timeindex`);
    await expectIntact(again, count);
  });

  it('reads of the reopened log equal the reads before closing', async () => {
    const { dataDir, log } = await build();
    const before = (await readAll(log, 't')).map(view);
    await log.close();
    const again = await h.open(dataDir);
    expect((await readAll(again, 't')).map(view)).toEqual(before);
    await expectCode(again.read('t', 0, before.length + 1), 'OFFSET_OUT_OF_RANGE');
  });
});

describe('segments larger than the 1 MiB scan chunk', () => {
  const MIB = 1 << 20;

  /** Value length whose single-record keyed batch encodes to exactly `size` bytes. */
  async function valueLengthFor(size: number, key: Buffer | null): Promise<number> {
    for (let v = Math.max(0, size - 90); v <= size; v++) {
      if ((await encodeBatch([{ key, value: Buffer.alloc(v) }], { now: 0 })).length === size) return v;
    }
    throw new Error(`no value length gives a ${size}-byte batch`);
  }

  /**
   * Fills partition 0 of `topic` so that a batch starts `before` bytes ahead of the 1 MiB mark (its
   * header cut by the chunk boundary), then appends `after` more small batches. Returns what it holds.
   */
  async function straddle(log: EmbeddedLog, topic: string, before: number, after: number, key: (i: number) => Buffer | null, t0: number): Promise<number> {
    const p = log.partition(topic, 0);
    let i = 0;
    const seg = (): { size: number } => p.segments[p.segments.length - 1]!;
    while (seg().size < MIB - 150_000) await log.append(topic, 0, [{ key: key(i++), value: Buffer.alloc(50_000, 7) }]);
    const gap = MIB - before - seg().size;
    const k = key(i);
    await log.append(topic, 0, [{ key: k, value: Buffer.alloc(await valueLengthFor(gap, k), 8) }]);
    i++;
    expect(seg().size).toBe(MIB - before);
    for (let j = 0; j < after; j++) await log.append(topic, 0, [{ key: key(i++), value: Buffer.from(`small ${j}`.padEnd(300, '.')), timestamp: t0 + j }]);
    return i;
  }
  const T_STRADDLE = 1_900_000_000_000;

  it.each([1, 4, 8, 11, 12, 40])('recovery keeps every batch when a batch header starts %d bytes before the 1 MiB mark', async (before) => {
    const dataDir = join(await h.tempDir(), 'd');
    const log = await h.open(dataDir);
    await log.createTopic('t');
    const n = await straddle(log, 't', before, 50, () => null, T_STRADDLE);
    const expected = (await readAll(log, 't')).map(view);
    expect(expected).toHaveLength(n);
    await log.close();
    await rm(join(dataDir, '.clean-shutdown'));
    await rm(join(partitionDir(dataDir, 't'), 'recovery-point'));
    const messages: string[] = [];
    const again = await h.open(dataDir, { onRecovery: (m) => messages.push(m) });
    expect(messages).toEqual([]);
    expect((await readAll(again, 't')).map(view)).toEqual(expected);
    // Timestamp lookups scan across the boundary too.
    expect(await again.offsetForTimestamp('t', 0, T_STRADDLE + 10)).toBe(n - 50 + 10);
  });

  it('compaction of a closed segment larger than 1 MiB with a header on the chunk boundary', async () => {
    const dataDir = join(await h.tempDir(), 'd');
    const log = await h.open(dataDir, { cleanerThread: false });
    await log.createTopic('c', { configs: { 'cleanup.policy': 'compact', 'segment.bytes': MIB + 200_000 } });
    const n = await straddle(log, 'c', 8, 30, (i) => buf(`k${i % 5}`), 1_600_000_000_000); // past: cleanable
    // Roll: the next batch does not fit.
    await log.append('c', 0, [{ key: buf('roller'), value: Buffer.alloc(250_000) }]);
    expect(log.partition('c', 0).segments.length).toBe(2);
    await log.partition('c', 0).withMaintenance(async () => {});
    const before = await readAll(log, 'c');
    expect(before).toHaveLength(n + 1);
    await log.compactTopic('c');
    const latest = new Map<string, number>();
    for (const r of before) latest.set(r.key!.toString(), r.offset);
    const after = await readAll(log, 'c');
    expect(after.map(view)).toEqual(before.filter((r) => latest.get(r.key!.toString()) === r.offset).map(view));
  });
});
