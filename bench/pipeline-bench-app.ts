/**
 * What both phases of bench:pipeline share: timing (wall and process CPU), and running the product
 * path in process: a `StandaloneApp` (worker config from `loadWorkerConfig`, embedded log with the
 * default `log.flush=fsync`, REST API on an ephemeral port, StringConverter keys and values unless a
 * connector overrides them) with the given connector files, timed from just before `start()` until
 * the output is complete by the phase's own test of the output file.
 */
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { StandaloneApp } from '../src/cli/standalone-app.js';
import { packageVersion } from '../src/cli/version.js';
import type { ConnectorFile } from '../src/config/connector-file.js';
import { loadWorkerConfig } from '../src/config/worker-config.js';

export const MiB = 1024 * 1024;

export function now(): number {
  return performance.now() / 1000;
}

export interface Timed {
  readonly seconds: number;
  /** CPU time of the whole process (all threads: main, libuv pool, GC helpers) over the same span. */
  readonly cpuSeconds: number;
}

export function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The 1-minute load average, for the run lines: other work on the machine slows wall time, not CPU. */
export const load1 = (): string => os.loadavg()[0]!.toFixed(2);

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

export interface PipelineSpec {
  /** Scratch directory of this run (the worker's data.dir goes below it). */
  readonly dir: string;
  readonly connectors: ConnectorFile[];
  /** offset.flush.interval.ms: also how often the sink's buffered tail is written and fsynced. */
  readonly flushMs: number;
  readonly pollMs: number;
  /** Give up when the output stops growing for this long (a broken pipeline must not hang the bench). */
  readonly stallMs: number;
  /** The file the sink writes. */
  readonly output: string;
  /**
   * Whether the output is complete, asked after each poll that saw it grow (`size` bytes). Must be
   * cheap: it runs on the clock, in the measured process.
   */
  readonly complete: (size: number) => Promise<boolean>;
  /** Where to write a CPU profile of the timed span (V8 sampling, 200 µs), if anywhere. */
  readonly profile?: string;
}

export interface PipelineResult extends Timed {
  readonly startSeconds: number;
  readonly firstByteSeconds: number;
  readonly stopSeconds: number;
  readonly outputBytes: number;
}

export async function runPipeline(spec: PipelineSpec): Promise<PipelineResult> {
  const config = loadWorkerConfig({
    overrides: [
      `data.dir=${join(spec.dir, 'data')}`,
      'rest.host=127.0.0.1',
      'rest.port=0',
      'log.level=warn',
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
      `offset.flush.interval.ms=${spec.flushMs}`,
    ],
  });
  if (config.get('log.flush') !== 'fsync') throw new Error('the bench expects the default log.flush=fsync');
  const app = new StandaloneApp({ config, connectors: spec.connectors, version: packageVersion(), logDestination: process.stderr });
  let stopped = false;
  const session = spec.profile ? new Session() : null;
  try {
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
    }
    const t0 = now();
    const c0 = process.cpuUsage();
    await app.start();
    const startSeconds = now() - t0;
    let size = 0;
    let firstByteSeconds = NaN;
    let lastGrowth = now();
    for (;;) {
      await new Promise((r) => setTimeout(r, spec.pollMs));
      const s = await fileSize(spec.output);
      const t = now();
      if (s > size) {
        if (size === 0) firstByteSeconds = t - t0;
        size = s;
        lastGrowth = t;
        if (await spec.complete(size)) break;
      } else if ((t - lastGrowth) * 1000 > spec.stallMs) {
        throw new Error(`the output stopped growing at ${size} bytes`);
      }
    }
    const seconds = now() - t0;
    const cpuSeconds = cpuSince(c0);
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      await mkdir(dirname(spec.profile!), { recursive: true });
      await writeFile(spec.profile!, JSON.stringify(profile));
    }
    const s0 = now();
    await app.stop();
    stopped = true;
    return { seconds, cpuSeconds, startSeconds, firstByteSeconds, stopSeconds: now() - s0, outputBytes: size };
  } finally {
    session?.disconnect();
    if (!stopped) await app.stop().catch(() => {});
  }
}

/** The last `max` bytes of the first `size` bytes of `path`, as text. */
export async function tail(path: string, size: number, max: number): Promise<string> {
  const fd = await open(path, 'r');
  try {
    const n = Math.min(size, max);
    const buf = Buffer.allocUnsafe(n);
    const { bytesRead } = await fd.read(buf, 0, n, size - n);
    return buf.toString('utf8', 0, bytesRead);
  } finally {
    await fd.close();
  }
}

/** Calls `onLine` with every line of `path` (without its `\n`); returns how many there were. */
export async function forEachLine(path: string, onLine: (line: string) => void): Promise<number> {
  const fd = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 * MiB);
    let pos = 0;
    let carry: Buffer = Buffer.alloc(0);
    let lines = 0;
    for (;;) {
      const { bytesRead } = await fd.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      // Cut at the last newline so no multi-byte character is split; the rest waits for the next read.
      const end = buf.lastIndexOf(10, bytesRead - 1);
      if (end < 0) {
        carry = Buffer.concat([carry, buf.subarray(0, bytesRead)]);
        continue;
      }
      const text = (carry.length ? Buffer.concat([carry, buf.subarray(0, end + 1)]) : buf.subarray(0, end + 1)).toString('utf8');
      carry = Buffer.from(buf.subarray(end + 1, bytesRead));
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        onLine(text.slice(start, nl));
        lines++;
        start = nl + 1;
      }
    }
    if (carry.length > 0) throw new Error(`${path} ends without a newline`);
    return lines;
  } finally {
    await fd.close();
  }
}
