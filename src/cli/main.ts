/**
 * The `tributary` command line: builds the commander program and turns every outcome into an exit
 * code. Errors are one stderr line, `tributary: <message>`: exit 2 for usage errors (commander's
 * own, and option values that do not parse), 1 for everything found at run time.
 */
import { Command, CommanderError } from 'commander';
import type { CommandContext } from './command-context.js';
import { consumeCommand } from './consume-command.js';
import { dlqCommand } from './dlq-command.js';
import { dumpLogCommand } from './dump-log-command.js';
import { processIo, warn, type CliIo } from './io.js';
import { flushOption } from './options.js';
import { produceCommand } from './produce-command.js';
import { standaloneCommand } from './standalone-command.js';
import { topicsCommand } from './topics-command.js';
import { packageVersion } from './version.js';

const EXIT_RUNTIME = 1;
const EXIT_USAGE = 2;

/** Makes every command report errors by throwing (no process.exit) and print nothing on its own. */
function quiet(cmd: Command, io: CliIo): void {
  cmd.exitOverride();
  cmd.configureOutput({
    writeOut: (s) => void io.stdout.write(s),
    // Errors are reported by `main` in one line; help shown for a missing subcommand is dropped too.
    writeErr: () => {},
  });
  cmd.configureHelp({ showGlobalOptions: true });
  for (const sub of cmd.commands) quiet(sub, io);
}

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('tributary')
    .description('Tributary: a Kafka Connect-style worker with an embedded partitioned log')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(flushOption())
    .addCommand(topicsCommand(ctx))
    .addCommand(produceCommand(ctx))
    .addCommand(consumeCommand(ctx))
    .addCommand(dumpLogCommand(ctx))
    .addCommand(standaloneCommand(ctx))
    .addCommand(dlqCommand(ctx));
  quiet(program, ctx.io);
  return program;
}

function usageMessage(err: CommanderError): string {
  if (err.code === 'commander.help') {
    return 'a command is missing; run with --help to see the commands';
  }
  return err.message.replace(/^error:\s*/, '');
}

/** Runs the CLI on `argv` (as in process.argv: node, script, arguments...); resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const ctx: CommandContext = { io, exitCode: 0 };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'node' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help, --version
      warn(io, usageMessage(err));
      return EXIT_USAGE;
    }
    warn(io, err instanceof Error ? err.message : String(err));
    return EXIT_RUNTIME;
  }
}
