/** `/connectors/{c}/tasks`, `/tasks-config`, `/tasks/{t}/status`, `/tasks/{t}/restart`. */
import type { FastifyInstance } from 'fastify';
import type { ConnectorConfig } from '../../runtime/herder/herder.js';
import { taskIdParam, type RouteContext } from '../request.js';

interface ConnectorParams {
  Params: { connector: string };
}
interface TaskParams {
  Params: { connector: string; task: string };
}

/** Registers the task routes; a `{task}` that is not an integer is 404, as in Kafka Connect. */
export function registerTaskRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { herder } = ctx;

  app.get<ConnectorParams>('/connectors/:connector/tasks', async (req) =>
    ctx.call(() => herder.taskConfigs(req.params.connector)),
  );

  // Deprecated in Kafka Connect, kept for compatibility: task configs keyed "<connector>-<task>".
  app.get<ConnectorParams>('/connectors/:connector/tasks-config', async (req) => {
    const tasks = await ctx.call(() => herder.taskConfigs(req.params.connector));
    const out: Record<string, ConnectorConfig> = {};
    for (const t of tasks) out[`${t.id.connector}-${t.id.task}`] = t.config;
    return out;
  });

  app.get<TaskParams>('/connectors/:connector/tasks/:task/status', async (req) => {
    const task = taskIdParam(req.params.task);
    return ctx.call(() => herder.taskStatus(req.params.connector, task));
  });

  app.post<TaskParams>('/connectors/:connector/tasks/:task/restart', async (req, reply) => {
    const task = taskIdParam(req.params.task);
    await ctx.call(() => herder.restartTask(req.params.connector, task));
    return reply.code(204).send();
  });
}
