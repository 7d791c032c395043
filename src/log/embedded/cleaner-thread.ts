/**
 * The cleaner thread: compaction's copying (decoding every batch, building the key map, writing
 * cleaned segments) runs on a worker thread so it never competes with appends and reads for the
 * event loop. Started on first use, stopped with the log.
 */
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, TributaryError, type ErrorCode } from '../../errors/codes.js';
import type { CleanJob, CleanOutcome } from './cleaner-job.js';

interface Waiter {
  resolve(o: CleanOutcome): void;
  reject(err: unknown): void;
}

function startWorker(): Worker {
  const url = new URL(`./cleaner-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (url.pathname.endsWith('.js')) return new Worker(url);
  // Running from TypeScript sources (tests): load the worker through tsx, a dev dependency.
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true });
}

export class CleanerThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();

  run(job: CleanJob): Promise<CleanOutcome> {
    const worker = this.ensure();
    const id = this.nextId++;
    // Referenced only while a job runs, so an idle cleaner never keeps the process alive.
    worker.ref();
    return new Promise<CleanOutcome>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      worker.postMessage({ id, job });
    }).finally(() => {
      if (this.waiters.size === 0) this.worker?.unref();
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker();
    w.unref();
    w.on('message', (msg: { id: number; outcome?: CleanOutcome; error?: { message: string; code?: string } }) => {
      const waiter = this.waiters.get(msg.id);
      this.waiters.delete(msg.id);
      if (!waiter) return;
      if (msg.error) {
        const code: ErrorCode = msg.error.code !== undefined && msg.error.code in ERROR_CODES ? (msg.error.code as ErrorCode) : 'STORAGE_ERROR';
        waiter.reject(new TributaryError(code, `cleaner: ${msg.error.message}`));
      } else waiter.resolve(msg.outcome!);
    });
    const failAll = (err: unknown): void => {
      for (const w of this.waiters.values()) w.reject(err);
      this.waiters.clear();
      this.worker = null;
    };
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new TributaryError('STORAGE_ERROR', `cleaner thread exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
