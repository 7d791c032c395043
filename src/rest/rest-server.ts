/**
 * Tributary's REST API: Kafka Connect's paths, bodies, statuses and error entity, over fastify,
 * driving a `Herder`. Requests run concurrently; the REST layer never serialises them.
 */
import type { AddressInfo } from 'node:net';
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { TributaryError } from '../errors/codes.js';
import type { Herder } from '../runtime/herder/herder.js';
import type { LoggerRegistry } from '../runtime/logging.js';
import { installErrorHandling, sendError } from './errors.js';
import { timeoutCaller, type RouteContext } from './request.js';
import { registerConnectorRoutes } from './routes/connectors.js';
import { registerDlqRoutes } from './routes/dlq.js';
import { registerLoggerRoutes } from './routes/loggers.js';
import { registerOffsetRoutes } from './routes/offsets.js';
import { registerPluginRoutes } from './routes/plugins.js';
import { registerRootRoutes } from './routes/root.js';
import { registerTaskRoutes } from './routes/tasks.js';
import { registerTopicRoutes } from './routes/topics.js';

/** Kafka Connect's request timeout (`RestServer`), hard-coded there at 90 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 90_000;
/** Largest request body accepted; larger ones are answered 413. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface RestServerOptions {
  /** What the routes drive. */
  readonly herder: Herder;
  /** Read and changed by `/admin/loggers`. */
  readonly loggers: LoggerRegistry;
  /** Listener address, e.g. `0.0.0.0`; tests use `127.0.0.1`. */
  readonly host: string;
  /** Listener port; 0 picks a free one (see `listen()`'s result). */
  readonly port: number;
  /** The REST layer's own logger; default `loggers.logger('tributary.rest')`. */
  readonly logger?: Logger;
  /** `GET /` `version`. */
  readonly version: string;
  /** `GET /` `commit`; default `unknown`. */
  readonly commit?: string;
  /** `GET /` `kafka_cluster_id`; default null. */
  readonly clusterId?: string;
  /** A herder call taking longer is answered 500 "Request timed out"; default 90 000. */
  readonly requestTimeoutMs?: number;
  /** Request body limit in bytes; default 1 MiB. */
  readonly bodyLimit?: number;
}

export interface RestServer {
  /** Starts listening; resolves to the bound address (the real port when `port` was 0). */
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting requests and closes idle connections; resolves when in-flight requests are done. */
  close(): Promise<void>;
  /** The fastify instance (for `inject` in tests and for extensions). */
  readonly app: FastifyInstance;
}

/**
 * Builds the REST server. Routes, one file per resource group under `routes/`, follow Kafka Connect
 * path for path; every error is answered `{"error_code","message"}` by `errors.ts`.
 *
 * @example
 * ```ts
 * const rest = createRestServer({ herder, loggers, host: '0.0.0.0', port: 8083, version: '0.1.0' });
 * const { port } = await rest.listen();
 * // ... on shutdown
 * await rest.close();
 * ```
 */
export function createRestServer(options: RestServerOptions): RestServer {
  const log = options.logger ?? options.loggers.logger('tributary.rest');
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = fastify({
    logger: false,
    bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    frameworkErrors: (err: Error, _req: FastifyRequest, reply: FastifyReply) => sendError(reply, err, log),
  });

  installErrorHandling(app, log);
  installJsonParser(app);
  app.addHook('onResponse', async (req, reply) => {
    log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'REST request');
  });

  const ctx: RouteContext = {
    herder: options.herder,
    loggers: options.loggers,
    log,
    server: { version: options.version, commit: options.commit ?? 'unknown', kafka_cluster_id: options.clusterId ?? null },
    call: timeoutCaller(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
  };
  registerRootRoutes(app, ctx);
  registerConnectorRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerOffsetRoutes(app, ctx);
  registerDlqRoutes(app, ctx);
  registerTopicRoutes(app, ctx);
  registerPluginRoutes(app, ctx);
  registerLoggerRoutes(app, ctx);

  return {
    app,
    async listen() {
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address() as AddressInfo;
      log.info({ host: address.address, port: address.port }, 'REST server listening');
      return { host: address.address, port: address.port };
    },
    async close() {
      await app.close();
    },
  };
}

/**
 * JSON only (Kafka Connect's resources `@Consumes` JSON; other media types get fastify's 415). An empty
 * body is no body, so `PUT .../pause` with a JSON content type and nothing else works. A malformed body
 * is a 400 naming the problem; `__proto__` keys are refused.
 */
function installJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim().length === 0) return done(null, undefined);
    try {
      done(
        null,
        JSON.parse(text, (key, value: unknown) => {
          if (key === '__proto__') throw new SyntaxError('"__proto__" is not allowed as a key');
          return value;
        }),
      );
    } catch (err) {
      done(new TributaryError('BAD_REQUEST', `Malformed JSON in request body: ${(err as Error).message}`), undefined);
    }
  });
}
