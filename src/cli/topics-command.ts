/**
 * `tributary topics create|list|describe|delete|compact`, after kafka-topics.sh.
 */
import { Command } from 'commander';
import type { TopicDescription } from '../log/log.js';
import { parseTopicOverrides, validateTopicName } from '../log/embedded/topic-config.js';
import { flushOf, type CommandContext } from './command-context.js';
import { withLog } from './log-session.js';
import { collectConfig, dataDirOption, parsePartitionCount } from './options.js';

interface TopicOptions {
  readonly dataDir: string;
  readonly topic: string;
}

function isInternal(topic: string): boolean {
  return topic.startsWith('__');
}

/** Kafka-style description: one topic line, then one line per partition. */
export function formatDescription(d: TopicDescription): string {
  const configs = Object.entries(d.configs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  const lines = [`Topic: ${d.name}\tPartitionCount: ${d.partitions.length}\tConfigs: ${configs}`];
  for (const p of d.partitions) {
    lines.push(
      `\tTopic: ${d.name}\tPartition: ${p.partition}\tEarliestOffset: ${p.earliestOffset}\tLatestOffset: ${p.latestOffset}` +
        `\tSizeBytes: ${p.sizeBytes}\tSegments: ${p.segments}`,
    );
  }
  return lines.join('\n') + '\n';
}

export function topicsCommand(ctx: CommandContext): Command {
  const topics = new Command('topics').description('create, list, describe, delete and compact topics');
  const out = (text: string): void => void ctx.io.stdout.write(text);

  topics
    .command('create')
    .description('create a topic (creates the data directory when it is missing or empty)')
    .addOption(dataDirOption())
    .requiredOption('--topic <name>', 'topic name: 1-249 of a-z A-Z 0-9 . _ -')
    .option('--partitions <count>', 'number of partitions, 1 to 100000', parsePartitionCount, 1)
    .option('--config <key=value>', 'topic config override, repeatable (e.g. cleanup.policy=compact)', collectConfig)
    .action(async (opts: TopicOptions & { partitions: number; config?: Record<string, string> }, cmd: Command) => {
      // Validated before the directory is opened, so a refused create leaves nothing behind.
      validateTopicName(opts.topic);
      parseTopicOverrides(opts.config ?? {});
      await withLog({ dataDir: opts.dataDir, flush: flushOf(cmd), create: true, io: ctx.io }, (log) =>
        log.createTopic(opts.topic, { partitions: opts.partitions, configs: opts.config ?? {} }),
      );
      out(`Created topic ${opts.topic} with ${opts.partitions} partition${opts.partitions === 1 ? '' : 's'}.\n`);
    });

  topics
    .command('list')
    .description('print the topic names, one a line, sorted')
    .addOption(dataDirOption())
    .option('--exclude-internal', 'leave out internal topics (__consumer_offsets)')
    .action(async (opts: { dataDir: string; excludeInternal?: boolean }, cmd: Command) => {
      const names = await withLog({ dataDir: opts.dataDir, flush: flushOf(cmd), create: false, io: ctx.io }, (log) =>
        log.listTopics(),
      );
      out(names.filter((n) => !(opts.excludeInternal && isInternal(n))).map((n) => `${n}\n`).join(''));
    });

  topics
    .command('describe')
    .description('print partitions (earliest/latest offset, size, segments) and resolved configs')
    .addOption(dataDirOption())
    .option('--topic <name>', 'only this topic (default: all)')
    .option('--exclude-internal', 'leave out internal topics when describing all')
    .action(async (opts: { dataDir: string; topic?: string; excludeInternal?: boolean }, cmd: Command) => {
      const text = await withLog({ dataDir: opts.dataDir, flush: flushOf(cmd), create: false, io: ctx.io }, async (log) => {
        const names =
          opts.topic !== undefined
            ? [opts.topic]
            : (await log.listTopics()).filter((n) => !(opts.excludeInternal && isInternal(n)));
        const parts: string[] = [];
        for (const name of names) parts.push(formatDescription(await log.describeTopic(name)));
        return parts.join('');
      });
      out(text);
    });

  topics
    .command('delete')
    .description('delete a topic, its data and its committed group offsets')
    .addOption(dataDirOption())
    .requiredOption('--topic <name>', 'topic to delete')
    .action(async (opts: TopicOptions, cmd: Command) => {
      await withLog({ dataDir: opts.dataDir, flush: flushOf(cmd), create: false, io: ctx.io }, (log) =>
        log.deleteTopic(opts.topic),
      );
      out(`Deleted topic ${opts.topic}.\n`);
    });

  topics
    .command('compact')
    .description('compact every partition of a compacted topic now (closed segments only)')
    .addOption(dataDirOption())
    .requiredOption('--topic <name>', 'topic with cleanup.policy compact or compact,delete')
    .action(async (opts: TopicOptions, cmd: Command) => {
      const results = await withLog({ dataDir: opts.dataDir, flush: flushOf(cmd), create: false, io: ctx.io }, (log) =>
        log.compactTopic(opts.topic),
      );
      const lines = [`Compacted topic ${opts.topic}.`];
      results.forEach((r, partition) => {
        lines.push(
          `\tPartition: ${partition}\tSegmentsCleaned: ${r.segmentsCleaned}\tSegmentsWritten: ${r.segmentsWritten}` +
            `\tRecordsRemoved: ${r.recordsRemoved}\tBytesBefore: ${r.bytesBefore}\tBytesAfter: ${r.bytesAfter}`,
        );
      });
      out(lines.join('\n') + '\n');
    });

  return topics;
}
