/** What every command gets from `main`: the process I/O and a place to put its exit code. */
import type { Command } from 'commander';
import type { FlushMode } from '../log/embedded/partition.js';
import type { CliIo } from './io.js';

export interface CommandContext {
  readonly io: CliIo;
  /** Exit code the command asks for; 0 unless it sets one. */
  exitCode: number;
}

/** The global `--flush` mode, given before or after the subcommand. */
export function flushOf(cmd: Command): FlushMode {
  return (cmd.optsWithGlobals() as { flush: FlushMode }).flush;
}
