/**
 * bench:pipeline's first phase (`pipeline`): a file of plain text lines through FileStreamSource →
 * embedded log → FileStreamSink (StringConverter), against a Node streams line copy of the same file.
 * See `pipeline-bench.ts` for the workload, the order of runs and the RESULT line.
 */
import { once } from 'node:events';
import * as fs from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { median } from './bench-env.js';
import { cpuSince, fmtInt, load1, MiB, now, runPipeline, type Timed } from './pipeline-bench-app.js';

export interface LinesPhaseOptions {
  readonly lines: number;
  readonly runs: number;
  readonly flushMs: number;
  readonly pollMs: number;
  readonly stallMs: number;
  /** Run the pipeline alone (no baseline passes, no RESULT line): for `node --cpu-prof`. */
  readonly pipelineOnly: boolean;
}

const TOPIC = 'lines';

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
// The phase: baseline, then (pipeline, baseline) `runs` times.

/** Runs the phase under `root`; returns its RESULT line (null with `pipelineOnly`). */
export async function linesPhase(root: string, o: LinesPhaseOptions): Promise<string | null> {
  const total = o.lines;
  const input = join(root, 'input.txt');
  const inputBytes = await writeInput(input, total);
  console.log(
    `  workload: ${fmtInt(total)} lines, ${fmtInt(inputBytes)} B (${(inputBytes / total).toFixed(1)} B/line incl. '\\n', ` +
      `160–240 B, deterministic, some multi-byte UTF-8)`,
  );
  console.log(
    `  pipeline config: in-process StandaloneApp, log.flush=fsync, StringConverter key/value, offset.flush.interval.ms=${o.flushMs}, ` +
      `other worker and connector settings default; output size polled every ${o.pollMs} ms`,
  );
  console.log('  baseline: createReadStream (64 KiB) → line splitter (UTF-8 decode per line) → createWriteStream, one write per line, drain on backpressure, fdatasync at end');

  const baseSecs: number[] = [];
  const baseline = async (k: number): Promise<void> => {
    const out = join(root, `baseline-${k}.txt`);
    const load = load1();
    const t = await baselineCopy(input, out);
    const lines = await verify(input, out);
    if (lines !== total) throw new Error(`baseline copied ${lines} lines, expected ${total}`);
    baseSecs.push(t.seconds);
    console.log(
      `baseline pass ${k}             ${fmtInt(lines / t.seconds).padStart(10)} lines/s ${(inputBytes / MiB / t.seconds).toFixed(1).padStart(7)} MiB/s  ` +
        `(${t.seconds.toFixed(2)} s; process CPU ${t.cpuSeconds.toFixed(2)} s; load before ${load})`,
    );
    await rm(out, { force: true });
  };
  const pipeSecs: number[] = [];
  const pipeline = async (k: number): Promise<void> => {
    const output = join(root, 'output.txt');
    const dir = join(root, `run-${k}`);
    const load = load1();
    const p = await runPipeline({
      dir,
      output,
      flushMs: o.flushMs,
      pollMs: o.pollMs,
      stallMs: o.stallMs,
      connectors: [
        { name: 'bench-source', config: { name: 'bench-source', 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: input, topic: TOPIC } },
        { name: 'bench-sink', config: { name: 'bench-sink', 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: output, topics: TOPIC } },
      ],
      complete: async (size) => size >= inputBytes,
    });
    if (p.outputBytes !== inputBytes) throw new Error(`the output has ${p.outputBytes} bytes, the input ${inputBytes}`);
    const lines = await verify(input, output);
    if (lines !== total) throw new Error(`the pipeline delivered ${lines} lines, expected ${total}`);
    pipeSecs.push(p.seconds);
    console.log(
      `pipeline run ${k}              ${fmtInt(lines / p.seconds).padStart(10)} lines/s ${(inputBytes / MiB / p.seconds).toFixed(1).padStart(7)} MiB/s  ` +
        `(${p.seconds.toFixed(2)} s; process CPU ${p.cpuSeconds.toFixed(2)} s; load before ${load}; start ${(p.startSeconds * 1000).toFixed(0)} ms, ` +
        `first output byte at ${(p.firstByteSeconds * 1000).toFixed(0)} ms; graceful stop afterwards ${(p.stopSeconds * 1000).toFixed(0)} ms, not timed)`,
    );
    await rm(dir, { recursive: true, force: true });
    await rm(output, { force: true });
  };

  // baseline, then (pipeline, baseline) `runs` times: each pipeline run sits between two baseline passes.
  if (!o.pipelineOnly) await baseline(1);
  for (let k = 1; k <= o.runs; k++) {
    await pipeline(k);
    if (!o.pipelineOnly) await baseline(k + 1);
  }
  await rm(input, { force: true });
  if (o.pipelineOnly) return null;

  const pipelineRate = total / median(pipeSecs);
  const baselineRate = total / Math.min(...baseSecs);
  console.log(
    `  pipeline: median of ${o.runs} run(s); baseline: the fastest of ${baseSecs.length} passes (conservative); ` +
      `every pass verified byte for byte (${fmtInt(total)} lines each)`,
  );
  return `RESULT pipeline lines_per_s=${Math.round(pipelineRate)} baseline_lines_per_s=${Math.round(baselineRate)} ratio=${(pipelineRate / baselineRate).toFixed(2)}`;
}
