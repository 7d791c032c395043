/** What every benchmark shares: the machine it ran on, and medians. */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

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
