/** `GET /` (server info) and `GET /health`. */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../request.js';

const HEALTH_STATUS = { healthy: 200, starting: 503, unhealthy: 500 } as const;

/** Registers `GET /` and `GET /health` (200 healthy, 503 starting, 500 unhealthy). */
export function registerRootRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/', async () => ctx.server);

  app.get('/health', async (_req, reply) => {
    const health = ctx.herder.health();
    return reply.code(HEALTH_STATUS[health.status] ?? 500).send({ status: health.status, message: health.message });
  });
}
