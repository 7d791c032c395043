/**
 * The one backoff helper: the runtime is the only place that retries (connectors throw
 * `RetriableError` and let it). Delays start at `initialMs`, double per attempt up to `maxMs`, and
 * carry ±20% jitter so tasks that failed together do not retry together.
 */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly random?: () => number;
  /**
   * When the doubled delay passes `maxMs`: `cap` (default) waits `maxMs` (jittered); `random` waits
   * a random time below `maxMs`, as Kafka Connect's `errors.retry.delay.max.ms`.
   */
  readonly overMax?: 'cap' | 'random';
}

export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const initial = opts.initialMs ?? 300;
  const max = opts.maxMs ?? 60_000;
  const random = opts.random ?? Math.random;
  const doubled = initial * 2 ** Math.max(0, Math.min(attempt, 30));
  if (doubled > max && opts.overMax === 'random') return Math.round(random() * max);
  const jitter = 0.8 + 0.4 * random();
  return Math.max(0, Math.round(Math.min(max, doubled) * jitter));
}

/** How long to wait before retrying after `err`: its own `retryAfterMs` when it gives one, else the backoff. */
export function retryDelay(err: unknown, attempt: number): number {
  const after = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof after === 'number' ? after : backoffDelay(attempt);
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Races `promise` against a timeout; resolves to `onTimeout` when the time is up first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: T): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => (t = setTimeout(() => resolve(onTimeout), ms)))]);
  } finally {
    clearTimeout(t);
  }
}
