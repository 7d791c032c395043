/**
 * Runs the built CLI (`node bin/tributary.js`) as a child process, and snapshots data directories so
 * tests can prove a command left one untouched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(REPO_ROOT, 'bin', 'tributary.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  readonly done: Promise<CliResult>;
}

/** Starts the CLI; `input` (if given) is written to its stdin, which is then closed unless `keepStdinOpen`. */
export function startCli(args: readonly string[], input?: string | Buffer, opts: { keepStdinOpen?: boolean } = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  child.stdin!.on('error', () => {}); // the CLI may exit without reading its input
  if (opts.keepStdinOpen) child.stdin!.write(input ?? '');
  else child.stdin!.end(input ?? '');
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout: out, stderr: err }));
  });
  return { child, stdout: () => out, done };
}

/** At most this many short-lived CLI processes at once, however many tests run concurrently. */
const MAX_RUNNING = Math.max(2, availableParallelism() + 1);
let running = 0;
const queue: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolveSlot) => queue.push(resolveSlot));
  running++;
  return () => {
    running--;
    queue.shift()?.();
  };
}

/** Runs the CLI to its end. */
export async function runCli(args: readonly string[], input?: string | Buffer): Promise<CliResult> {
  const release = await slot();
  try {
    return await startCli(args, input).done;
  } finally {
    release();
  }
}

/** Resolves once `predicate` holds for the running CLI's stdout (checked as data arrives). */
export function waitForStdout(cli: RunningCli, predicate: (stdout: string) => boolean): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const check = (): void => {
      if (predicate(cli.stdout())) {
        cli.child.stdout!.off('data', check);
        resolvePromise();
      }
    };
    cli.child.stdout!.on('data', check);
    void cli.done.then((r) => reject(new Error(`CLI exited (${r.code}) before its output matched: ${r.stderr}`)));
    check();
  });
}

/** Polls (every 20 ms) until `predicate` holds; for conditions only visible in the file system. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await predicate())) await new Promise((r) => setTimeout(r, 20));
}

export async function makeTempDir(prefix = 'tributary-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Every entry under `dir` (relative path → `dir` or `<size>:<sha1>`); null when `dir` does not exist. */
export async function snapshotDir(dir: string): Promise<Record<string, string> | null> {
  try {
    await stat(dir);
  } catch {
    return null;
  }
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out[path] = 'dir';
        await walk(path);
      } else {
        const data = await readFile(join(dir, path));
        out[path] = `${data.length}:${createHash('sha1').update(data).digest('hex')}`;
      }
    }
  };
  await walk('');
  return out;
}
