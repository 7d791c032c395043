/**
 * The `tributary` CLI, run as a child process from the built dist/ (`npm test` builds first).
 */
import { cp, mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../src/log/partitioner.js';
import {
  REPO_ROOT,
  makeTempDir,
  removeDir,
  runCli,
  snapshotDir,
  startCli,
  waitForStdout,
  waitUntil,
  type CliResult,
} from '../support/cli-run.js';

const FAST = ['--flush', 'none'];

/** Lines of stdout, without the final empty one. */
function lines(text: string): string[] {
  return text.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));
}

function expectOk(r: CliResult): void {
  expect(r.stderr.split('\n').filter((l) => !l.startsWith('Processed a total of') && l !== '')).toEqual([]);
  expect(r.code).toBe(0);
}

function expectOneErrorLine(r: CliResult, pattern: RegExp, exp: typeof expect = expect): void {
  const errLines = r.stderr.split('\n').filter((l) => l !== '');
  exp(errLines, r.stderr).toHaveLength(1);
  exp(errLines[0]).toMatch(/^tributary: \S/);
  exp(errLines[0]).toMatch(pattern);
}

interface PartitionLine {
  partition: number;
  earliest: number;
  latest: number;
  size: number;
  segments: number;
}

function describedPartitions(stdout: string): PartitionLine[] {
  const re = /Partition: (\d+)\tEarliestOffset: (\d+)\tLatestOffset: (\d+)\tSizeBytes: (\d+)\tSegments: (\d+)/g;
  return [...stdout.matchAll(re)].map((m) => ({
    partition: Number(m[1]),
    earliest: Number(m[2]),
    latest: Number(m[3]),
    size: Number(m[4]),
    segments: Number(m[5]),
  }));
}

/** The batch lines of a dump-log output, parsed. */
function dumpedBatches(stdout: string): { baseOffset: number; count: number; position: number; size: number; crcValid: boolean }[] {
  const re = /^baseOffset: (\d+) lastOffset: \d+ count: (\d+) position: (\d+) size: (\d+) .* crcValid: (true|false)/gm;
  return [...stdout.matchAll(re)].map((m) => ({
    baseOffset: Number(m[1]),
    count: Number(m[2]),
    position: Number(m[3]),
    size: Number(m[4]),
    crcValid: m[5] === 'true',
  }));
}

let root: string;

beforeAll(async () => {
  root = await makeTempDir();
});

afterAll(async () => {
  await removeDir(root);
});

describe.concurrent('tributary --version / --help', () => {
  it('prints the package version and the commands', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const v = await runCli(['--version']);
    expectOk(v);
    expect(v.stdout.trim()).toBe(pkg.version);

    const help = await runCli(['--help']);
    expectOk(help);
    for (const cmd of ['topics', 'produce', 'consume', 'dump-log', '--flush']) expect(help.stdout).toContain(cmd);

    const consumeHelp = await runCli(['consume', '--help']);
    expectOk(consumeHelp);
    expect(consumeHelp.stdout).toContain('separated by a TAB');
    expect(consumeHelp.stdout).toContain('--print-offset');
  });
});

describe.concurrent('round trip: create → produce → consume → describe/list → delete', () => {
  const topic = 'orders';
  let dir: string;
  const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
  /** Per partition: [offset, key, value] as consumed. */
  const byPartition: [number, string, string][][] = [];

  beforeAll(() => {
    dir = join(root, 'round-trip');
  });

  it.sequential('creates the data directory and a 3-partition topic with a config override', async () => {
    expect(existsSync(dir)).toBe(false);
    const r = await runCli(['topics', 'create', '--data-dir', dir, '--topic', topic, '--partitions', '3', '--config', 'retention.ms=3600000', ...FAST]);
    expectOk(r);
    expect(r.stdout).toBe(`Created topic ${topic} with 3 partitions.\n`);
    expect(existsSync(join(dir, 'tributary-log.json'))).toBe(true);
  });

  it.sequential('produces keyed and keyless lines and acknowledges them all', async () => {
    const keyed = keys.map((k, i) => `${k}=>value-${i}`).join('\n') + '\n';
    const r1 = await runCli(['produce', '--data-dir', dir, '--topic', topic, '--key-separator', '=>', ...FAST], keyed);
    expectOk(r1);
    expect(r1.stdout).toBe('30 records acknowledged\n');

    // Keyless, with the default flush mode (fsync).
    const keyless = Array.from({ length: 9 }, (_, i) => `free-${i}`).join('\n') + '\n';
    const r2 = await runCli(['produce', '--data-dir', dir, '--topic', topic], keyless);
    expectOk(r2);
    expect(r2.stdout).toBe('9 records acknowledged\n');
  });

  it.sequential('puts keyed records where murmur2 (and kafkajs) put them and keyless ones round-robin', async () => {
    const partitioner = kafkajs.Partitioners.DefaultPartitioner();
    const metadata = [0, 1, 2].map((p) => ({ partitionErrorCode: 0, partitionId: p, leader: 0, replicas: [0], isr: [0] }));
    for (let p = 0; p < 3; p++) {
      const r = await runCli(['consume', '--data-dir', dir, '--topic', topic, '--partition', String(p), '--from-beginning', '--timeout-ms', '0', '--print-offset', '--print-key', ...FAST]);
      expectOk(r);
      byPartition[p] = lines(r.stdout).map((l) => {
        const [offset, key, value] = l.split('\t');
        return [Number(offset), key!, value!];
      });
      expect(byPartition[p]!.map((x) => x[0])).toEqual(byPartition[p]!.map((_, i) => i));
    }
    const keyedSeen = byPartition.flatMap((recs, p) => recs.filter(([, k]) => k !== 'null').map(([, k, v]) => ({ p, k, v })));
    expect(keyedSeen.map((x) => x.k).sort()).toEqual([...keys].sort());
    for (const { p, k, v } of keyedSeen) {
      expect(p).toBe(partitionForKey(Buffer.from(k), 3));
      expect(p).toBe(partitioner({ topic, partitionMetadata: metadata, message: { key: Buffer.from(k), value: null } }));
      expect(v).toBe(`value-${keys.indexOf(k)}`);
    }
    expect(new Set(keyedSeen.map((x) => x.p)).size).toBe(3); // the keys really spread
    // Within a partition, keyed records keep input order.
    for (let p = 0; p < 3; p++) {
      const order = byPartition[p]!.filter(([, k]) => k !== 'null').map(([, k]) => keys.indexOf(k));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      const free = byPartition[p]!.filter(([, k]) => k === 'null').map(([, , v]) => v);
      expect(free).toEqual([p, p + 3, p + 6].map((i) => `free-${i}`));
    }
  });

  it.sequential('consumes all partitions, from an offset, up to --max-messages, and from latest by default', async () => {
    const all = await runCli(['consume', '--data-dir', dir, '--topic', topic, '--from-beginning', '--timeout-ms', '0', '--print-partition', '--print-offset', '--print-key', ...FAST]);
    expectOk(all);
    expect(all.stderr).toContain('Processed a total of 39 messages');
    const expected = byPartition.flatMap((recs, p) => recs.map(([o, k, v]) => `${p}\t${o}\t${k}\t${v}`));
    expect(lines(all.stdout).sort()).toEqual(expected.sort());

    const fromOffset = await runCli(['consume', '--data-dir', dir, '--topic', topic, '--partition', '1', '--offset', '2', '--max-messages', '3', '--print-offset', ...FAST]);
    expectOk(fromOffset);
    expect(lines(fromOffset.stdout)).toEqual(byPartition[1]!.slice(2, 5).map(([o, , v]) => `${o}\t${v}`));

    const valuesOnly = await runCli(['consume', '--data-dir', dir, '--topic', topic, '--partition', '2', '--offset', 'earliest', '--max-messages', '2', ...FAST]);
    expectOk(valuesOnly);
    expect(lines(valuesOnly.stdout)).toEqual(byPartition[2]!.slice(0, 2).map(([, , v]) => v));

    const latest = await runCli(['consume', '--data-dir', dir, '--topic', topic, '--timeout-ms', '0', ...FAST]);
    expectOk(latest);
    expect(latest.stdout).toBe('');
    expect(latest.stderr).toContain('Processed a total of 0 messages');
  });

  it.sequential('describes and lists the topic', async () => {
    const d = await runCli(['topics', 'describe', '--data-dir', dir, '--topic', topic, ...FAST]);
    expectOk(d);
    expect(d.stdout).toMatch(new RegExp(`^Topic: ${topic}\\tPartitionCount: 3\\tConfigs: .*retention\\.ms=3600000`));
    expect(d.stdout).toContain('cleanup.policy=delete'); // a resolved default
    const parts = describedPartitions(d.stdout);
    expect(parts.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of parts) {
      expect(p.earliest).toBe(0);
      expect(p.latest).toBe(byPartition[p.partition]!.length);
      expect(p.segments).toBe(1);
      expect(p.size).toBeGreaterThan(0);
    }

    const all = await runCli(['topics', 'describe', '--data-dir', dir, ...FAST]);
    expectOk(all);
    expect(all.stdout).toContain('Topic: __consumer_offsets\t');
    expect(all.stdout).toContain(`Topic: ${topic}\t`);

    const list = await runCli(['topics', 'list', '--data-dir', dir, ...FAST]);
    expectOk(list);
    expect(lines(list.stdout)).toEqual(['__consumer_offsets', topic]);
    const user = await runCli(['topics', 'list', '--data-dir', dir, '--exclude-internal', ...FAST]);
    expect(lines(user.stdout)).toEqual([topic]);
  });

  it.sequential('deletes the topic and its files', async () => {
    const r = await runCli(['topics', 'delete', '--data-dir', dir, '--topic', topic, ...FAST]);
    expectOk(r);
    expect(r.stdout).toBe(`Deleted topic ${topic}.\n`);
    expect(existsSync(join(dir, 'topics', topic))).toBe(false);
    const list = await runCli(['topics', 'list', '--data-dir', dir, '--exclude-internal', ...FAST]);
    expectOk(list);
    expect(list.stdout).toBe('');
    const gone = await runCli(['consume', '--data-dir', dir, '--topic', topic, '--timeout-ms', '0', ...FAST]);
    expectOneErrorLine(gone, /unknown topic 'orders'/);
  });
});

describe.concurrent('produce', () => {
  it('refuses a line without the key separator, naming it, and appends the others', async () => {
    const dir = join(root, 'produce-sep');
    expectOk(await runCli(['topics', 'create', '--data-dir', dir, '--topic', 't', ...FAST]));
    const r = await runCli(['produce', '--data-dir', dir, '--topic', 't', '--key-separator', ':', ...FAST], 'a:1\nno separator\nb:2\n:empty-key\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('3 records acknowledged\n');
    expect(r.stderr).toMatch(/^tributary: line 2: no key separator ':' found/m);
    expect(r.stderr).not.toMatch(/line [134]\b/);
    const c = await runCli(['consume', '--data-dir', dir, '--topic', 't', '--from-beginning', '--timeout-ms', '0', '--print-key', ...FAST]);
    expectOk(c);
    expect(lines(c.stdout)).toEqual(['a\t1', 'b\t2', '\tempty-key']);
  });

  it('appends in batches of at most 500 records per partition', async () => {
    const dir = join(root, 'produce-batches');
    expectOk(await runCli(['topics', 'create', '--data-dir', dir, '--topic', 'b', ...FAST]));
    const input = Array.from({ length: 1200 }, (_, i) => `line-${i}`).join('\n') + '\n';
    const r = await runCli(['produce', '--data-dir', dir, '--topic', 'b', ...FAST], input);
    expectOk(r);
    expect(r.stdout).toBe('1200 records acknowledged\n');
    const dump = await runCli(['dump-log', '--data-dir', dir, '--topic', 'b', '--partition', '0']);
    expectOk(dump);
    expect(dumpedBatches(dump.stdout).map((b) => [b.baseOffset, b.count])).toEqual([
      [0, 500],
      [500, 500],
      [1000, 200],
    ]);
    const tail = await runCli(['consume', '--data-dir', dir, '--topic', 'b', '--partition', '0', '--offset', '1198', '--timeout-ms', '0', ...FAST]);
    expect(lines(tail.stdout)).toEqual(['line-1198', 'line-1199']);
  });

  it('reports a record above max.message.bytes with its line and keeps the other lines, in order', async () => {
    const dir = join(root, 'produce-large');
    expectOk(await runCli(['topics', 'create', '--data-dir', dir, '--topic', 'l', '--config', 'max.message.bytes=1000', ...FAST]));
    const r = await runCli(['produce', '--data-dir', dir, '--topic', 'l', ...FAST], `small-1\n${'x'.repeat(5000)}\nsmall-2\n`);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('2 records acknowledged\n');
    expectOneErrorLine(r, /\(line 2\) to l-0: .*max\.message\.bytes=1000/);
    const c = await runCli(['consume', '--data-dir', dir, '--topic', 'l', '--from-beginning', '--timeout-ms', '0', ...FAST]);
    expect(lines(c.stdout)).toEqual(['small-1', 'small-2']);
  });

  it('sends every line to --partition when given', async () => {
    const dir = join(root, 'produce-partition');
    expectOk(await runCli(['topics', 'create', '--data-dir', dir, '--topic', 'p', '--partitions', '4', ...FAST]));
    const r = await runCli(['produce', '--data-dir', dir, '--topic', 'p', '--partition', '2', '--key-separator', ',', ...FAST], 'k1,a\nk2,b\nk3,c\n');
    expectOk(r);
    const d = await runCli(['topics', 'describe', '--data-dir', dir, '--topic', 'p', ...FAST]);
    expect(describedPartitions(d.stdout).map((p) => p.latest)).toEqual([0, 0, 3, 0]);
  });

  it('on SIGINT stops reading stdin, keeps what it read, and closes the log cleanly', async () => {
    const dir = join(root, 'produce-sigint');
    expectOk(await runCli(['topics', 'create', '--data-dir', dir, '--topic', 's', ...FAST]));
    const input = Array.from({ length: 600 }, (_, i) => `s-${i}`).join('\n') + '\n';
    // stdin stays open: only the signal can end this producer.
    const producer = startCli(['produce', '--data-dir', dir, '--topic', 's', ...FAST], input, { keepStdinOpen: true });
    const segment = join(dir, 'topics', 's', '0', '00000000000000000000.log');
    await waitUntil(async () => (await stat(segment)).size > 0); // the first 500-record batch is written
    producer.child.kill('SIGINT');
    const r = await producer.done;
    expect(r.code).toBe(130);
    const acked = Number(/^(\d+) records acknowledged\n$/.exec(r.stdout)?.[1]);
    expect(acked).toBeGreaterThanOrEqual(500);
    expect(r.stderr).toMatch(/^tributary: interrupted after \d+ lines\n$/);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    expect(existsSync(join(dir, '.clean-shutdown'))).toBe(true);
    const c = await runCli(['consume', '--data-dir', dir, '--topic', 's', '--from-beginning', '--timeout-ms', '0', ...FAST]);
    expect(lines(c.stdout)).toEqual(Array.from({ length: acked }, (_, i) => `s-${i}`));
  });
});

describe.concurrent('consume', () => {
  it('resumes from the offsets committed by --group', async () => {
    const dir = join(root, 'consume-group');
    expectOk(await runCli(['topics', 'create', '--data-dir', dir, '--topic', 'g', '--partitions', '2', ...FAST]));
    expectOk(await runCli(['produce', '--data-dir', dir, '--topic', 'g', '--partition', '0', ...FAST], 'v0\nv1\nv2\nv3\nv4\n'));
    const first = await runCli(['consume', '--data-dir', dir, '--topic', 'g', '--partition', '0', '--group', 'grp', '--from-beginning', '--max-messages', '2', ...FAST]);
    expectOk(first);
    expect(lines(first.stdout)).toEqual(['v0', 'v1']);
    const rest = await runCli(['consume', '--data-dir', dir, '--topic', 'g', '--group', 'grp', '--from-beginning', '--timeout-ms', '0', ...FAST]);
    expectOk(rest);
    expect(lines(rest.stdout)).toEqual(['v2', 'v3', 'v4']);
    const none = await runCli(['consume', '--data-dir', dir, '--topic', 'g', '--group', 'grp', '--from-beginning', '--timeout-ms', '0', ...FAST]);
    expectOk(none);
    expect(none.stdout).toBe('');
    // Another group starts from scratch.
    const other = await runCli(['consume', '--data-dir', dir, '--topic', 'g', '--group', 'other', '--from-beginning', '--timeout-ms', '0', ...FAST]);
    expect(lines(other.stdout)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('follows until %s, then closes the log cleanly (dump-log works meanwhile)', async (signal) => {
    const dir = join(root, `consume-follow-${signal}`);
    expectOk(await runCli(['topics', 'create', '--data-dir', dir, '--topic', 'f', ...FAST]));
    expectOk(await runCli(['produce', '--data-dir', dir, '--topic', 'f', ...FAST], 'one\ntwo\n'));
    const follower = startCli(['consume', '--data-dir', dir, '--topic', 'f', '--from-beginning', ...FAST]);
    await waitForStdout(follower, (out) => out === 'one\ntwo\n');
    expect(existsSync(join(dir, '.lock'))).toBe(true);

    // The directory is in use: the log refuses a second opener; dump-log reads it anyway.
    const busy = await runCli(['topics', 'list', '--data-dir', dir, ...FAST]);
    expectOneErrorLine(busy, new RegExp(`in use by process ${follower.child.pid}`));
    expect(busy.code).toBe(1);
    const dump = await runCli(['dump-log', '--data-dir', dir, '--topic', 'f', '--partition', '0']);
    expectOk(dump);
    expect(dumpedBatches(dump.stdout)).toEqual([expect.objectContaining({ baseOffset: 0, count: 2, crcValid: true })]);

    follower.child.kill(signal);
    const r = await follower.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('one\ntwo\n');
    expect(r.stderr).toBe('Processed a total of 2 messages\n');
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    expect(existsSync(join(dir, '.clean-shutdown'))).toBe(true);
  });
});

describe.concurrent('topics compact', () => {
  it('keeps the newest record per key in closed segments and says what it removed', async () => {
    const dir = join(root, 'compact');
    const create = ['topics', 'create', '--data-dir', dir, '--topic', 'c', '--config', 'cleanup.policy=compact', '--config', 'segment.bytes=1024'];
    expectOk(await runCli([...create, ...FAST]));
    const latest = new Map<string, string>();
    for (let round = 1; round <= 4; round++) {
      const input: string[] = [];
      for (let i = 0; i < 20; i++) {
        const key = `k${i % 5}`;
        input.push(`${key}:r${round}-${i}`);
        latest.set(key, `r${round}-${i}`);
      }
      expectOk(await runCli(['produce', '--data-dir', dir, '--topic', 'c', '--key-separator', ':', ...FAST], input.join('\n') + '\n'));
    }
    const keyless = await runCli(['produce', '--data-dir', dir, '--topic', 'c', ...FAST], 'no key\n');
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toMatch(/line 1: topic c is compacted/);

    const before = describedPartitions((await runCli(['topics', 'describe', '--data-dir', dir, '--topic', 'c', ...FAST])).stdout)[0]!;
    expect(before.segments).toBeGreaterThan(1);
    expect(before.latest).toBe(80);

    const r = await runCli(['topics', 'compact', '--data-dir', dir, '--topic', 'c', ...FAST]);
    expectOk(r);
    const m = /Partition: 0\tSegmentsCleaned: (\d+)\tSegmentsWritten: (\d+)\tRecordsRemoved: (\d+)\tBytesBefore: (\d+)\tBytesAfter: (\d+)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![3])).toBeGreaterThan(0);
    expect(Number(m![5])).toBeLessThan(Number(m![4]));

    const after = describedPartitions((await runCli(['topics', 'describe', '--data-dir', dir, '--topic', 'c', ...FAST])).stdout)[0]!;
    expect(after.size).toBeLessThan(before.size);
    expect(after.latest).toBe(80);

    const c = await runCli(['consume', '--data-dir', dir, '--topic', 'c', '--from-beginning', '--timeout-ms', '0', '--print-offset', '--print-key', ...FAST]);
    expectOk(c);
    const recs = lines(c.stdout).map((l) => l.split('\t'));
    expect(recs.length).toBe(80 - Number(m![3]));
    const offsets = recs.map(([o]) => Number(o));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    const last = new Map(recs.map(([, k, v]) => [k!, v!]));
    expect(last).toEqual(latest);
  });
});

describe.concurrent('dump-log', () => {
  it('prints every batch with its CRC state, and reports a corrupted batch and a torn tail without writing', async () => {
    const dir = join(root, 'dump');
    expectOk(await runCli(['topics', 'create', '--data-dir', dir, '--topic', 'd', ...FAST]));
    for (let b = 0; b < 3; b++) {
      const input = Array.from({ length: 5 }, (_, i) => `k${i}|b${b}-v${i}`).join('\n') + '\n';
      expectOk(await runCli(['produce', '--data-dir', dir, '--topic', 'd', '--key-separator', '|', ...FAST], input));
    }
    const ok = await runCli(['dump-log', '--data-dir', dir, '--topic', 'd', '--partition', '0', '--print-records']);
    expectOk(ok);
    const segment = join(dir, 'topics', 'd', '0', '00000000000000000000.log');
    expect(ok.stdout).toContain(`Dumping ${segment}\n`);
    const batches = dumpedBatches(ok.stdout);
    expect(batches.map((b) => [b.baseOffset, b.count, b.crcValid])).toEqual([
      [0, 5, true],
      [5, 5, true],
      [10, 5, true],
    ]);
    expect(ok.stdout).toMatch(/compresscodec: none/);
    expect(ok.stdout).toMatch(/^\| offset: 7 .*key: k2 payload: b1-v2$/m);
    expect(ok.stdout.match(/^\| offset: /gm)).toHaveLength(15);
    expect(ok.stdout).toContain('Summary: 3 batches, 0 invalid\n');

    // Flip a byte inside the second batch's records and cut the last batch short.
    const bytes = await readFile(segment);
    const second = batches[1]!;
    bytes[second.position + second.size - 3]! ^= 0xff;
    await writeFile(segment, bytes);
    await truncate(segment, bytes.length - 7);
    const snapshot = await snapshotDir(dir);

    const bad = await runCli(['dump-log', '--data-dir', dir, '--topic', 'd', '--partition', '0', '--print-records']);
    expectOk(bad);
    const badBatches = dumpedBatches(bad.stdout);
    expect(badBatches.map((b) => [b.baseOffset, b.crcValid])).toEqual([
      [0, true],
      [5, false],
    ]);
    expect(bad.stdout).toMatch(/^baseOffset: 5 .*crcValid: false isValid: false problem: CRC-32C mismatch$/m);
    const third = batches[2]!;
    expect(bad.stdout).toContain(
      `Torn or corrupt tail at position ${third.position} (${third.size - 7} bytes): torn batch (${third.size} bytes declared, ${third.size - 7} present)`,
    );
    expect(bad.stdout).toMatch(/Summary: 2 batches, 1 invalid, torn or corrupt tail/);
    // Read-only: not a byte changed, no lock taken, no recovery run.
    expect(await snapshotDir(dir)).toEqual(snapshot);
  });
});

describe.concurrent('bad input: one stderr line, non-zero exit, data directory untouched', () => {
  let template: string;

  beforeAll(async () => {
    template = join(root, 'template');
    expectOk(await runCli(['topics', 'create', '--data-dir', template, '--topic', 'known', '--partitions', '2', ...FAST]));
    expectOk(await runCli(['produce', '--data-dir', template, '--topic', 'known', ...FAST], 'a\nb\nc\nd\n'));
  });

  const RUNTIME = 1;
  const USAGE = 2;
  type Case = [name: string, args: string[], code: number, pattern: RegExp];
  const cases: Case[] = [
    ['consume: unknown topic', ['consume', '--topic', 'nope', '--timeout-ms', '0'], RUNTIME, /unknown topic 'nope'/],
    ['produce: unknown topic', ['produce', '--topic', 'nope'], RUNTIME, /unknown topic 'nope'/],
    ['describe: unknown topic', ['topics', 'describe', '--topic', 'nope'], RUNTIME, /unknown topic 'nope'/],
    ['delete: unknown topic', ['topics', 'delete', '--topic', 'nope'], RUNTIME, /unknown topic 'nope'/],
    ['compact: unknown topic', ['topics', 'compact', '--topic', 'nope'], RUNTIME, /unknown topic 'nope'/],
    ['dump-log: unknown topic', ['dump-log', '--topic', 'nope', '--partition', '0'], RUNTIME, /unknown topic 'nope'/],
    ['consume: partition out of range', ['consume', '--topic', 'known', '--partition', '2', '--timeout-ms', '0'], RUNTIME, /no partition 2 \(it has 2: 0 to 1\)/],
    ['produce: partition out of range', ['produce', '--topic', 'known', '--partition', '5'], RUNTIME, /no partition 5/],
    ['dump-log: partition out of range', ['dump-log', '--topic', 'known', '--partition', '2'], RUNTIME, /no partition 2/],
    ['consume: non-integer partition', ['consume', '--topic', 'known', '--partition', 'x'], USAGE, /'--partition <number>' argument 'x' is invalid/],
    ['consume: fractional partition', ['consume', '--topic', 'known', '--partition', '1.5'], USAGE, /argument '1\.5' is invalid/],
    ['consume: negative partition', ['consume', '--topic', 'known', '--partition', '-1'], USAGE, /argument '-1' is invalid.*negative/],
    ['produce: non-integer partition', ['produce', '--topic', 'known', '--partition', 'abc'], USAGE, /argument 'abc' is invalid/],
    ['dump-log: negative partition', ['dump-log', '--topic', 'known', '--partition', '-2'], USAGE, /argument '-2' is invalid/],
    ['consume: offset out of range', ['consume', '--topic', 'known', '--partition', '0', '--offset', '99', '--timeout-ms', '0'], RUNTIME, /offset 99 is out of range for known-0/],
    ['consume: negative offset', ['consume', '--topic', 'known', '--partition', '0', '--offset', '-5'], USAGE, /'--offset <offset>' argument '-5' is invalid/],
    ['consume: non-numeric offset', ['consume', '--topic', 'known', '--partition', '0', '--offset', 'soon'], USAGE, /argument 'soon' is invalid/],
    ['consume: offset without partition', ['consume', '--topic', 'known', '--offset', '1'], USAGE, /--offset needs --partition/],
    ['consume: offset with from-beginning', ['consume', '--topic', 'known', '--partition', '0', '--offset', '1', '--from-beginning'], USAGE, /cannot be used together/],
    ['consume: zero max-messages', ['consume', '--topic', 'known', '--max-messages', '0'], USAGE, /--max-messages/],
    ['consume: negative timeout', ['consume', '--topic', 'known', '--timeout-ms', '-1'], USAGE, /--timeout-ms/],
    ['create: topic exists', ['topics', 'create', '--topic', 'known'], RUNTIME, /topic 'known' already exists/],
    ['create: bad config value', ['topics', 'create', '--topic', 't2', '--config', 'retention.ms=soon'], RUNTIME, /invalid value 'soon' for topic config 'retention\.ms'/],
    ['create: unknown config key', ['topics', 'create', '--topic', 't2', '--config', 'no.such.key=1'], RUNTIME, /unknown topic config 'no\.such\.key'/],
    ['create: config without =', ['topics', 'create', '--topic', 't2', '--config', 'retention.ms'], USAGE, /key=value/],
    ['create: config given twice', ['topics', 'create', '--topic', 't2', '--config', 'retention.ms=1', '--config', 'retention.ms=2'], USAGE, /more than once/],
    ['create: bad topic name', ['topics', 'create', '--topic', 'bad/name'], RUNTIME, /topic name 'bad\/name'/],
    ['create: zero partitions', ['topics', 'create', '--topic', 't2', '--partitions', '0'], USAGE, /'--partitions <count>' argument '0' is invalid/],
    ['compact: not a compacted topic', ['topics', 'compact', '--topic', 'known'], RUNTIME, /cleanup\.policy=delete/],
    ['delete: internal topic', ['topics', 'delete', '--topic', '__consumer_offsets'], RUNTIME, /internal/],
    ['unknown option', ['topics', 'list', '--bogus'], USAGE, /unknown option '--bogus'/],
    ['missing required option', ['consume', '--timeout-ms', '0'], USAGE, /required option '--topic <name>' not specified/],
    ['missing --partition for dump-log', ['dump-log', '--topic', 'known'], USAGE, /required option '--partition <number>'/],
    ['bad --flush', ['produce', '--topic', 'known', '--flush', 'sometimes'], USAGE, /'--flush <mode>' argument 'sometimes' is invalid/],
    ['empty key separator', ['produce', '--topic', 'known', '--key-separator', ''], USAGE, /--key-separator.*cannot be empty/],
    ['unknown subcommand', ['topics', 'crate'], USAGE, /unknown command 'crate'/],
  ];

  it.concurrent.for(cases)('%s', async ([name, args, code, pattern], { expect: exp }) => {
    const dir = join(root, `bad-${name.replace(/\W+/g, '-')}`);
    await cp(template, dir, { recursive: true });
    const before = await snapshotDir(dir);
    const r = await runCli([...args, '--data-dir', dir], 'would-be record\n');
    exp(r.code).toBe(code);
    expectOneErrorLine(r, pattern, exp);
    exp(r.stdout).toBe('');
    exp(await snapshotDir(dir)).toEqual(before);
  });

  it('a missing --data-dir or command is a usage error', async () => {
    const noDir = await runCli(['topics', 'list']);
    expect(noDir.code).toBe(USAGE);
    expectOneErrorLine(noDir, /required option '--data-dir <dir>' not specified/);
    const noCommand = await runCli(['topics']);
    expect(noCommand.code).toBe(USAGE);
    expectOneErrorLine(noCommand, /command is missing/);
    const nothing = await runCli([]);
    expect(nothing.code).toBe(USAGE);
    expectOneErrorLine(nothing, /command is missing/);
  });

  it.concurrent.for([
    ['topics list'.split(' ')],
    ['topics describe'.split(' ')],
    ['topics delete --topic known'.split(' ')],
    ['topics compact --topic known'.split(' ')],
    ['produce --topic known'.split(' ')],
    ['consume --topic known --timeout-ms 0'.split(' ')],
    ['dump-log --topic known --partition 0'.split(' ')],
  ])('%s on a missing directory fails and does not create it', async ([args], { expect: exp }) => {
    const dir = join(root, 'missing', args.join('-'));
    const r = await runCli([...args, '--data-dir', dir], 'x\n');
    exp(r.code).toBe(RUNTIME);
    expectOneErrorLine(r, /does not exist/, exp);
    exp(existsSync(dir)).toBe(false);
    exp(existsSync(join(root, 'missing'))).toBe(false);
  });

  it('an empty directory is not initialised by a reading command', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir);
    const r = await runCli(['topics', 'list', '--data-dir', dir]);
    expect(r.code).toBe(RUNTIME);
    expectOneErrorLine(r, /not a Tributary data directory \(it is empty\)/);
    expect(await snapshotDir(dir)).toEqual({});
  });

  it.concurrent.for([
    ['list', ['topics', 'list']],
    ['create', ['topics', 'create', '--topic', 'x']],
    ['consume', ['consume', '--topic', 'x', '--timeout-ms', '0']],
  ] as [string, string[]][])('a foreign directory is refused and untouched: %s', async ([name, args], { expect: exp }) => {
    const dir = join(root, `foreign-${name}`);
    await mkdir(join(dir, 'photos'), { recursive: true });
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    const before = await snapshotDir(dir);
    const r = await runCli([...args, '--data-dir', dir]);
    exp(r.code).toBe(RUNTIME);
    expectOneErrorLine(r, /is not a Tributary data directory \(no tributary-log\.json, and it is not empty\)/, exp);
    exp(await snapshotDir(dir)).toEqual(before);
  });

  it('a file given as the data directory, or a damaged marker, is refused and untouched', async () => {
    const file = join(root, 'plain-file');
    await writeFile(file, 'not a directory\n');
    for (const args of [['topics', 'list'], ['topics', 'create', '--topic', 'x']]) {
      const r = await runCli([...args, '--data-dir', file]);
      expect(r.code).toBe(RUNTIME);
      expectOneErrorLine(r, /is not a directory/);
      expect(await readFile(file, 'utf8')).toBe('not a directory\n');
    }
    const damaged = join(root, 'damaged-marker');
    await cp(template, damaged, { recursive: true });
    await writeFile(join(damaged, 'tributary-log.json'), '{not json');
    const before = await snapshotDir(damaged);
    const r = await runCli(['topics', 'describe', '--data-dir', damaged]);
    expect(r.code).toBe(RUNTIME);
    expectOneErrorLine(r, /tributary-log\.json is not valid JSON/);
    expect(await snapshotDir(damaged)).toEqual(before);
  });
});
