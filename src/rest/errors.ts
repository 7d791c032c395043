/**
 * The one place errors become HTTP answers: every failure, whether thrown by a route, the herder,
 * fastify's body parsing or its router, is answered as Kafka Connect answers it,
 * `{"error_code":<status>,"message":"..."}` with `error_code` equal to the HTTP status.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { TributaryError } from '../errors/codes.js';

/** Kafka Connect's error entity. */
export interface ErrorBody {
  readonly error_code: number;
  readonly message: string;
}

/** What Jersey answers for a path no resource matches; also used for a non-numeric task id. */
export const ROUTE_NOT_FOUND = 'HTTP 404 Not Found';
const METHOD_NOT_ALLOWED = 'HTTP 405 Method Not Allowed';

/**
 * Maps any thrown value to its status and message: a TributaryError to its code's status, an error
 * carrying a 4xx/5xx `statusCode` (fastify's parser and router errors) to that status, anything else
 * to 500 with its message.
 */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof TributaryError) return { error_code: err.status, message: err.message };
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof status === 'number' && status >= 400 && status <= 599) return { error_code: status, message };
  return { error_code: 500, message: message || 'Internal server error' };
}

/** Sends `err` as an error entity (used by the error handler and fastify's `frameworkErrors`). */
export function sendError(reply: FastifyReply, err: unknown, log: Logger): FastifyReply {
  const body = toErrorBody(err);
  if (body.error_code >= 500) log.error({ err, url: reply.request.url, method: reply.request.method }, 'REST request failed');
  else log.debug({ status: body.error_code, url: reply.request.url, message: body.message }, 'REST request rejected');
  return reply.code(body.error_code).type('application/json; charset=utf-8').send(body);
}

interface KnownRoute {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/**
 * Installs the error handler and the not-found handler. Must be called before any route is added:
 * it records every route so that a known path asked with another method answers 405 (with `Allow`)
 * rather than fastify's 404.
 */
export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  const known = new Map<string, KnownRoute>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let entry = known.get(route.url);
    if (!entry) known.set(route.url, (entry = { pattern: compilePattern(route.url), methods: new Set() }));
    for (const m of methods) entry.methods.add(m.toUpperCase());
  });

  app.setErrorHandler((err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => sendError(reply, err, log));

  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    const path = normalisePath(req.url);
    const allowed = new Set<string>();
    for (const route of known.values()) if (route.pattern.test(path)) for (const m of route.methods) allowed.add(m);
    if (allowed.size === 0) return sendError(reply, new TributaryError('NOT_FOUND', ROUTE_NOT_FOUND), log);
    reply.header('allow', [...allowed].sort().join(', '));
    return sendError(reply, new TributaryError('METHOD_NOT_ALLOWED', METHOD_NOT_ALLOWED), log);
  });
}

/** `/connectors/:connector/status` → a regex over raw (still percent-encoded) paths. */
function compilePattern(url: string): RegExp {
  const segments = normalisePath(url)
    .split('/')
    .map((s) => (s.startsWith(':') ? '[^/]+' : s === '*' ? '.*' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}

/** Drops the query string and a trailing slash (routes ignore trailing slashes). */
function normalisePath(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
