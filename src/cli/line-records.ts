/**
 * How the console producer turns stdin lines into records and picks their partitions.
 */
import type { LogRecord } from '../log/log.js';
import { partitionForKey } from '../log/partitioner.js';

export interface LineFormat {
  readonly topic: string;
  /** Splits key from value at its first occurrence; undefined = every line is a keyless value. */
  readonly keySeparator?: string;
  /** Whether the topic is compacted (every record needs a key). */
  readonly compacted: boolean;
}

export type ParsedLine = { readonly record: LogRecord } | { readonly refused: string };

/** The record for one input line, or why the line is refused. */
export function recordFromLine(line: string, lineNo: number, f: LineFormat): ParsedLine {
  if (f.keySeparator === undefined) {
    if (f.compacted) {
      return { refused: `line ${lineNo}: topic ${f.topic} is compacted and needs keys (use --key-separator); line not appended` };
    }
    return { record: { key: null, value: Buffer.from(line, 'utf8') } };
  }
  const at = line.indexOf(f.keySeparator);
  if (at < 0) return { refused: `line ${lineNo}: no key separator '${f.keySeparator}' found; line not appended` };
  return {
    record: {
      key: Buffer.from(line.slice(0, at), 'utf8'),
      value: Buffer.from(line.slice(at + f.keySeparator.length), 'utf8'),
    },
  };
}

/**
 * Kafka's choice without an explicit partition: murmur2 of the key, or round-robin for keyless
 * records (starting at partition 0). With `fixed`, every record goes there.
 */
export class PartitionChooser {
  private nextKeyless = 0;

  constructor(
    private readonly partitions: number,
    private readonly fixed?: number,
  ) {}

  choose(record: LogRecord): number {
    if (this.fixed !== undefined) return this.fixed;
    if (record.key !== null) return partitionForKey(record.key, this.partitions);
    const p = this.nextKeyless;
    this.nextKeyless = (p + 1) % this.partitions;
    return p;
  }
}
