/**
 * What source and sink task runners share: the loop's life (start, pause/resume, graceful stop),
 * status reporting and failure capture. A failed task stays FAILED, with its stack as the trace,
 * until it is restarted.
 */
import type { InstanceState, TargetState } from './herder/herder.js';
import type { TaskLogger } from '../sdk/logger.js';
import { withTimeout } from './retry.js';

export interface TaskId {
  readonly connector: string;
  readonly task: number;
}

export type StatusReporter = (state: InstanceState, trace?: string) => void;

export interface TaskRunnerBase {
  readonly id: TaskId;
  readonly logger: TaskLogger;
  readonly report: StatusReporter;
  readonly gracefulTimeoutMs: number;
}

/** The stack (or message) of an error, as a status trace. */
export function traceOf(err: unknown): string {
  if (err instanceof Error) {
    let s = err.stack ?? `${err.name}: ${err.message}`;
    let cause = (err as { cause?: unknown }).cause;
    for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
      s += `\nCaused by: ${cause.stack ?? cause.message}`;
      cause = (cause as { cause?: unknown }).cause;
    }
    return s;
  }
  return String(err);
}

export abstract class TaskRunner {
  protected target: TargetState = 'STARTED';
  protected stopping = false;
  /** Aborted when the task stops; each wait in the loop listens to it. */
  protected readonly stopSignal = new AbortController();
  /** Aborted on pause as well as stop, renewed on resume. */
  protected pauseSignal = new AbortController();
  private resumeWaiters: Array<() => void> = [];
  private loop: Promise<void> = Promise.resolve();
  private failed = false;
  /** Set when stop() gave up waiting: the loop may still end later, but reports and commits nothing more. */
  protected abandoned = false;
  /** A failure raised from outside the loop (a failed append); the loop throws it at its next check. */
  protected fatal: unknown = null;

  constructor(protected readonly base: TaskRunnerBase) {}

  get id(): TaskId {
    return this.base.id;
  }

  /** Runs the task in the background; its outcome is reported through the status reporter. */
  start(initial: TargetState): void {
    this.target = initial === 'PAUSED' ? 'PAUSED' : 'STARTED';
    if (this.target === 'PAUSED') this.pauseSignal.abort();
    this.loop = this.run();
  }

  setTargetState(state: TargetState): void {
    if (this.stopping || this.failed || state === this.target) return;
    this.target = state === 'PAUSED' ? 'PAUSED' : 'STARTED';
    if (this.target === 'PAUSED') {
      this.pauseSignal.abort();
      this.report('PAUSED');
    } else {
      this.pauseSignal = new AbortController();
      for (const w of this.resumeWaiters.splice(0)) w();
      this.report('RUNNING');
    }
  }

  /**
   * Stops gracefully: interrupts the loop, lets the subclass flush and commit, and waits at most
   * `task.shutdown.graceful.timeout.ms` for that. Resolves true when the task finished in time.
   */
  async stop(): Promise<boolean> {
    if (!this.stopping) {
      this.stopping = true;
      this.stopSignal.abort();
      this.pauseSignal.abort();
      for (const w of this.resumeWaiters.splice(0)) w();
    }
    const finished = await withTimeout(this.loop.then(() => true), this.base.gracefulTimeoutMs, false);
    if (!finished) {
      this.abandoned = true;
      this.onAbandon();
      this.base.logger.warn(`task ${this.id.connector}-${this.id.task} did not stop within ${this.base.gracefulTimeoutMs} ms; abandoning it`);
    }
    return finished;
  }

  /** Resolves when the loop has ended (stopped or failed). */
  done(): Promise<void> {
    return this.loop;
  }

  private report(state: Parameters<StatusReporter>[0], trace?: string): void {
    if (!this.abandoned) this.base.report(state, trace);
  }

  /** Records a failure found outside the loop and wakes the loop so it throws it. */
  protected raise(err: unknown): void {
    this.fatal ??= err;
    this.pauseSignal.abort();
    for (const w of this.resumeWaiters.splice(0)) w();
  }

  /** Called once when stop() gives up on the loop: stop timers, commit nothing more. */
  protected onAbandon(): void {}

  /** Waits while the task is paused; false when it is stopping. Throws a raised failure. */
  protected async waitWhilePaused(): Promise<boolean> {
    while (this.target === 'PAUSED' && !this.stopping && this.fatal === null) {
      await new Promise<void>((resolve) => this.resumeWaiters.push(resolve));
    }
    if (this.fatal !== null) throw this.fatal;
    return !this.stopping;
  }

  /** While paused: resolves on resume, stop, a raised failure, or after `ms`. */
  protected pausedWait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.resumeWaiters.push(done);
    });
  }

  protected get paused(): boolean {
    return this.target === 'PAUSED';
  }

  private async run(): Promise<void> {
    let initialized = false;
    try {
      await this.initialize();
      initialized = true;
      if (!this.stopping) this.report(this.target === 'PAUSED' ? 'PAUSED' : 'RUNNING');
      await this.execute();
    } catch (err) {
      if (!this.stopping || initialized) this.fail(err);
    }
    try {
      await this.shutdown(!this.failed && initialized);
    } catch (err) {
      if (!this.failed) this.fail(err);
    }
    if (!this.failed) this.report('UNASSIGNED');
  }

  private fail(err: unknown): void {
    this.failed = true;
    this.base.logger.error({ err }, `task ${this.id.connector}-${this.id.task} failed: ${(err as Error)?.message ?? String(err)}`);
    this.report('FAILED', traceOf(err));
  }

  /** Starts the connector's task object (offsets, assignments). */
  protected abstract initialize(): Promise<void>;
  /** The loop; returns when `stopping` is set. Throwing fails the task. */
  protected abstract execute(): Promise<void>;
  /** Final commit (when `clean`) and the task's own stop(). */
  protected abstract shutdown(clean: boolean): Promise<void>;
}
