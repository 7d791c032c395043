/**
 * The standalone worker (`node bin/tributary.js standalone …`, built code) as a child process for
 * end-to-end tests: start it, wait for its REST API, call the API, stop it with SIGTERM or kill it
 * with SIGKILL. Every worker started through {@link useWorkers} is SIGKILLed after its test if it is
 * still running, so a failing test never leaves a process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { REPO_ROOT, type CliResult } from './cli-run.js';

const BIN = join(REPO_ROOT, 'bin', 'tributary.js');

/** How a worker process ended, with everything it printed (the same shape as a CLI run's result). */
export type WorkerExit = CliResult;

export interface RestAnswer {
  readonly status: number;
  readonly text: string;
  /** The parsed body; undefined when empty or not JSON. */
  readonly json: any;
}

const STARTED = /Tributary worker (\S+) started: REST API on (http:\/\/[^\s,]+)/;

/**
 * Polls `condition` every `intervalMs` until it holds, for at most `timeoutMs`; then throws naming
 * `what`. When `worker` is given and exits meanwhile, fails at once with its exit and stderr.
 */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; worker?: WorkerProcess } = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 25, worker } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    const exit = worker?.exitInfo;
    if (exit) throw new Error(`worker exited (code ${exit.code}, signal ${exit.signal}) while waiting for ${what}; stderr: ${exit.stderr}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A TCP port free right now on 127.0.0.1 (bound and released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something can listen on 127.0.0.1:`port` now (nothing else holds it). */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** One worker child process. */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<WorkerExit>;
  private out = '';
  private err = '';
  private exit: WorkerExit | null = null;
  /** `http://host:port` once the worker has logged that it started. */
  private base: string | null = null;

  constructor(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    this.child = spawn(process.execPath, [BIN, 'standalone', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.out += s));
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.err += s));
    this.exited = new Promise<WorkerExit>((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        this.exit = { code, signal, stdout: this.out, stderr: this.err };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  /** How it ended; null while it runs. */
  get exitInfo(): WorkerExit | null {
    return this.exit;
  }

  /** The parsed JSON log lines printed so far (non-JSON lines are skipped). */
  logLines(): { name?: string; msg?: string; level?: number; [k: string]: unknown }[] {
    const lines = [];
    for (const l of this.out.split('\n')) {
      if (!l.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(l));
      } catch {
        // a line still being written
      }
    }
    return lines;
  }

  /** The REST base URL; throws before the worker has started. */
  get url(): string {
    if (this.base === null) throw new Error('the worker has not started yet');
    return this.base;
  }

  /** Waits (bounded) for the "started: REST API on …" log line; returns the REST base URL. */
  async started(timeoutMs = 30_000): Promise<string> {
    await waitFor('the worker to log that it started', () => STARTED.test(this.out), { timeoutMs, worker: this });
    this.base = STARTED.exec(this.out)![2]!;
    return this.base;
  }

  /** One REST call; the body (if any) is sent as JSON. */
  async request(method: string, path: string, body?: unknown): Promise<RestAnswer> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const res = await fetch(this.url + path, init);
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }

  /** A GET that must answer 200; returns the parsed body. */
  async get(path: string): Promise<any> {
    const a = await this.request('GET', path);
    if (a.status !== 200) throw new Error(`GET ${path} answered ${a.status}: ${a.text}`);
    return a.json;
  }

  /** SIGTERM (graceful stop); resolves with the exit once the process has ended (bounded). */
  async stop(timeoutMs = 60_000): Promise<WorkerExit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    return this.waitExit(timeoutMs, 'to stop after SIGTERM');
  }

  /** SIGKILL; resolves once the process has ended. */
  async kill(): Promise<WorkerExit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGKILL');
    return this.waitExit(30_000, 'to die after SIGKILL');
  }

  /** Waits (bounded) for the process to end by itself. */
  async waitExit(timeoutMs = 30_000, what = 'to exit'): Promise<WorkerExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`worker ${this.pid} did not manage ${what} within ${timeoutMs} ms; stderr: ${this.err}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Registers an afterEach hook that SIGKILLs (and waits for) every worker started during the test
 * and still running. Register it after `useTempDirs` so workers die before their directories go.
 */
export function useWorkers(): {
  /** Spawns a worker (no waiting). */
  spawn(args: readonly string[], env?: Readonly<Record<string, string>>): WorkerProcess;
  /** Spawns a worker and waits for its REST API. */
  start(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<WorkerProcess>;
} {
  const live: WorkerProcess[] = [];
  afterEach(async () => {
    const all = live.splice(0);
    await Promise.all(all.map((w) => w.kill()));
  });
  const spawnWorker = (args: readonly string[], env?: Readonly<Record<string, string>>): WorkerProcess => {
    const w = new WorkerProcess(args, env);
    live.push(w);
    return w;
  };
  return {
    spawn: spawnWorker,
    async start(args, env) {
      const w = spawnWorker(args, env);
      await w.started();
      return w;
    },
  };
}

/** Writes a worker `.properties` file for a test worker (127.0.0.1, any free port, string converters). */
export async function writeWorkerProperties(dir: string, dataDir: string, extra: Readonly<Record<string, string>> = {}): Promise<string> {
  const props: Record<string, string> = {
    'data.dir': dataDir,
    'log.flush': 'fsync',
    'rest.host': '127.0.0.1',
    'rest.port': '0',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'offset.flush.interval.ms': '500',
    ...extra,
  };
  const path = join(dir, 'worker.properties');
  await writeFile(path, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return path;
}

/** Writes a connector file in the `POST /connectors` shape; returns its path. */
export async function writeConnectorFile(dir: string, name: string, config: Readonly<Record<string, string>>, initialState?: string): Promise<string> {
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify({ name, config, ...(initialState ? { initial_state: initialState } : {}) }, null, 2));
  return path;
}
