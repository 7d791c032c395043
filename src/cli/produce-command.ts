/**
 * `tributary produce`, after kafka-console-producer: one record per stdin line.
 *
 * Decisions: an empty line is a record with an empty value (as in Kafka). With --key-separator, a
 * line lacking the separator is refused with an error naming its line number and is not appended;
 * the other lines still are, and the exit code is 1. On a compacted topic a keyless line is refused
 * the same way. The count of acknowledged records goes to stdout at the end. SIGINT/SIGTERM stop the
 * reading; what was read is still appended and the log closed, and the exit code is 130.
 */
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import type { FlushMode } from '../log/embedded/partition.js';
import { AppendBatcher, batchLimitsFor, type FailedAppend } from './append-batcher.js';
import { flushOf, type CommandContext } from './command-context.js';
import { warn } from './io.js';
import { PartitionChooser, recordFromLine } from './line-records.js';
import { requirePartition, withLog } from './log-session.js';
import { dataDirOption, parseNonEmpty, parsePartition } from './options.js';

/** 128 + SIGINT, as shells report an interrupted command. */
const EXIT_INTERRUPTED = 130;

interface ProduceOptions {
  readonly dataDir: string;
  readonly topic: string;
  readonly partition?: number;
  readonly keySeparator?: string;
}

const HELP_AFTER = `
Each stdin line becomes one record (UTF-8, without its line break; an empty line is an empty value).
With --key-separator S, a line is split at the first S into key and value; a line without S is
refused with an error naming its line number, the other lines are still appended, and the exit code
is 1. Without --partition a keyed record goes to murmur2(key) % partitions (Kafka's default
partitioner) and keyless records go round-robin. Records are appended in batches (up to 500 records
or 1 MiB per partition). At the end "<N> records acknowledged" is printed to stdout; the exit code is
non-zero when any line was refused or any append failed. On SIGINT/SIGTERM it stops reading, appends
the lines already read, prints the count and exits with 130.`;

function describeFailure(topic: string, f: FailedAppend): string {
  const lines = f.firstLine === f.lastLine ? `line ${f.firstLine}` : `lines ${f.firstLine} to ${f.lastLine}`;
  const why = f.error instanceof Error ? f.error.message : String(f.error);
  return `failed to append ${f.records} record${f.records === 1 ? '' : 's'} (${lines}) to ${topic}-${f.partition}: ${why}`;
}

export function produceCommand(ctx: CommandContext): Command {
  return new Command('produce')
    .description('append stdin lines as records to a topic')
    .addOption(dataDirOption())
    .requiredOption('--topic <name>', 'topic to append to')
    .option('--partition <number>', 'append every record to this partition', parsePartition)
    .option('--key-separator <separator>', 'split each line at the first separator into key and value', parseNonEmpty)
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: ProduceOptions, cmd: Command) => {
      // SIGINT/SIGTERM: stop reading, still append what was read, then close the log.
      const stop = new AbortController();
      const unsubscribe = ctx.io.onStopSignal(() => stop.abort());
      try {
        ctx.exitCode = await produce(ctx, opts, flushOf(cmd), stop.signal);
      } finally {
        unsubscribe();
      }
    });
}

async function produce(ctx: CommandContext, opts: ProduceOptions, flush: FlushMode, stop: AbortSignal): Promise<number> {
  return withLog({ dataDir: opts.dataDir, flush, create: false, io: ctx.io }, async (log) => {
    const topic = await log.describeTopic(opts.topic);
    if (opts.partition !== undefined) requirePartition(topic, opts.partition);
    const partitions = topic.partitions.length;
    const compacted = topic.configs['cleanup.policy'].includes('compact');
    const batcher = new AppendBatcher(log, opts.topic, batchLimitsFor(topic.configs['max.message.bytes']), (f) =>
      warn(ctx.io, describeFailure(opts.topic, f)),
    );
    const format = { topic: opts.topic, keySeparator: opts.keySeparator, compacted };
    const chooser = new PartitionChooser(partitions, opts.partition);
    let refused = 0;
    let lineNo = 0;
    const lines = createInterface({ input: ctx.io.stdin, crlfDelay: Infinity });
    let reading = true;
    const stopReading = (): void => {
      if (reading) lines.close();
      reading = false;
    };
    stop.addEventListener('abort', stopReading, { once: true });
    try {
      if (stop.aborted) stopReading();
      for await (const line of reading ? lines : []) {
        const parsed = recordFromLine(line, ++lineNo, format);
        if ('refused' in parsed) {
          refused++;
          warn(ctx.io, parsed.refused);
        } else {
          await batcher.add(chooser.choose(parsed.record), parsed.record, lineNo);
        }
      }
    } finally {
      stop.removeEventListener('abort', stopReading);
      stopReading();
    }
    await batcher.finish();
    ctx.io.stdout.write(`${batcher.acknowledged} records acknowledged\n`);
    if (refused > 0) warn(ctx.io, `${refused} line${refused === 1 ? ' was' : 's were'} refused`);
    if (stop.aborted) {
      warn(ctx.io, `interrupted after ${lineNo} line${lineNo === 1 ? '' : 's'}`);
      return EXIT_INTERRUPTED;
    }
    return refused > 0 || batcher.failed > 0 ? 1 : 0;
  });
}
