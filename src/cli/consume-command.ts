/**
 * `tributary consume`, after kafka-console-consumer: prints records of a topic, one a line.
 */
import { Command } from 'commander';
import { TributaryError } from '../errors/codes.js';
import type { EmbeddedLog } from '../log/embedded/embedded-log.js';
import { flushOf, type CommandContext } from './command-context.js';
import { consumeLoop, type Position } from './consume-loop.js';
import { OutputWriter } from './io.js';
import { requirePartition, withLog } from './log-session.js';
import { dataDirOption, parseNonNegative, parseOffset, parsePartition, parsePositive, type OffsetSpec } from './options.js';

interface ConsumeOptions {
  readonly dataDir: string;
  readonly topic: string;
  readonly partition?: number;
  readonly fromBeginning?: boolean;
  readonly offset?: OffsetSpec;
  readonly maxMessages?: number;
  readonly timeoutMs?: number;
  readonly printKey?: boolean;
  readonly printOffset?: boolean;
  readonly printPartition?: boolean;
  readonly group?: string;
}

const HELP_AFTER = `
Output: one record a line, fields separated by a TAB, in this order:
  [partition]  with --print-partition
  [offset]     with --print-offset
  [key]        with --print-key
  value
A null key or value prints as "null". Records of one partition come in offset order; partitions
are interleaved. At the end "Processed a total of <N> messages" is printed to stderr.

Start: --offset (needs --partition), else the group's committed offset (--group), else the earliest
offset with --from-beginning, else the latest offset (only new records), as in Kafka.
Stop: after --max-messages records, or when no record arrived for --timeout-ms; without either it
follows until SIGINT/SIGTERM. With --group the next offsets are committed for the group at the end.`;

async function startPositions(log: EmbeddedLog, opts: ConsumeOptions): Promise<Position[]> {
  const topic = await log.describeTopic(opts.topic);
  if (opts.partition !== undefined) requirePartition(topic, opts.partition);
  const chosen = topic.partitions.filter((p) => opts.partition === undefined || p.partition === opts.partition);
  const committed =
    opts.group === undefined
      ? []
      : await log.fetchOffsets(
          opts.group,
          chosen.map((p) => ({ topic: opts.topic, partition: p.partition })),
        );
  return chosen.map((p) => {
    const range = `earliest ${p.earliestOffset}, latest ${p.latestOffset}`;
    if (opts.offset !== undefined) {
      if (opts.offset === 'earliest') return { partition: p.partition, offset: p.earliestOffset };
      if (opts.offset === 'latest') return { partition: p.partition, offset: p.latestOffset };
      if (opts.offset < p.earliestOffset || opts.offset > p.latestOffset) {
        throw new TributaryError('OFFSET_OUT_OF_RANGE', `offset ${opts.offset} is out of range for ${opts.topic}-${p.partition} (${range})`);
      }
      return { partition: p.partition, offset: opts.offset };
    }
    // A committed offset no longer in range falls back to the reset policy, like auto.offset.reset.
    const c = committed.find((o) => o.partition === p.partition);
    if (c && c.offset >= p.earliestOffset && c.offset <= p.latestOffset) return { partition: p.partition, offset: c.offset };
    return { partition: p.partition, offset: opts.fromBeginning ? p.earliestOffset : p.latestOffset };
  });
}

export function consumeCommand(ctx: CommandContext): Command {
  return new Command('consume')
    .description('print the records of a topic to stdout')
    .addOption(dataDirOption())
    .requiredOption('--topic <name>', 'topic to read')
    .option('--partition <number>', 'read only this partition (default: all)', parsePartition)
    .option('--from-beginning', 'start at the earliest offset instead of the latest')
    .option('--offset <offset>', "start offset in --partition: an offset, 'earliest' or 'latest'", parseOffset)
    .option('--max-messages <count>', 'stop after this many records', parsePositive)
    .option('--timeout-ms <ms>', 'stop when no record arrived for this long', parseNonNegative)
    .option('--print-partition', 'print the partition before each record')
    .option('--print-offset', 'print the offset before each record')
    .option('--print-key', 'print the key before each value')
    .option('--group <group>', 'start at and commit to this consumer group\'s offsets')
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: ConsumeOptions, cmd: Command) => {
      if (opts.offset !== undefined && opts.partition === undefined) cmd.error('error: --offset needs --partition', { exitCode: 2 });
      if (opts.offset !== undefined && opts.fromBeginning) {
        cmd.error('error: --offset and --from-beginning cannot be used together', { exitCode: 2 });
      }
      const out = new OutputWriter(ctx.io.stdout);
      const stop = new AbortController();
      const unsubscribe = ctx.io.onStopSignal(() => stop.abort());
      try {
        const printed = await withLog({ dataDir: opts.dataDir, flush: flushOf(cmd), create: false, io: ctx.io }, async (log) => {
          const positions = await startPositions(log, opts);
          const n = await consumeLoop(log, out, {
            topic: opts.topic,
            positions,
            format: { printPartition: !!opts.printPartition, printOffset: !!opts.printOffset, printKey: !!opts.printKey },
            maxMessages: opts.maxMessages,
            timeoutMs: opts.timeoutMs,
            stop: stop.signal,
          });
          if (opts.group !== undefined) {
            await log.commitOffsets(
              opts.group,
              positions.map((p) => ({ topic: opts.topic, partition: p.partition, offset: p.offset })),
            );
          }
          return n;
        });
        ctx.io.stderr.write(`Processed a total of ${printed} messages\n`);
      } finally {
        unsubscribe();
      }
    });
}
