/**
 * What the kit's cases share: bounded waits (a condition, or fail after N seconds — never a
 * timing assertion), multiset comparisons of record identities, and status expectations.
 */
import { afterEach, expect } from 'vitest';
import { isTributaryError } from '../../src/errors/codes.js';
import type { ConnectorStateInfo, InstanceState } from '../../src/runtime/herder/herder.js';
import type { RunningWorker } from './worker-harness.js';

/** How long a bounded wait may take before the case fails. */
export const WAIT_MS = 20_000;

/**
 * Polls `probe` until it returns something other than undefined/false, and returns that; fails
 * after `timeoutMs` naming `what` and, when given, the last state `describe` reports.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<unknown> | unknown } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? WAIT_MS);
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) {
      const last = options.describe ? await options.describe() : undefined;
      throw new Error(`timed out after ${options.timeoutMs ?? WAIT_MS} ms waiting for ${what}${last === undefined ? '' : `; last seen: ${JSON.stringify(last)}`}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

/** `promise`, or a failure naming `what` if it has not settled after `ms` (a hang is a failure). */
export async function settlesWithin<T>(what: string, promise: Promise<T>, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** identity → how many times it occurs. */
export function counts(ids: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

/** The expected identities missing from `actual` (each expected once per occurrence). */
export function missing(expected: readonly string[], actual: readonly string[]): string[] {
  const have = counts(actual);
  const out: string[] = [];
  for (const id of expected) {
    const n = have.get(id) ?? 0;
    if (n === 0) out.push(id);
    else have.set(id, n - 1);
  }
  return out;
}

/** Every expected identity is present (duplicates allowed, extra identities allowed). */
export function containsAll(actual: readonly string[], expected: readonly string[]): boolean {
  return missing(expected, actual).length === 0;
}

/** A short description of how `actual` differs from `expected` as multisets. */
export function multisetDiff(actual: readonly string[], expected: readonly string[]): { missing: string[]; extra: string[] } {
  return { missing: missing(expected, actual).slice(0, 20), extra: missing(actual, expected).slice(0, 20) };
}

/** Asserts `actual` holds exactly the identities of `expected`, each as often (order aside). */
export function expectSameMultiset(actual: readonly string[], expected: readonly string[], what: string): void {
  const diff = multisetDiff(actual, expected);
  expect(diff, `${what}: ${actual.length} identities vs ${expected.length} expected`).toEqual({ missing: [], extra: [] });
}

/** Identities that occur more than once. */
export function duplicates(ids: readonly string[]): string[] {
  return [...counts(ids)].filter(([, n]) => n > 1).map(([id]) => id);
}

/** Waits until the connector and every task report `state` (with at least `minTasks` tasks). */
export async function waitForState(worker: RunningWorker, name: string, state: InstanceState, minTasks = 1): Promise<ConnectorStateInfo> {
  return waitFor(
    `connector ${name} and its tasks to be ${state}`,
    async () => {
      const s = await worker.herder.connectorStatus(name).catch(() => undefined);
      return s && s.connector.state === state && s.tasks.length >= minTasks && s.tasks.every((t) => t.state === state) ? s : undefined;
    },
    { describe: () => worker.herder.connectorStatus(name).catch((e: Error) => e.message) },
  );
}

/** Asserts the connector is STOPPED the way Kafka Connect shows it: no tasks, no trace. */
export async function expectStopped(worker: RunningWorker, name: string): Promise<void> {
  const status = await waitForState(worker, name, 'STOPPED', 0);
  expect(status.connector.trace, 'a stopped connector carries no error trace').toBeUndefined();
  expect(status.tasks, 'a stopped connector has no tasks').toEqual([]);
  expect((await worker.herder.connectorInfo(name)).tasks).toEqual([]);
  expect(await worker.herder.taskConfigs(name)).toEqual([]);
}

/** Asserts the worker has logged nothing at ERROR or above. */
export async function expectNoErrorLogs(worker: RunningWorker): Promise<void> {
  expect(await worker.errorLines(), 'ERROR log lines').toEqual([]);
}

/** A name unique within the test run. */
let seq = 0;
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${++seq}`;
}

/** Asserts `p` rejects with BAD_REQUEST (HTTP 400). */
export async function expectBadRequest(p: Promise<unknown>, what: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTributaryError(err, 'BAD_REQUEST'), `${what} is refused with BAD_REQUEST (400), got ${String(err)}`).toBe(true);
}

/** Registers an afterEach closing every fixture handed to the returned function (which returns it). */
export function useFixtures<F extends { close?(): Promise<void> }>(): (fixture: F) => F {
  const made: F[] = [];
  afterEach(async () => {
    for (const f of made.splice(0)) await f.close?.();
  });
  return (fixture) => {
    made.push(fixture);
    return fixture;
  };
}

/** A producer running in the background until `end()`, so that a stop or a kill lands mid-stream. */
export interface Stream {
  /** Identities produced so far. */
  readonly ids: readonly string[];
  /** Stops producing; resolves to every identity produced (fails if a produce call failed). */
  end(): Promise<string[]>;
}

export function stream(produce: (count: number) => Promise<readonly string[]>, chunk = 50): Stream {
  const ids: string[] = [];
  let running = true;
  let failure: unknown = null;
  const loop = (async () => {
    while (running) {
      ids.push(...(await produce(chunk)));
      await new Promise((r) => setTimeout(r, 2));
    }
  })().catch((err: unknown) => {
    failure = err;
  });
  return {
    ids,
    async end() {
      running = false;
      await loop;
      if (failure) throw failure;
      return [...ids];
    },
  };
}

/**
 * Runs `check` every 100 ms for `ms`: a bounded watch of a paused connector, not a timing
 * assertion — a connector that respects the pause passes however long the watch lasts.
 */
export async function watchPaused(ms: number, check: () => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  do {
    await check();
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < until);
  await check();
}
