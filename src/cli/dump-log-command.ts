/**
 * `tributary dump-log`, after kafka-dump-log.sh: prints every batch of every segment of one
 * partition. Works on the files alone — no EmbeddedLog, no lock, no recovery, nothing written — so it
 * can inspect a damaged directory or one another process has open.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { TributaryError } from '../errors/codes.js';
import { codecName, decodeBatch, lastOffsetOf } from '../log/codec/record-batch.js';
import { validateTopicName } from '../log/embedded/topic-config.js';
import type { CommandContext } from './command-context.js';
import { OutputWriter } from './io.js';
import { dataDirOption, parsePartition } from './options.js';
import { walkSegment, type WalkedBatch } from './segment-walker.js';

interface DumpLogOptions {
  readonly dataDir: string;
  readonly topic: string;
  readonly partition: number;
  readonly printRecords?: boolean;
}

const HELP_AFTER = `
For each segment file (<20-digit base offset>.log) prints one line per batch:
  baseOffset lastOffset count position size magic compresscodec maxTimestamp crc crcValid isValid
(isValid false adds the reason). --print-records adds one "| offset: ..." line per record. Bytes at
the end of a file that do not frame a whole batch are reported as a torn or corrupt tail. The exit code is 0
even when damage is found; the output says where.`;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new TributaryError('DATA_DIR_INVALID', `${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/** The partition directory, checked step by step so the error names what is missing. */
async function partitionDir(opts: DumpLogOptions): Promise<string> {
  validateTopicName(opts.topic);
  const dataDir = resolve(opts.dataDir);
  if (!(await isDirectory(dataDir))) {
    throw new TributaryError('DATA_DIR_INVALID', `data directory ${dataDir} does not exist or is not a directory`);
  }
  const topicDir = join(dataDir, 'topics', opts.topic);
  if (!(await isDirectory(topicDir))) {
    throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic '${opts.topic}' (no directory ${topicDir})`);
  }
  const dir = join(topicDir, String(opts.partition));
  if (!(await isDirectory(dir))) {
    throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${opts.topic}' has no partition ${opts.partition} (no directory ${dir})`);
  }
  return dir;
}

function text(b: Buffer | null): string {
  return b === null ? 'null' : b.toString('utf8');
}

function formatBatch(b: WalkedBatch): string {
  const h = b.header;
  return (
    `baseOffset: ${h.baseOffset} lastOffset: ${lastOffsetOf(h)} count: ${h.recordsCount} position: ${b.position} ` +
    `size: ${b.size} magic: ${h.magic} compresscodec: ${codecName(h.attributes)} maxTimestamp: ${h.maxTimestamp} ` +
    `crc: ${h.crc} crcValid: ${b.crcValid} isValid: ${b.problem === null}` +
    (b.problem === null ? '' : ` problem: ${b.problem}`) +
    '\n'
  );
}

function formatRecords(b: WalkedBatch): string {
  try {
    return decodeBatch(b.bytes, 0, b.header)
      .map(
        (r) =>
          `| offset: ${r.offset} timestamp: ${r.timestamp} keySize: ${r.key?.length ?? -1} valueSize: ${r.value?.length ?? -1} ` +
          `headerKeys: [${r.headers.map((x) => x.key).join(',')}] key: ${text(r.key)} payload: ${text(r.value)}\n`,
      )
      .join('');
  } catch (err) {
    return `| records cannot be decoded: ${(err as Error).message}\n`;
  }
}

async function dumpSegment(out: OutputWriter, path: string, baseOffset: number, printRecords: boolean): Promise<void> {
  await out.write(`Dumping ${path}\nStarting offset: ${baseOffset}\n`);
  let batches = 0;
  let invalid = 0;
  let tailNote = '';
  for await (const entry of walkSegment(path, baseOffset)) {
    if (entry.kind === 'tail') {
      await out.write(`Torn or corrupt tail at position ${entry.position} (${entry.bytes} bytes): ${entry.problem}\n`);
      tailNote = `, torn or corrupt tail of ${entry.bytes} bytes at position ${entry.position}`;
      continue;
    }
    batches++;
    if (entry.problem !== null) invalid++;
    await out.write(formatBatch(entry) + (printRecords ? formatRecords(entry) : ''));
  }
  await out.write(`Summary: ${batches} batch${batches === 1 ? '' : 'es'}, ${invalid} invalid${tailNote}\n`);
}

export function dumpLogCommand(ctx: CommandContext): Command {
  return new Command('dump-log')
    .description('print the batches of a partition\'s segment files (read-only; no lock, no recovery)')
    .addOption(dataDirOption())
    .requiredOption('--topic <name>', 'topic of the partition')
    .requiredOption('--partition <number>', 'partition to dump', parsePartition)
    .option('--print-records', 'also print every record of every batch')
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: DumpLogOptions) => {
      const dir = await partitionDir(opts);
      const segments = (await readdir(dir))
        .filter((n) => /^\d{20}\.log$/.test(n))
        .sort()
        .map((n) => ({ path: join(dir, n), baseOffset: Number(n.slice(0, 20)) }));
      const out = new OutputWriter(ctx.io.stdout);
      if (segments.length === 0) await out.write(`No segment files in ${dir}\n`);
      for (const s of segments) {
        if (out.closed) break;
        await dumpSegment(out, s.path, s.baseOffset, !!opts.printRecords);
      }
    });
}
