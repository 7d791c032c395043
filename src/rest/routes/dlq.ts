/**
 * `GET /connectors/{c}/dlq` and `POST /connectors/{c}/dlq/replay`: a connector's dead letter queue,
 * inspected and replayed (Tributary only; Kafka Connect has no such endpoints). Query and body
 * values are parsed here; their ranges are the herder's to check.
 */
import type { FastifyInstance } from 'fastify';
import type { DeadLetterQuery, DeadLetterReplayOptions } from '../../runtime/herder/herder.js';
import { badRequest, objectBody, queryString, type RouteContext } from '../request.js';

interface DlqRequest {
  Params: { connector: string };
  Querystring: Record<string, unknown>;
}

export function registerDlqRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { herder } = ctx;

  app.get<DlqRequest>('/connectors/:connector/dlq', async (req) => {
    const query: { -readonly [K in keyof DeadLetterQuery]: DeadLetterQuery[K] } = {};
    const limit = queryString(req.query['limit']);
    const from = queryString(req.query['from']);
    if (limit !== undefined) query.limit = integerParam('limit', limit);
    if (from !== undefined) query.from = integerParam('from', from);
    return ctx.call(() => herder.deadLetterQueue(req.params.connector, query));
  });

  app.post<DlqRequest>('/connectors/:connector/dlq/replay', async (req) => ctx.call(() => herder.replayDeadLetterQueue(req.params.connector, replayOptions(req.body))));
}

function integerParam(name: string, text: string): number {
  const n = /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`Query parameter ${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return n;
}

const REPLAY_FIELDS = ['limit', 'timeout_ms'];

/** The optional body `{"limit": N, "timeout_ms": T}`; no body means the defaults. */
function replayOptions(body: unknown): DeadLetterReplayOptions {
  if (body === undefined || body === null) return {};
  const obj = objectBody(body);
  const unknown = Object.keys(obj).filter((k) => !REPLAY_FIELDS.includes(k));
  if (unknown.length > 0) throw badRequest(`Unknown field(s) in replay request: ${unknown.join(', ')}; expected ${REPLAY_FIELDS.join(', ')}`);
  const out: { -readonly [K in keyof DeadLetterReplayOptions]: DeadLetterReplayOptions[K] } = {};
  const field = (key: string): number | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw badRequest(`${key} must be an integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const limit = field('limit');
  const timeoutMs = field('timeout_ms');
  if (limit !== undefined) out.limit = limit;
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  return out;
}
