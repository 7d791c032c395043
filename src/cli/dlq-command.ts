/**
 * `tributary dlq show|replay <connector>`: a small client of a running worker's REST API
 * (`GET /connectors/{c}/dlq`, `POST /connectors/{c}/dlq/replay`). Default output is one line per
 * record; `--json` prints the worker's answer as it is. A worker that cannot be reached or answers
 * with an error is one error line (exit 1).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { DeadLetterQueuePage, DeadLetterRecord, DeadLetterReplayResult, ReplayedRecord } from '../runtime/herder/herder.js';
import type { CommandContext } from './command-context.js';
import { parseNonNegative, parsePositive } from './options.js';

const DEFAULT_URL = 'http://localhost:8083';

function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://localhost:8083.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http or https URL.');
  return url.href.replace(/\/+$/, '');
}

function urlOption(): Option {
  return new Option('--url <url>', "the worker's REST API").argParser(parseUrl).default(DEFAULT_URL);
}

/** Calls the worker; resolves to the parsed JSON answer, or throws one-line errors. */
async function call(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach the worker at ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const message = (json as { message?: unknown } | undefined)?.message;
    throw new Error(`${typeof message === 'string' ? message : text.trim() || res.statusText} (HTTP ${res.status})`);
  }
  if (json === undefined) throw new Error(`the worker at ${base} answered ${method} ${path} with something other than JSON`);
  return json;
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();

function origin(r: DeadLetterRecord): string {
  const e = r.error;
  if (e === null) return 'unknown';
  if (e.topic === null) return `source task ${e.connector}-${e.task}`;
  return `${e.topic}-${e.partition ?? '?'}@${e.offset ?? '?'}`;
}

/** One line per record: offset, stage, exception, message, origin. */
export function formatPage(page: DeadLetterQueuePage): string {
  const lines = [
    `Topic: ${page.dlq_topic}\tStartOffset: ${page.start_offset}\tEndOffset: ${page.end_offset}\tReplayedThrough: ${page.replayed_through}` +
      `\tUnreplayed: ${page.unreplayed.count}${page.unreplayed.exact ? '' : '+'}`,
  ];
  for (const r of page.records) {
    const e = r.error;
    lines.push(
      `Offset: ${r.offset}\tStage: ${e?.stage ?? '-'}\tException: ${e?.exception_class || '-'}\tMessage: ${oneLine(e?.message ?? '')}` +
        `\tOrigin: ${origin(r)}${r.replayed ? '\tReplayed' : ''}`,
    );
  }
  if (page.next_offset < page.end_offset) lines.push(`More from offset ${page.next_offset} (--from ${page.next_offset}).`);
  return lines.join('\n') + '\n';
}

function formatOutcome(r: ReplayedRecord): string {
  const parts = [`DlqOffset: ${r.dlq_offset}`, `Status: ${r.status}`];
  if (r.topic !== undefined && r.partition !== undefined) parts.push(`To: ${r.topic}-${r.partition}${r.offset !== undefined ? `@${r.offset}` : ''}`);
  if (r.filtered) parts.push('Filtered: dropped by a transformation');
  if (r.new_dlq_offset !== undefined) parts.push(`NewDlqOffset: ${r.new_dlq_offset}`);
  if (r.error) parts.push(`Error: ${r.error.stage} ${r.error.exception_class}: ${oneLine(r.error.message)}`);
  if (r.reason !== undefined) parts.push(`Reason: ${oneLine(r.reason)}`);
  return parts.join('\t');
}

export function formatReplay(r: DeadLetterReplayResult): string {
  const lines = [
    `Replayed ${r.replayed} record(s) of connector ${r.connector} from ${r.dlq_topic}: ${r.succeeded} succeeded, ${r.failed} failed, ` +
      `${r.pending} pending, ${r.skipped} skipped; replayed through offset ${r.replayed_through}.`,
    ...r.records.map(formatOutcome),
  ];
  return lines.join('\n') + '\n';
}

interface CommonOptions {
  readonly url: string;
  readonly limit?: number;
  readonly json?: boolean;
}

export function dlqCommand(ctx: CommandContext): Command {
  const dlq = new Command('dlq').description("inspect and replay a connector's dead letter queue on a running worker");
  const out = (text: string): void => void ctx.io.stdout.write(text);
  const path = (connector: string, rest: string): string => `/connectors/${encodeURIComponent(connector)}/dlq${rest}`;

  dlq
    .command('show')
    .description("print the connector's dead-lettered records with their errors, from the replay cursor on")
    .argument('<connector>', 'connector name')
    .addOption(urlOption())
    .option('--limit <n>', 'records to print, 1 to 1000 (default 100)', parsePositive)
    .option('--from <offset>', 'DLQ offset to start at (default: the replay cursor)', parseNonNegative)
    .option('--json', "print the worker's JSON answer")
    .action(async (connector: string, opts: CommonOptions & { from?: number }) => {
      const q = new URLSearchParams();
      if (opts.limit !== undefined) q.set('limit', String(opts.limit));
      if (opts.from !== undefined) q.set('from', String(opts.from));
      const query = q.toString() ? `?${q.toString()}` : '';
      const page = (await call(opts.url, 'GET', path(connector, query))) as DeadLetterQueuePage;
      out(opts.json ? `${JSON.stringify(page, null, 2)}\n` : formatPage(page));
    });

  dlq
    .command('replay')
    .description("send the connector's not-yet-replayed dead-lettered records through it again, with its current config")
    .argument('<connector>', 'connector name')
    .addOption(urlOption())
    .option('--limit <n>', 'records to replay at most, 1 to 10000 (default 1000)', parsePositive)
    .option('--timeout-ms <ms>', 'sinks: how long to wait for the sink to commit the replayed records (default 30000)', parseNonNegative)
    .option('--json', "print the worker's JSON answer")
    .action(async (connector: string, opts: CommonOptions & { timeoutMs?: number }) => {
      const body: Record<string, number> = {};
      if (opts.limit !== undefined) body['limit'] = opts.limit;
      if (opts.timeoutMs !== undefined) body['timeout_ms'] = opts.timeoutMs;
      const result = (await call(opts.url, 'POST', path(connector, '/replay'), body)) as DeadLetterReplayResult;
      out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatReplay(result));
    });

  return dlq;
}
