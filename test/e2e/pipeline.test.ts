/**
 * End to end, through the built CLI: 1,000,000 lines (100–200 bytes, some multi-byte UTF-8) go
 * FileStreamSource → embedded log (fsync) → FileStreamSink in a real `tributary standalone`
 * process. (a) A straight run copies the file byte for byte. (b) A graceful stop (SIGTERM) half way
 * and a restart still copy it byte for byte: no duplicates, nothing lost. (c) SIGKILLs at three
 * seeded random points, each followed by a restart: every line arrives, in order, and duplicates
 * appear only as replays after the restarts (see `checkReplayedOutput`). After the final graceful
 * stop the committed offsets cover everything: the source's position is the input's length and the
 * sink's group offset is the topic's end.
 *
 * E2E_LINES (default 1000000) shrinks the input; E2E_SEED replays the kill points of a run.
 */
import { open, stat, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-run.js';
import { checkReplayedOutput, linesBuffer, makeLineData, type LineData } from '../support/line-data.js';
import { makeTempDir, removeTempDir, useTempDirs } from '../support/temp-dir.js';
import { useWorkers, waitFor, writeConnectorFile, writeWorkerProperties, type WorkerProcess } from '../support/worker-process.js';

const N = Number(process.env.E2E_LINES ?? 1_000_000);
const TOPIC = 'lines';
/** Bound for the whole file to pass through once (measured: ~8 s on 2 cores). */
const PIPELINE_TIMEOUT_MS = 120_000;

let input: LineData;
let inputDir: string;
let inputPath: string;

beforeAll(async () => {
  inputDir = await makeTempDir('tributary-e2e-input-');
  input = makeLineData(N);
  inputPath = join(inputDir, 'input.txt');
  await writeFile(inputPath, input.bytes);
});

afterAll(async () => {
  if (inputDir) await removeTempDir(inputDir);
});

const newDir = useTempDirs('tributary-e2e-pipeline-');
const workers = useWorkers();

interface Pipeline {
  readonly dataDir: string;
  readonly outPath: string;
  readonly workerFile: string;
  /** Worker file and both connector files: what `standalone` is started with. */
  readonly args: string[];
}

async function pipeline(): Promise<Pipeline> {
  const dir = await newDir();
  const dataDir = join(dir, 'data');
  const outPath = join(dir, 'output.txt');
  const workerFile = await writeWorkerProperties(dir, dataDir);
  const source = await writeConnectorFile(dir, 'src', { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: inputPath, topic: TOPIC });
  const sink = await writeConnectorFile(dir, 'sink', { 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: outPath, topics: TOPIC });
  return { dataDir, outPath, workerFile, args: [workerFile, source, sink] };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The byte just after the file's last newline (0 without one): where the sink resumes after a crash. */
async function endOfLastLine(path: string): Promise<number> {
  const size = await sizeOf(path);
  const fh = await open(path, 'r');
  try {
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - 4096);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      const nl = buf.lastIndexOf(10);
      if (nl >= 0) return start + nl + 1;
      end = start;
    }
    return 0;
  } finally {
    await fh.close();
  }
}

/** The last complete line of a file ('' when it has none). */
async function lastLine(path: string): Promise<string> {
  const size = await sizeOf(path);
  if (size === 0) return '';
  const fh = await open(path, 'r');
  try {
    const len = Math.min(size, 1024);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n');
    return end < 0 ? '' : text.slice(text.lastIndexOf('\n', end - 1) + 1, end);
  } finally {
    await fh.close();
  }
}

async function stopGracefully(w: WorkerProcess): Promise<void> {
  const exit = await w.stop();
  expect(exit.signal, exit.stderr).toBeNull();
  expect(exit.code, exit.stderr).toBe(0);
  expect(exit.stderr).toBe('');
}

/** The source's committed position for the input file; -1 when it has none. */
async function sourcePosition(w: WorkerProcess): Promise<number> {
  const body = await w.get('/connectors/src/offsets');
  const entry = (body.offsets as { partition: Record<string, unknown>; offset: Record<string, unknown> }[]).find((e) => e.partition['filename'] === inputPath);
  return typeof entry?.offset['position'] === 'number' ? entry.offset['position'] : -1;
}

/** The sink's committed group offset on the topic; -1 when it has none. */
async function sinkOffset(w: WorkerProcess): Promise<number> {
  const body = await w.get('/connectors/sink/offsets');
  const entry = (body.offsets as { partition: Record<string, unknown>; offset: Record<string, unknown> }[]).find(
    (e) => e.partition['kafka_topic'] === TOPIC && e.partition['kafka_partition'] === 0,
  );
  return typeof entry?.offset['kafka_offset'] === 'number' ? entry.offset['kafka_offset'] : -1;
}

/** The topic's end offset, read from the stopped worker's data directory with the CLI. */
async function topicEnd(dataDir: string): Promise<number> {
  const r = await runCli(['topics', 'describe', '--data-dir', dataDir, '--topic', TOPIC]);
  expect(r.code, r.stderr).toBe(0);
  const m = /Partition: 0\tEarliestOffset: \d+\tLatestOffset: (\d+)/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return Number(m![1]);
}

/**
 * Starts the stopped worker again without connector files (they are stored) and checks the offsets
 * its final graceful stop committed: the source is at the input's end, the sink at the topic's end.
 */
async function expectFinalOffsets(p: Pipeline, expectedRecords?: number): Promise<void> {
  const end = await topicEnd(p.dataDir);
  if (expectedRecords !== undefined) expect(end, 'records in the topic').toBe(expectedRecords);
  const w = await workers.start([p.workerFile]);
  expect(await sourcePosition(w)).toBe(input.bytes.length);
  expect(await sinkOffset(w)).toBe(end);
  await stopGracefully(w);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('checkReplayedOutput (the SIGKILL case checker)', () => {
  const data = makeLineData(50);
  const lines = (idx: number[]): Buffer => Buffer.concat(idx.map((i) => linesBuffer(i, i + 1)));
  const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
  const byteOfLine = (idx: number[], k: number): number => lines(idx.slice(0, k)).length;

  it('accepts the input itself, and replays at and after restart points', () => {
    expect(checkReplayedOutput(data, data.bytes, []).problems).toEqual([]);
    // Killed when 20 lines were out; the sink replays from 15, the source's replay (from 25) arrives later.
    const seq = [...range(0, 20), ...range(15, 30), ...range(25, 50)];
    const r = checkReplayedOutput(data, lines(seq), [byteOfLine(seq, 20)]);
    expect(r.problems).toEqual([]);
    expect(r.jumps.map((j) => j.atRestart)).toEqual([true, false]);
    expect(r.duplicates).toBe(10);
    // A sink killed again before it committed reads the source's replay boundary (29 → 25) twice: one
    // source replay; the second run's source replay (39 → 37) is the other.
    const again = [...range(0, 20), ...range(15, 30), ...range(25, 35), ...range(15, 30), ...range(25, 40), ...range(37, 50)];
    const r2 = checkReplayedOutput(data, lines(again), [byteOfLine(again, 20), byteOfLine(again, 45)]);
    expect(r2.problems).toEqual([]);
    expect(r2.jumps.map((j) => [j.from, j.to, j.atRestart])).toEqual([[19, 15, true], [29, 25, false], [34, 15, true], [29, 25, false], [39, 37, false]]);
  });

  it('rejects a lost line, a skip, a reorder, a torn line, a jump before any restart, and too many jumps', () => {
    const all = range(0, 50);
    expect(checkReplayedOutput(data, lines(all.filter((i) => i !== 49)), []).problems.join()).toMatch(/reaches input line 48/);
    expect(checkReplayedOutput(data, lines(all.filter((i) => i !== 10)), []).problems.join()).toMatch(/skips from input line 9 to 11/);
    const swapped = [...range(0, 10), 11, 10, ...range(12, 50)];
    expect(checkReplayedOutput(data, lines(swapped), [byteOfLine(swapped, 11)]).problems.join()).toMatch(/skips from input line 9 to 11/);
    const torn = Buffer.concat([lines(range(0, 10)).subarray(0, -30), lines(range(10, 50))]);
    expect(checkReplayedOutput(data, torn, [10]).problems.join()).toMatch(/is not an input line/);
    expect(checkReplayedOutput(data, Buffer.concat([data.bytes, Buffer.from('line-0000049 x')]), []).problems.join()).toMatch(/unterminated/);
    const replay = [...range(0, 20), ...range(15, 50)];
    expect(checkReplayedOutput(data, lines(replay), []).problems.join()).toMatch(/before the first restart/);
    const threeReplays = [...range(0, 20), ...range(15, 30), ...range(25, 40), ...range(35, 50)];
    expect(checkReplayedOutput(data, lines(threeReplays), [byteOfLine(threeReplays, 20)]).problems.join()).toMatch(/more than one per restart/);
  });
});

describe(`pipeline: ${N} lines FileStreamSource → log → FileStreamSink (built CLI, log.flush=fsync)`, () => {
  it('(a) a straight run copies the input byte for byte', { timeout: 240_000 }, async () => {
    const p = await pipeline();
    const w = await workers.start(p.args);
    await waitFor('the whole input to reach the output', async () => (await sizeOf(p.outPath)) >= input.bytes.length, {
      timeoutMs: PIPELINE_TIMEOUT_MS,
      intervalMs: 100,
      worker: w,
    });
    await stopGracefully(w);
    const output = await readFile(p.outPath);
    expect(output.length).toBe(input.bytes.length);
    expect(output.equals(input.bytes), 'output differs from input').toBe(true);
    await expectFinalOffsets(p, N);
    expect((await readFile(p.outPath)).length, 'the restart wrote nothing more').toBe(input.bytes.length);
  });

  it('(b) a graceful stop half way and a restart lose and duplicate nothing', { timeout: 240_000 }, async () => {
    const p = await pipeline();
    const half = input.bytes.length / 2;
    const first = await workers.start(p.args);
    await waitFor('half the input to reach the output', async () => (await sizeOf(p.outPath)) >= half, {
      timeoutMs: PIPELINE_TIMEOUT_MS,
      intervalMs: 20,
      worker: first,
    });
    await stopGracefully(first);
    const atStop = await readFile(p.outPath);
    // Precondition: the stop came in the middle (else this case tests nothing).
    expect(atStop.length, 'output size at the graceful stop').toBeLessThan(input.bytes.length);
    expect(atStop.equals(input.bytes.subarray(0, atStop.length)), 'output at the stop is a prefix of the input').toBe(true);

    const second = await workers.start(p.args);
    await waitFor('the rest of the input to reach the output', async () => (await sizeOf(p.outPath)) >= input.bytes.length, {
      timeoutMs: PIPELINE_TIMEOUT_MS,
      intervalMs: 100,
      worker: second,
    });
    await stopGracefully(second);
    const output = await readFile(p.outPath);
    expect(output.length).toBe(input.bytes.length);
    expect(output.equals(input.bytes), 'output differs from input').toBe(true);
    await expectFinalOffsets(p, N);
  });

  it('(c) SIGKILL at 3 random points, restarting after each: every line, in order, replays only after restarts', { timeout: 300_000 }, async () => {
    const seed = process.env.E2E_SEED !== undefined ? Number(process.env.E2E_SEED) : Math.floor(Math.random() * 2 ** 32);
    const rand = mulberry32(seed);
    const points = [rand(), rand(), rand()].map((x) => 0.05 + 0.9 * x).sort((a, b) => a - b);
    console.log(`[e2e pipeline] SIGKILL seed=${seed} (rerun: E2E_SEED=${seed}); kill at output fractions ${points.map((x) => x.toFixed(3)).join(', ')}`);
    const p = await pipeline();
    const restartPoints: number[] = [];
    for (const fraction of points) {
      const w = await workers.start(p.args);
      // Past the fraction, and past the previous restart point, so each run makes progress.
      const target = Math.max(Math.floor(fraction * input.bytes.length), (restartPoints.at(-1) ?? -1) + 1);
      await waitFor(`the output to reach ${target} bytes (seed ${seed})`, async () => (await sizeOf(p.outPath)) >= target, {
        timeoutMs: PIPELINE_TIMEOUT_MS,
        intervalMs: 10,
        worker: w,
      });
      const exit = await w.kill();
      expect(exit.signal).toBe('SIGKILL');
      // A kill mid-write leaves a torn line, which the next sink drops: it restarts after the last newline.
      restartPoints.push(await endOfLastLine(p.outPath));
    }

    // The final run: until the source has committed the whole input and the sink wrote the last line.
    const last = `line-${String(N - 1).padStart(7, '0')} `;
    const final = await workers.start(p.args);
    await waitFor(`the source to commit the whole input and the sink to write line ${N - 1} (seed ${seed})`, async () => (await sourcePosition(final)) === input.bytes.length && (await lastLine(p.outPath)).startsWith(last), {
      timeoutMs: PIPELINE_TIMEOUT_MS,
      intervalMs: 100,
      worker: final,
    });
    await stopGracefully(final);

    // Whatever the sink had not yet replayed it writes now; then its group offset is the topic's end.
    const end = await topicEnd(p.dataDir);
    expect(end).toBeGreaterThanOrEqual(N);
    const check = await workers.start([p.workerFile]);
    await waitFor(`the sink to commit up to the topic's end ${end} (seed ${seed})`, async () => (await sinkOffset(check)) === end, {
      timeoutMs: PIPELINE_TIMEOUT_MS,
      worker: check,
    });
    expect(await sourcePosition(check)).toBe(input.bytes.length);
    await stopGracefully(check);

    const output = await readFile(p.outPath);
    const result = checkReplayedOutput(input, output, restartPoints);
    console.log(
      `[e2e pipeline] seed=${seed}: restart points ${restartPoints.join(', ')}; ${result.lines} output lines, ${result.duplicates} duplicates, ` +
        `${end - N} records replayed by the source; backward jumps ${JSON.stringify(result.jumps.map((j) => ({ byte: j.byte, from: j.from, to: j.to, atRestart: j.atRestart })))}`,
    );
    expect(result.problems, `seed ${seed}, restart points ${restartPoints.join(', ')}`).toEqual([]);
  });
});
