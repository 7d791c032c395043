/** `GET /connector-plugins`, `GET /connector-plugins/{p}/config`, `PUT /connector-plugins/{p}/config/validate`. */
import type { FastifyInstance } from 'fastify';
import { configMap, queryBoolean, type RouteContext } from '../request.js';

interface PluginParams {
  Params: { plugin: string };
}

/** Registers the plugin routes; `connectorsOnly` defaults to true. */
export function registerPluginRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { herder } = ctx;

  app.get<{ Querystring: { connectorsOnly?: string } }>('/connector-plugins', async (req) =>
    herder.plugins(queryBoolean(req.query.connectorsOnly, true)),
  );

  app.get<PluginParams>('/connector-plugins/:plugin/config', async (req) =>
    herder.pluginConfig(req.params.plugin),
  );

  app.put<PluginParams>('/connector-plugins/:plugin/config/validate', async (req) => {
    const config = configMap(req.body);
    const infos = await ctx.call(() => herder.validateConnectorConfig(config, req.params.plugin));
    return infos;
  });
}
