/** `GET /connectors/{c}/topics` and `PUT /connectors/{c}/topics/reset`. */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../request.js';

interface ConnectorParams {
  Params: { connector: string };
}

/** Registers the active-topics routes. */
export function registerTopicRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { herder } = ctx;

  app.get<ConnectorParams>('/connectors/:connector/topics', async (req) =>
    ctx.call(() => herder.connectorActiveTopics(req.params.connector)),
  );

  app.put<ConnectorParams>('/connectors/:connector/topics/reset', async (req, reply) => {
    await ctx.call(() => herder.resetConnectorActiveTopics(req.params.connector));
    return reply.code(202).send();
  });
}
