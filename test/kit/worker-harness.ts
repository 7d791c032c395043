/**
 * Starts and stops real workers over one data directory, as a user's restarts and crashes would:
 *
 * - `start()`: a worker in the test process. `stop()` is the graceful shutdown SIGTERM triggers
 *   (tasks flush and commit, statuses are written, the log closes).
 * - `spawn()`: a worker in a child process. `kill()` is `kill -9`: nothing is flushed or committed
 *   beyond what was durable, the data directory is left as the crash left it (lock file included;
 *   the next open takes over a lock whose process is dead).
 * - `withLog()`: the data directory's log alone, nothing running — to look at what a crash left.
 *
 * Both kinds of worker answer the same `RunningWorker` calls, so a case does not care which it has.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach } from 'vitest';
import { ERROR_CODES, TributaryError, type ErrorCode } from '../../src/errors/codes.js';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { WorkerSettings } from '../../src/runtime/worker-settings.js';
import { openRuntime, type WorkerSpec } from './runtime.js';
import { b64, unb64, workerOps, type AsyncHerder, type WireCommitted, type WorkerOps } from './worker-ops.js';

export interface KitRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: ReadonlyArray<{ key: string; value: Buffer | null }>;
}

export interface KitStoredRecord extends KitRecord {
  readonly partition: number;
  readonly offset: number;
}

/** A running worker, in this process or in a child. */
export class RunningWorker {
  /** The real herder's public methods (through the child's stdin when it runs in a child). */
  readonly herder: AsyncHerder;

  constructor(protected readonly ops: WorkerOps) {
    this.herder = new Proxy({} as AsyncHerder, {
      get: (_, method) => (...args: unknown[]) => ops.herder(String(method), args),
    });
  }

  endOffsets(topic: string): Promise<number[]> {
    return this.ops.endOffsets(topic);
  }
  createTopic(topic: string, partitions: number): Promise<void> {
    return this.ops.createTopic(topic, partitions);
  }
  /** Appends one batch to a partition; resolves to the offset of its first record. */
  append(topic: string, partition: number, records: readonly KitRecord[]): Promise<number> {
    return this.ops.append(
      topic,
      partition,
      records.map((r) => ({ key: b64(r.key), value: b64(r.value), headers: r.headers?.map((h) => ({ key: h.key, value: b64(h.value) })) })),
    );
  }
  async read(topic: string): Promise<KitStoredRecord[]> {
    return (await this.ops.read(topic)).map((r) => ({
      partition: r.partition,
      offset: r.offset,
      key: unb64(r.key),
      value: unb64(r.value),
      headers: (r.headers ?? []).map((h) => ({ key: h.key, value: unb64(h.value) })),
    }));
  }
  /** The consumer group's committed offsets (a sink's group is `connect-<name>`). */
  groupOffsets(group: string): Promise<WireCommitted[]> {
    return this.ops.groupOffsets(group);
  }
  /** ERROR (and FATAL) log lines written since the worker started. */
  errorLines(): Promise<string[]> {
    return this.ops.errorLines();
  }
  /** Graceful stop. */
  stop(): Promise<void> {
    return this.ops.stop();
  }
}

/** A worker in a child process; `kill()` is `kill -9`. */
export class ChildWorker extends RunningWorker {
  constructor(
    ops: WorkerOps,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {
    super(ops);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

const CHILD = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface HarnessOptions extends Omit<WorkerSpec, 'dataDir' | 'settings'> {
  readonly settings?: Partial<WorkerSettings>;
}

export class WorkerHarness {
  private readonly running = new Set<RunningWorker>();

  constructor(
    readonly dataDir: string,
    private readonly options: HarnessOptions = {},
  ) {}

  private spec(settings: Partial<WorkerSettings> = {}): WorkerSpec {
    return { ...this.options, dataDir: this.dataDir, settings: { ...this.options.settings, ...settings } };
  }

  /** A worker in this process over the data directory; connectors stored there start as they were. */
  async start(settings?: Partial<WorkerSettings>): Promise<RunningWorker> {
    const ops = workerOps(await openRuntime(this.spec(settings)));
    const worker: RunningWorker = new RunningWorker({
      ...ops,
      stop: async () => {
        this.running.delete(worker);
        await ops.stop();
      },
    });
    this.running.add(worker);
    return worker;
  }

  /** A worker in a child process over the data directory (resolves once it has started). */
  async spawn(settings?: Partial<WorkerSettings>): Promise<ChildWorker> {
    const child = spawn(process.execPath, ['--import', TSX, CHILD, JSON.stringify(this.spec(settings))], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // Requests racing a kill find the pipe closed: they fail through `exited`, not as a stream error.
    child.stdin!.on('error', () => {});
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
    let ready!: () => void;
    let failed!: (e: unknown) => void;
    const started = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
    const exited = new Promise<void>((resolve) =>
      child.on('exit', (code, signal) => {
        const err = new Error(`worker process exited (code ${code}, signal ${signal}): ${stderr}`);
        failed(err);
        for (const p of pending.values()) p.reject(err);
        pending.clear();
        resolve();
      }),
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: boolean; id?: number; ok?: boolean; result?: unknown; error?: { code: string | null; message: string } };
      if (msg.ready) return ready();
      const p = pending.get(msg.id!);
      if (!p) return;
      pending.delete(msg.id!);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(rebuildError(msg.error!));
    });
    let nextId = 0;
    const call = (op: string) => (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`worker process has exited: ${stderr}`));
        const id = ++nextId;
        pending.set(id, { resolve, reject });
        child.stdin!.write(JSON.stringify({ id, op, args }) + '\n');
      });
    const ops = Object.fromEntries(
      ['herder', 'endOffsets', 'createTopic', 'append', 'read', 'groupOffsets', 'errorLines', 'stop'].map((op) => [op, call(op)]),
    ) as unknown as WorkerOps;
    const stop = async (): Promise<void> => {
      await ops.stop();
      await exited;
    };
    const worker = new ChildWorker({ ...ops, stop }, child, exited);
    this.running.add(worker);
    void exited.then(() => this.running.delete(worker));
    await started;
    return worker;
  }

  /** Opens the data directory's log alone (no worker may be running on it). */
  async withLog<T>(fn: (log: EmbeddedLog) => Promise<T>): Promise<T> {
    const log = await EmbeddedLog.open({ dataDir: this.dataDir, flush: this.options.flush ?? 'fsync' });
    try {
      return await fn(log);
    } finally {
      await log.close();
    }
  }

  /** Stops every worker still running (children are killed). */
  async cleanup(): Promise<void> {
    for (const w of [...this.running]) {
      this.running.delete(w);
      if (w instanceof ChildWorker) await w.kill();
      else await w.stop().catch(() => {});
    }
  }
}

function rebuildError(e: { code: string | null; message: string }): Error {
  return e.code !== null && Object.hasOwn(ERROR_CODES, e.code) ? new TributaryError(e.code as ErrorCode, e.message) : new Error(e.message);
}

/**
 * Registers an afterEach that stops every worker the test left running; returns a factory of
 * harnesses. Call it after `useTempDirs` so workers stop before their directories are removed.
 */
export function useWorkerHarnesses(): (dataDir: string, options?: HarnessOptions) => WorkerHarness {
  const made: WorkerHarness[] = [];
  afterEach(async () => {
    for (const h of made.splice(0)) await h.cleanup();
  });
  return (dataDir, options) => {
    const h = new WorkerHarness(dataDir, options);
    made.push(h);
    return h;
  };
}
