/**
 * `/connectors`: list, create, read, configure, lifecycle (restart, pause, resume, stop) and delete.
 * Tasks, offsets and topics live in their own files.
 */
import type { FastifyInstance } from 'fastify';
import { isTributaryError } from '../../errors/codes.js';
import type { TargetState } from '../../runtime/herder/herder.js';
import {
  badRequest,
  configMap,
  configPatch,
  connectorLocation,
  objectBody,
  queryBoolean,
  queryList,
  withConnectorName,
  type RouteContext,
} from '../request.js';

interface ConnectorParams {
  Params: { connector: string };
}

/** POST `/connectors` `initial_state` values (Kafka Connect's names) → target states. */
const INITIAL_STATES: Record<string, TargetState> = { RUNNING: 'STARTED', PAUSED: 'PAUSED', STOPPED: 'STOPPED' };

/** Registers the connector routes (list with `expand`, create, read, config, status, lifecycle, delete). */
export function registerConnectorRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { herder } = ctx;

  app.get<{ Querystring: { expand?: string | string[] } }>('/connectors', async (req) => {
    const expand = queryList(req.query.expand);
    if (!expand) return herder.connectors();
    const entries = await Promise.all(herder.connectors().map(async (name) => [name, await expandOne(ctx, name, expand)] as const));
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, value] of entries) if (value) out[name] = value;
    return out;
  });

  app.post('/connectors', async (req, reply) => {
    const body = objectBody(req.body);
    const rawName = body['name'];
    if (rawName !== undefined && rawName !== null && typeof rawName !== 'string') throw badRequest("Connector 'name' must be a string");
    const name = (rawName ?? '').trim();
    if (name.length === 0) throw badRequest("Connector name must be given in the request's 'name' field");
    if (body['config'] === undefined || body['config'] === null) throw badRequest("The request must contain a 'config' object");
    const config = withConnectorName(name, configMap(body['config']));
    const initialState = parseInitialState(body['initial_state']);
    const { info } = await ctx.call(() =>
      herder.putConnectorConfig(name, config, initialState ? { allowReplace: false, initialState } : { allowReplace: false }),
    );
    return reply.code(201).header('location', connectorLocation(name)).send(info);
  });

  app.get<ConnectorParams>('/connectors/:connector', async (req) => ctx.call(() => herder.connectorInfo(req.params.connector)));

  app.get<ConnectorParams>('/connectors/:connector/config', async (req) =>
    ctx.call(() => herder.connectorConfig(req.params.connector)),
  );

  app.put<ConnectorParams>('/connectors/:connector/config', async (req, reply) => {
    const name = req.params.connector;
    const config = withConnectorName(name, configMap(req.body));
    const { created, info } = await ctx.call(() => herder.putConnectorConfig(name, config, { allowReplace: true }));
    if (created) reply.code(201).header('location', connectorLocation(name));
    return reply.send(info);
  });

  app.patch<ConnectorParams>('/connectors/:connector/config', async (req) => {
    const name = req.params.connector;
    const patch = configPatch(req.body);
    if (patch['name'] !== undefined && patch['name'] !== name) {
      throw badRequest(`Connector name configuration (${String(patch['name'])}) doesn't match connector name in the URL (${name})`);
    }
    return ctx.call(() => herder.patchConnectorConfig(name, patch));
  });

  app.get<ConnectorParams>('/connectors/:connector/status', async (req) =>
    ctx.call(() => herder.connectorStatus(req.params.connector)),
  );

  app.post<ConnectorParams & { Querystring: { includeTasks?: string; onlyFailed?: string } }>(
    '/connectors/:connector/restart',
    async (req, reply) => {
      const options = { includeTasks: queryBoolean(req.query.includeTasks, false), onlyFailed: queryBoolean(req.query.onlyFailed, false) };
      const planned = await ctx.call(() => herder.restartConnector(req.params.connector, options));
      return planned === null ? reply.code(204).send() : reply.code(202).send(planned);
    },
  );

  app.put<ConnectorParams>('/connectors/:connector/pause', async (req, reply) => {
    await ctx.call(() => herder.pauseConnector(req.params.connector));
    return reply.code(202).send();
  });

  app.put<ConnectorParams>('/connectors/:connector/resume', async (req, reply) => {
    await ctx.call(() => herder.resumeConnector(req.params.connector));
    return reply.code(202).send();
  });

  app.put<ConnectorParams>('/connectors/:connector/stop', async (req, reply) => {
    await ctx.call(() => herder.stopConnector(req.params.connector));
    return reply.code(204).send();
  });

  app.delete<ConnectorParams>('/connectors/:connector', async (req, reply) => {
    await ctx.call(() => herder.deleteConnector(req.params.connector));
    return reply.code(204).send();
  });
}

/**
 * One connector's `?expand=` entry; undefined when it vanished (or has no status yet) while being
 * looked up, which Kafka Connect answers by leaving it out. Unknown expansions are ignored.
 */
async function expandOne(ctx: RouteContext, name: string, expand: readonly string[]): Promise<Record<string, unknown> | undefined> {
  const out: Record<string, unknown> = {};
  try {
    for (const kind of expand) {
      if (kind === 'status') out['status'] = await ctx.call(() => ctx.herder.connectorStatus(name));
      else if (kind === 'info') out['info'] = await ctx.call(() => ctx.herder.connectorInfo(name));
    }
  } catch (err) {
    if (isTributaryError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
  return out;
}

function parseInitialState(value: unknown): TargetState | undefined {
  if (value === undefined || value === null) return undefined;
  const state = typeof value === 'string' ? INITIAL_STATES[value.toUpperCase()] : undefined;
  if (!state) throw badRequest(`Invalid initial_state '${String(value)}'; expected one of RUNNING, PAUSED, STOPPED`);
  return state;
}
