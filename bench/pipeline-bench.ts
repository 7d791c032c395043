/**
 * End-to-end benchmark of a file → log → file pipeline against a plain Node streams copy (not a
 * test; run `npm run bench:pipeline`).
 *
 * Workload: BENCH_PIPELINE_LINES (default 1,000,000) lines of 160–240 bytes (~200 on average),
 * deterministic (a seeded generator: a line number, a level, words, an occasional multi-byte UTF-8
 * character), `\n`-terminated, in one input file on the repository's file system.
 *
 *  - Pipeline: the real product path, in process. A `StandaloneApp` (worker config from
 *    `loadWorkerConfig`, embedded log with the default `log.flush=fsync`, REST API on an ephemeral
 *    port, StringConverter for keys and values) runs two connector files: `FileStreamSource` reading
 *    the input into topic `lines`, and `FileStreamSink` appending topic `lines` to the output file.
 *    The clock starts just before `start()` and stops when the output file holds as many bytes as
 *    the input (its size is polled every BENCH_PIPELINE_POLL_MS, default 5 ms); then the output is
 *    compared byte for byte with the input and its lines are counted. What arrived is counted, not
 *    engine counters.
 *  - Baseline: the same file copied line by line with Node streams: `createReadStream` (64 KiB
 *    chunks), a byte-level line splitter that decodes every line as UTF-8 (as the source does), one
 *    `write(line + '\n')` per line into `createWriteStream`, waiting for 'drain' whenever `write`
 *    returns false (backpressure), and one fdatasync at the end. Timed from opening the input to the
 *    end of the sync; the output is verified the same way.
 *
 * Order: baseline, then BENCH_PIPELINE_RUNS (default 1) times pipeline + baseline, so every pipeline
 * run sits between two baseline passes under the same page-cache conditions (the input was just
 * written and stays cached). The pipeline figure is the median of its runs; the baseline figure is
 * its fastest pass, so the ratio is the conservative one. Each line also shows the process's CPU
 * time over the same span (all threads), a figure much less sensitive than wall time to other load
 * on the machine.
 *
 * Config of the pipeline (printed): `offset.flush.interval.ms` (BENCH_PIPELINE_FLUSH_MS, default
 * 1000) is also how often the sink's buffered tail is written and fsynced, so it bounds how long the
 * last lines wait; everything else is the worker's default (producer.buffer.memory 32 MiB,
 * consumer.max.poll.records 500, fetch.max.bytes 50 MiB, batch.size 2000).
 *
 * BENCH_PIPELINE_ONLY=1 runs the pipeline alone (for `node --cpu-prof`), without a RESULT line.
 *
 * Last line: `RESULT pipeline lines_per_s=<n> baseline_lines_per_s=<n> ratio=<x>` (target ≥ 0.3).
 */
import { once } from 'node:events';
import * as fs from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StandaloneApp } from '../src/cli/standalone-app.js';
import { packageVersion } from '../src/cli/version.js';
import type { ConnectorFile } from '../src/config/connector-file.js';
import { loadWorkerConfig } from '../src/config/worker-config.js';
import { benchDir, envNumber, machine, median } from './bench-env.js';

const MiB = 1024 * 1024;


const LINES = Math.floor(envNumber('BENCH_PIPELINE_LINES', 1_000_000, 1));
const FLUSH_MS = Math.floor(envNumber('BENCH_PIPELINE_FLUSH_MS', 1000, 1));
const RUNS = Math.floor(envNumber('BENCH_PIPELINE_RUNS', 1, 1));
const POLL_MS = envNumber('BENCH_PIPELINE_POLL_MS', 5, 1);
/** Give up when the output stops growing for this long (a broken pipeline must not hang the bench). */
const STALL_MS = envNumber('BENCH_PIPELINE_STALL_MS', 30_000, 100);
/** Profiling aid: run only the pipeline (no baseline passes, no RESULT line). */
const PIPELINE_ONLY = process.env['BENCH_PIPELINE_ONLY'] === '1';
const TOPIC = 'lines';

const BASE_DIR = benchDir('BENCH_PIPELINE_DIR');

function now(): number {
  return performance.now() / 1000;
}

// ---------------------------------------------------------------------------------------------------
// The data set: deterministic lines written once.

const WORDS = (
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa ' +
  'quebec romeo sierra tango uniform victor whiskey xray yankee zulu request response latency user ' +
  'order payment shipped cancelled retry timeout connected partition offset commit'
).split(' ');
const LEVELS = ['INFO', 'DEBUG', 'WARN', 'ERROR'];
const EXTRA = ['é', 'ß', '€', '→', '✓'];

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

const WORD_BYTES = WORDS.map((w) => Buffer.byteLength(w));
const EXTRA_BYTES = EXTRA.map((w) => Buffer.byteLength(w));

function makeLine(i: number, next: () => number): string {
  const target = 160 + (next() % 81);
  let s = `${String(i).padStart(7, '0')} 2024-05-01T12:${String((i >> 6) % 60).padStart(2, '0')}:00Z ${LEVELS[next() % 4]} `;
  let bytes = s.length; // ASCII so far
  while (bytes < target) {
    const w = next() % WORDS.length;
    s += WORDS[w]!;
    bytes += WORD_BYTES[w]!;
    if (next() % 23 === 0) {
      const e = next() % EXTRA.length;
      s += EXTRA[e]!;
      bytes += EXTRA_BYTES[e]!;
    } else {
      s += ' ';
      bytes++;
    }
  }
  // Cut to the target length on a character boundary (lines stay valid UTF-8).
  while (bytes > target) {
    bytes -= Buffer.byteLength(s[s.length - 1]!);
    s = s.slice(0, -1);
  }
  return s;
}

async function writeInput(path: string, lines: number): Promise<number> {
  const fd = await open(path, 'wx');
  try {
    const next = rng(0x7a1b);
    let parts: string[] = [];
    let bytes = 0;
    for (let i = 0; i < lines; i++) {
      parts.push(makeLine(i, next), '\n');
      if (parts.length >= 20_000) {
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
    return bytes;
  } finally {
    await fd.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Verification: what arrived, byte for byte.

/** Compares the two files; returns the number of lines in `actual`. */
async function verify(expected: string, actual: string): Promise<number> {
  const [a, b] = await Promise.all([open(expected, 'r'), open(actual, 'r')]);
  try {
    const ba = Buffer.allocUnsafe(4 * MiB);
    const bb = Buffer.allocUnsafe(4 * MiB);
    let pos = 0;
    let lines = 0;
    for (;;) {
      const [ra, rb] = await Promise.all([a.read(ba, 0, ba.length, pos), b.read(bb, 0, bb.length, pos)]);
      const n = Math.min(ra.bytesRead, rb.bytesRead);
      if (ba.compare(bb, 0, n, 0, n) !== 0) throw new Error(`${actual} differs from the input within bytes ${pos}..${pos + n}`);
      for (let at = bb.indexOf(10, 0); at !== -1 && at < n; at = bb.indexOf(10, at + 1)) lines++;
      if (ra.bytesRead !== rb.bytesRead) throw new Error(`${actual} has a different length than the input (at byte ${pos + n})`);
      if (n === 0) return lines;
      pos += n;
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

// ---------------------------------------------------------------------------------------------------
// Baseline: Node streams, line by line, backpressure honoured, one fdatasync at the end.

interface Timed {
  readonly seconds: number;
  /** CPU time of the whole process (all threads: main, libuv pool, GC helpers) over the same span. */
  readonly cpuSeconds: number;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

async function baselineCopy(input: string, output: string): Promise<Timed> {
  const t0 = now();
  const c0 = process.cpuUsage();
  const rs = fs.createReadStream(input, { highWaterMark: 64 * 1024 });
  const ws = fs.createWriteStream(output, { flags: 'wx' });
  const opened = new Promise<number>((res, rej) => ws.once('open', res).once('error', rej));
  let rest: Buffer | null = null;
  for await (const chunk of rs as AsyncIterable<Buffer>) {
    const buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const line = buf.toString('utf8', start, nl);
      start = nl + 1;
      if (!ws.write(`${line}\n`)) await once(ws, 'drain'); // rejects on 'error'
    }
    rest = start < buf.length ? buf.subarray(start) : null;
  }
  if (rest) ws.write(`${rest.toString('utf8')}\n`);
  const fd = await opened;
  await new Promise<void>((res, rej) => ws.write('', (err) => (err ? rej(err) : res())));
  await new Promise<void>((res, rej) => fs.fdatasync(fd, (err) => (err ? rej(err) : res())));
  const seconds = now() - t0;
  const cpuSeconds = cpuSince(c0);
  await new Promise<void>((res, rej) => ws.end((err?: Error | null) => (err ? rej(err) : res())));
  return { seconds, cpuSeconds };
}

// ---------------------------------------------------------------------------------------------------
// Pipeline: StandaloneApp with a FileStreamSource and a FileStreamSink connector.

interface PipelineResult extends Timed {
  readonly startSeconds: number;
  readonly firstByteSeconds: number;
  readonly stopSeconds: number;
}

async function runPipeline(dir: string, input: string, output: string, inputBytes: number): Promise<PipelineResult> {
  const config = loadWorkerConfig({
    overrides: [
      `data.dir=${join(dir, 'data')}`,
      'rest.host=127.0.0.1',
      'rest.port=0',
      'log.level=warn',
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
      `offset.flush.interval.ms=${FLUSH_MS}`,
    ],
  });
  if (config.get('log.flush') !== 'fsync') throw new Error('the bench expects the default log.flush=fsync');
  const connectors: ConnectorFile[] = [
    { name: 'bench-source', config: { name: 'bench-source', 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: input, topic: TOPIC } },
    { name: 'bench-sink', config: { name: 'bench-sink', 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: output, topics: TOPIC } },
  ];
  const app = new StandaloneApp({ config, connectors, version: packageVersion(), logDestination: process.stderr });
  let stopped = false;
  try {
    const t0 = now();
    const c0 = process.cpuUsage();
    await app.start();
    const startSeconds = now() - t0;
    let size = 0;
    let firstByteSeconds = NaN;
    let lastGrowth = now();
    while (size < inputBytes) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      let s = 0;
      try {
        s = (await stat(output)).size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const t = now();
      if (s > size) {
        if (size === 0) firstByteSeconds = t - t0;
        size = s;
        lastGrowth = t;
      } else if ((t - lastGrowth) * 1000 > STALL_MS) {
        throw new Error(`the output stopped growing at ${size} of ${inputBytes} bytes`);
      }
    }
    const seconds = now() - t0;
    const cpuSeconds = cpuSince(c0);
    if (size !== inputBytes) throw new Error(`the output has ${size} bytes, the input ${inputBytes}`);
    const s0 = now();
    await app.stop();
    stopped = true;
    return { seconds, cpuSeconds, startSeconds, firstByteSeconds, stopSeconds: now() - s0 };
  } finally {
    if (!stopped) await app.stop().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------
// Reporting

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');



async function main(): Promise<void> {
  await mkdir(BASE_DIR, { recursive: true });
  const root = await mkdtemp(join(BASE_DIR, 'pipeline-bench-'));
  try {
    console.log('pipeline bench: FileStreamSource → embedded log (flush=fsync) → FileStreamSink vs a Node streams line copy');
    for (const l of machine(root)) console.log(`  ${l}`);
    const input = join(root, 'input.txt');
    const inputBytes = await writeInput(input, LINES);
    console.log(
      `  workload: ${fmtInt(LINES)} lines, ${fmtInt(inputBytes)} B (${(inputBytes / LINES).toFixed(1)} B/line incl. '\\n', ` +
        `160–240 B, deterministic, some multi-byte UTF-8)`,
    );
    console.log(
      `  pipeline config: in-process StandaloneApp, log.flush=fsync, StringConverter key/value, offset.flush.interval.ms=${FLUSH_MS}, ` +
        `other worker and connector settings default; output size polled every ${POLL_MS} ms`,
    );
    console.log('  baseline: createReadStream (64 KiB) → line splitter (UTF-8 decode per line) → createWriteStream, one write per line, drain on backpressure, fdatasync at end');

    const baseSecs: number[] = [];
    const baseline = async (k: number): Promise<void> => {
      const out = join(root, `baseline-${k}.txt`);
      const t = await baselineCopy(input, out);
      const lines = await verify(input, out);
      if (lines !== LINES) throw new Error(`baseline copied ${lines} lines, expected ${LINES}`);
      baseSecs.push(t.seconds);
      console.log(
        `baseline pass ${k}             ${fmtInt(lines / t.seconds).padStart(10)} lines/s ${(inputBytes / MiB / t.seconds).toFixed(1).padStart(7)} MiB/s  ` +
          `(${t.seconds.toFixed(2)} s; process CPU ${t.cpuSeconds.toFixed(2)} s)`,
      );
      await rm(out, { force: true });
    };
    const pipeSecs: number[] = [];
    const pipeline = async (k: number): Promise<void> => {
      const output = join(root, 'output.txt');
      const p = await runPipeline(join(root, `run-${k}`), input, output, inputBytes);
      const lines = await verify(input, output);
      if (lines !== LINES) throw new Error(`the pipeline delivered ${lines} lines, expected ${LINES}`);
      pipeSecs.push(p.seconds);
      console.log(
        `pipeline run ${k}              ${fmtInt(lines / p.seconds).padStart(10)} lines/s ${(inputBytes / MiB / p.seconds).toFixed(1).padStart(7)} MiB/s  ` +
          `(${p.seconds.toFixed(2)} s; process CPU ${p.cpuSeconds.toFixed(2)} s; start ${(p.startSeconds * 1000).toFixed(0)} ms, ` +
          `first output byte at ${(p.firstByteSeconds * 1000).toFixed(0)} ms; graceful stop afterwards ${(p.stopSeconds * 1000).toFixed(0)} ms, not timed)`,
      );
      await rm(join(root, `run-${k}`), { recursive: true, force: true });
      await rm(output, { force: true });
    };

    // baseline, then (pipeline, baseline) RUNS times: each pipeline run sits between two baseline passes.
    if (!PIPELINE_ONLY) await baseline(1);
    for (let k = 1; k <= RUNS; k++) {
      await pipeline(k);
      if (!PIPELINE_ONLY) await baseline(k + 1);
    }
    if (PIPELINE_ONLY) return;

    const pipelineRate = LINES / median(pipeSecs);
    const baselineRate = LINES / Math.min(...baseSecs);
    console.log(
      `  pipeline: median of ${RUNS} run(s); baseline: the fastest of ${baseSecs.length} passes (conservative); ` +
        `every pass verified byte for byte (${fmtInt(LINES)} lines each)`,
    );
    console.log(`RESULT pipeline lines_per_s=${Math.round(pipelineRate)} baseline_lines_per_s=${Math.round(baselineRate)} ratio=${(pipelineRate / baselineRate).toFixed(2)}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
