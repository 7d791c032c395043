/**
 * A real standalone worker for REST tests, composed as `StandaloneApp` composes it: an EmbeddedLog in
 * a temporary data dir, the built-in plugins (plus any test plugins), a StandaloneHerder and the REST
 * server on 127.0.0.1, port 0. Tests talk to it only through HTTP (Node's fetch).
 */
import { readFile } from 'node:fs/promises';
import { afterEach, expect } from 'vitest';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { createRestServer, type RestServer } from '../../src/rest/rest-server.js';
import { builtinPlugins } from '../../src/runtime/builtin-plugins.js';
import { StandaloneHerder } from '../../src/runtime/herder/standalone-herder.js';
import { LoggerRegistry } from '../../src/runtime/logging.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from '../../src/runtime/worker-settings.js';
import type { Plugin } from '../../src/sdk/plugin.js';
import { ManualClock, systemClock } from '../../src/util/clock.js';
import { useTempDirs } from './temp-dir.js';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body; undefined when empty or not JSON. */
  readonly json: any;
}

export interface WorkerOptions {
  /** Reopen an existing data dir (restart); default a fresh temporary one. */
  readonly dataDir?: string;
  /** Registered after the built-ins. */
  readonly plugins?: readonly Plugin[];
  readonly requestTimeoutMs?: number;
  readonly bodyLimit?: number;
  /** Runs once the REST server listens, before the herder has started (as in StandaloneApp). */
  readonly whileStarting?: (call: RestWorker['call']) => Promise<void>;
}

export interface RestWorker {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly dataDir: string;
  /** The worker's embedded log, to write a connector's input or read its output directly. */
  readonly log: EmbeddedLog;
  /** `127.0.0.1:<port>`, the `worker_id` of every status. */
  readonly workerId: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** Graceful stop, as on SIGTERM: REST closes, tasks flush and commit, the log closes. Idempotent. */
  stop(): Promise<void>;
}

/** What `/admin/loggers` reports as `last_modified` for a change made through it. */
export const LOGGER_CLOCK_MS = 1_700_000_123_000;

/** Short enough that committed offsets show up quickly; the runtime is otherwise as shipped. */
const TEST_SETTINGS: Partial<WorkerSettings> = { offsetFlushIntervalMs: 100, offsetFlushTimeoutMs: 2_000 };

/**
 * Per-test workers and temporary directories. Workers still running after a test are stopped
 * before its directories are removed.
 */
export function useRestWorkers(): { start(options?: WorkerOptions): Promise<RestWorker>; tempDir(): Promise<string> } {
  const tempDir = useTempDirs('tributary-rest-');
  const running: RestWorker[] = [];
  // Registered after useTempDirs' hook, so it runs first.
  afterEach(async () => {
    for (const w of running.splice(0).reverse()) await w.stop();
  });
  return {
    tempDir,
    async start(options = {}) {
      const w = await startWorker(options.dataDir ?? (await tempDir()), options);
      running.push(w);
      return w;
    },
  };
}

async function startWorker(dataDir: string, options: WorkerOptions): Promise<RestWorker> {
  const loggers = new LoggerRegistry({ clock: new ManualClock(LOGGER_CLOCK_MS), destination: { write: () => {} } });
  const log = await EmbeddedLog.open({ dataDir, flush: 'none', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0 });
  const registry = new PluginRegistry([...builtinPlugins, ...(options.plugins ?? [])]);
  const settings: { -readonly [K in keyof WorkerSettings]: WorkerSettings[K] } = { ...DEFAULT_WORKER_SETTINGS, ...TEST_SETTINGS };
  const herder = new StandaloneHerder({ log, registry, settings, clock: systemClock, logger: (n) => loggers.logger(n) });
  const rest: RestServer = createRestServer({
    herder,
    loggers,
    host: '127.0.0.1',
    port: 0,
    version: '0.1.0-test',
    commit: 'abc123',
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
  });
  const { port } = await rest.listen();
  settings.workerId = `127.0.0.1:${port}`;
  const base = `http://127.0.0.1:${port}`;
  await options.whileStarting?.((method, path, body, headers) => request(base, method, path, body, headers));
  await herder.start();
  let stopping: Promise<void> | null = null;
  return {
    base,
    dataDir,
    log,
    workerId: settings.workerId,
    call: (method, path, body, headers) => request(base, method, path, body, headers),
    stop() {
      stopping ??= (async () => {
        await rest.close();
        await herder.stop();
        await log.close();
      })();
      return stopping;
    },
  };
}

/** One HTTP call to `base`; the body is sent as JSON unless it is a string. */
export async function request(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Asserts Kafka Connect's error entity: exactly `{"error_code": status, "message": message}`. */
export function expectError(a: Answer, status: number, message: string | RegExp): void {
  expect(a.status).toBe(status);
  expect(a.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(a.json ?? {}).sort()).toEqual(['error_code', 'message']);
  expect(a.json.error_code).toBe(status);
  if (typeof message === 'string') expect(a.json.message).toBe(message);
  else expect(a.json.message).toMatch(message);
}

/** Asserts a success with no body (202/204 lifecycle answers). */
export function expectEmpty(a: Answer, status: number): void {
  expect({ status: a.status, text: a.text }).toEqual({ status, text: '' });
}

/**
 * Calls `probe` until `done` accepts its value, at most `attempts` times `intervalMs` apart; fails
 * with the last value seen. Bounds the wait without asserting anything about time.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, attempts = 300, intervalMs = 50): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await probe();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`gave up waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

/** GETs `path` until its JSON body satisfies `done`; returns that body. */
export function pollJson(w: RestWorker, path: string, done: (json: any) => boolean): Promise<any> {
  return pollUntil(`GET ${path}`, async () => (await w.call('GET', path)).json, done);
}

/** Waits until the connector's status shows `state` and every task shows `taskState` (default the same). */
export function waitForState(w: RestWorker, name: string, state: string, taskState = state, tasks?: number): Promise<any> {
  return pollJson(
    w,
    `/connectors/${encodeURIComponent(name)}/status`,
    (s) => s?.connector?.state === state && (tasks === undefined || s.tasks.length === tasks) && s.tasks.every((t: any) => t.state === taskState),
  );
}

/** Reads a file, '' when it does not exist yet. */
export async function readText(path: string): Promise<string> {
  return readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
}

/** Waits until the file's content satisfies `done` (e.g. a sink's output). */
export function waitForFile(path: string, done: (text: string) => boolean): Promise<string> {
  return pollUntil(`file ${path}`, () => readText(path), done);
}

/**
 * Waits until the file is at least as long as `expected`, then asserts it is exactly `expected`:
 * a sink that delivers wrong, missing or extra lines fails here rather than timing out.
 */
export async function expectFile(path: string, expected: string): Promise<void> {
  expect(await waitForFile(path, (t) => t.length >= expected.length)).toBe(expected);
}
