/** `GET /admin/loggers`, `GET /admin/loggers/{name}`, `PUT /admin/loggers/{name}?scope=worker|cluster`. */
import type { FastifyInstance } from 'fastify';
import { TributaryError } from '../../errors/codes.js';
import { parseLogLevel } from '../../runtime/logging.js';
import { badRequest, objectBody, queryString, type RouteContext } from '../request.js';

interface LoggerParams {
  Params: { logger: string };
}

/** Registers `/admin/loggers` over the worker's LoggerRegistry; an unknown level is 404, as in Kafka Connect. */
export function registerLoggerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { loggers } = ctx;

  app.get('/admin/loggers', async () => loggers.levels());

  app.get<LoggerParams>('/admin/loggers/:logger', async (req) => {
    const level = loggers.level(req.params.logger);
    if (!level) throw new TributaryError('NOT_FOUND', `Logger ${req.params.logger} not found.`);
    return level;
  });

  app.put<LoggerParams & { Querystring: { scope?: string } }>('/admin/loggers/:logger', async (req, reply) => {
    const levelString = objectBody(req.body)['level'];
    if (levelString === undefined || levelString === null) {
      throw badRequest("Desired 'level' parameter was not specified in request.");
    }
    // Kafka Connect answers 404 for a level it does not know.
    if (typeof levelString !== 'string' || parseLogLevel(levelString) === undefined) {
      throw new TributaryError('NOT_FOUND', `invalid log level '${String(levelString)}'.`);
    }
    const scope = (queryString(req.query.scope) ?? 'worker').toLowerCase();
    if (scope !== 'worker' && scope !== 'cluster') {
      ctx.log.warn({ scope }, "Invalid scope in request to adjust logging level; defaulting to 'worker'");
    }
    const affected = loggers.setLevel(req.params.logger, levelString);
    // One standalone worker is the whole cluster: a cluster-scope change is applied here, and answered
    // as Kafka Connect answers it (204, no body).
    if (scope === 'cluster') return reply.code(204).send();
    return affected;
  });
}
