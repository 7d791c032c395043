/** What every benchmark shares: settings from the environment, a scratch directory, the machine, medians. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A numeric setting from the environment (`fallback` when unset); throws when below `min`. */
export function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}=${raw}: expected a number ≥ ${min}`);
  return n;
}

/** The repository root: the nearest directory above this file holding package.json (works from dist/ or bench/). */
export function repoRoot(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Where a benchmark puts its files: `$<envVar>`, else `.bench-tmp` in the repository (git-ignored). */
export function benchDir(envVar: string): string {
  return process.env[envVar] || join(repoRoot(), '.bench-tmp');
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** CPU, memory, OS, Node and the filesystem holding `dir`, one line each. */
export function machine(dir: string): string[] {
  const cpus = os.cpus();
  const lines = [
    `cpu: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores`,
    `ram: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(os.freemem() / 2 ** 30).toFixed(1)} GiB free`,
    `os: ${os.type()} ${os.release()} ${os.arch()}; node ${process.version}`,
  ];
  try {
    const df = execFileSync('df', ['-T', dir], { encoding: 'utf8' }).trim().split('\n');
    const cols = df[df.length - 1]!.trim().split(/\s+/);
    lines.push(`filesystem: ${cols[0]} (${cols[1]}) mounted on ${cols[cols.length - 1]}; data dir ${dir}`);
  } catch {
    lines.push(`filesystem: unknown (df -T failed); data dir ${dir}`);
  }
  return lines;
}
