/**
 * Crash test: a child process appends (fsync mode), compacts and commits group offsets while the
 * test kills it with SIGKILL at random moments — some of them right as a compaction pass begins.
 * After every kill the log is reopened and must hold every acknowledged record, unmodified and in
 * order; every record it holds must be one that was written (no corrupt or invented data).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { StoredRecord } from '../../src/log/log.js';
import { crashRecordKey, crashRecordValue } from '../support/crash-records.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 50);
// The child runs the built code (npm test builds first), cleaner thread included, as users run it.
const CHILD = fileURLToPath(new URL('../../dist/test/support/crash-writer.js', import.meta.url));

interface RoundOutcome {
  acks: { topic: string; partition: number; base: number; last: number; firstSeq: number; count: number }[];
  lastGroupOffset: number;
  compactions: number;
  killedDuringCompaction: boolean;
}

/** Runs the child until `killAt` decides, then SIGKILLs it and returns what it acknowledged. */
function runRound(dataDir: string, round: number, rand: () => number): Promise<RoundOutcome> {
  const outcome: RoundOutcome = { acks: [], lastGroupOffset: -1, compactions: 0, killedDuringCompaction: false };
  const mode = round % 3; // 0: after a random delay, 1: as the k-th compaction begins, 2: soon after start
  const killOnCompaction = 1 + Math.floor(rand() * 4);
  const delayMs = mode === 2 ? Math.floor(rand() * 30) : 20 + Math.floor(rand() * 400);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, String(round)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    let stderr = '';
    let killed = false;
    const kill = (): void => {
      if (!killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    const safety = setTimeout(kill, 20_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        // Lines read after the kill were still written (acknowledged) before it: they count too.
        const f = line.split(' ');
        recordLine(outcome, f);
        if (killed) continue;
        if (f[0] === 'READY') {
          if (mode !== 1) setTimeout(kill, delayMs);
        } else if (f[0] === 'C' && f[1] === 'begin') {
          outcome.compactions++;
          if (mode === 1 && outcome.compactions === killOnCompaction) {
            outcome.killedDuringCompaction = true;
            setTimeout(kill, Math.floor(rand() * 3));
          }
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(safety);
      // Every complete line still in the pipe was written before the kill: count it.
      for (const line of buffered.split('\n').slice(0, -1)) recordLine(outcome, line.split(' '));
      if (signal !== 'SIGKILL') reject(new Error(`crash writer exited on its own (code ${code}): ${stderr}`));
      else resolve(outcome);
    });
  });
}

function recordLine(outcome: RoundOutcome, f: string[]): void {
  if (f[0] === 'A') {
    outcome.acks.push({
      topic: f[1]!,
      partition: Number(f[2]),
      base: Number(f[3]),
      last: Number(f[4]),
      firstSeq: Number(f[5]),
      count: Number(f[6]),
    });
  } else if (f[0] === 'G') outcome.lastGroupOffset = Math.max(outcome.lastGroupOffset, Number(f[1]));
}

async function readAll(log: EmbeddedLog, topic: string, partition: number): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let offset = await log.earliestOffset(topic, partition);
  const end = await log.latestOffset(topic, partition);
  while (offset < end) {
    const r = await log.read(topic, partition, offset, { maxBytes: 1 << 20 });
    if (r.nextOffset <= offset) throw new Error(`read of ${topic}-${partition}@${offset} made no progress`);
    out.push(...r.records);
    offset = r.nextOffset;
  }
  return out;
}

/**
 * Problems found while checking, reported by one assertion per round: the checks run over every
 * stored record after every kill, so they are plain comparisons, not one `expect` each.
 */
class Problems {
  readonly list: string[] = [];
  check(ok: boolean, what: () => string): void {
    if (!ok && this.list.length < 20) this.list.push(what());
  }
}

/** A record is genuine when its key and value are exactly what the writer derives from its seq header. */
function seqOf(r: StoredRecord, problems: Problems): number {
  const h = r.headers.find((x) => x.key === 'seq');
  if (!h || h.value === null) {
    problems.check(false, () => `record at offset ${r.offset} has no seq header`);
    return -1;
  }
  const seq = Number(h.value.toString());
  const value = crashRecordValue(seq);
  problems.check(
    value === null ? r.value === null : r.value !== null && r.value.equals(value),
    () => `value at offset ${r.offset} is not the one written with seq ${seq}`,
  );
  problems.check(r.key === null || r.key.equals(crashRecordKey(seq)), () => `key at offset ${r.offset} is not the one written with seq ${seq}`);
  return seq;
}

/** Checks offsets strictly increase and every record is genuine; returns offset → seq. */
function genuineRecords(records: readonly StoredRecord[], problems: Problems): Map<number, number> {
  const present = new Map<number, number>();
  let prev = -1;
  for (const r of records) {
    problems.check(r.offset > prev, () => `offset ${r.offset} follows ${prev}`);
    prev = r.offset;
    present.set(r.offset, seqOf(r, problems));
  }
  return present;
}

describe('crash safety (kill -9 while appending and compacting)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it(`keeps every acknowledged record across ${ROUNDS} kills`, { timeout: 30 * 60_000 }, async () => {
    expect(existsSync(CHILD), `${CHILD} is missing: run npm run build (npm test does)`).toBe(true);
    const dataDir = await mkdtemp(join(tmpdir(), 'tributary-crash-'));
    dirs.push(dataDir);
    let state = 0x2545f491;
    const rand = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    /** Every acknowledged record: topic/partition → offset → seq. */
    const acked = new Map<string, Map<number, number>>();
    let groupFloor = -1;
    let duringCompaction = 0;
    let totalAcks = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const outcome = await runRound(dataDir, round, rand);
      if (outcome.killedDuringCompaction) duringCompaction++;
      totalAcks += outcome.acks.length;
      for (const a of outcome.acks) {
        const key = `${a.topic}/${a.partition}`;
        if (!acked.has(key)) acked.set(key, new Map());
        expect(a.last - a.base + 1).toBe(a.count);
        for (let i = 0; i < a.count; i++) acked.get(key)!.set(a.base + i, a.firstSeq + i);
      }
      groupFloor = Math.max(groupFloor, outcome.lastGroupOffset);

      const log = await EmbeddedLog.open({ dataDir, flush: 'none', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0 });
      const problems = new Problems();
      try {
        for (const p of [0, 1]) {
          const present = genuineRecords(await readAll(log, 'data', p), problems);
          for (const [offset, seq] of acked.get(`data/${p}`) ?? []) {
            problems.check(present.get(offset) === seq, () => `acknowledged data/${p}@${offset} (seq ${seq}) missing or changed`);
          }
        }
        // Compacted topic: an acknowledged record may only be gone if a newer record of its key is present.
        const records = await readAll(log, 'compacted', 0);
        const present = genuineRecords(records, problems);
        const newestPresent = new Map<string, number>();
        for (const r of records) newestPresent.set(r.key!.toString(), r.offset);
        for (const [offset, seq] of acked.get('compacted/0') ?? []) {
          const got = present.get(offset);
          if (got !== undefined) problems.check(got === seq, () => `compacted@${offset} holds seq ${got}, not ${seq}`);
          else {
            const newest = newestPresent.get(crashRecordKey(seq).toString()) ?? -1;
            problems.check(newest > offset, () => `acknowledged compacted@${offset} gone without a newer record`);
          }
        }
        if (groupFloor >= 0) {
          const [committed] = await log.fetchOffsets('crash-group');
          problems.check((committed?.offset ?? -1) >= groupFloor, () => `group offset ${committed?.offset} below the acknowledged ${groupFloor}`);
        }
        expect(problems.list, `round ${round}`).toEqual([]);
      } finally {
        await log.close();
      }
    }
    expect(totalAcks).toBeGreaterThan(ROUNDS); // the writer really ran between kills
    expect(duringCompaction).toBeGreaterThan(0);
  });
});
