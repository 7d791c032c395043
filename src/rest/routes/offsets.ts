/** `GET|PATCH|DELETE /connectors/{c}/offsets` (KIP-875). */
import type { FastifyInstance } from 'fastify';
import type { ConnectorOffsets } from '../../runtime/herder/herder.js';
import { badRequest, objectBody, type RouteContext } from '../request.js';

interface ConnectorParams {
  Params: { connector: string };
}

/** Registers the offsets routes; PATCH needs a non-empty `offsets` list (else 400). */
export function registerOffsetRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { herder } = ctx;

  app.get<ConnectorParams>('/connectors/:connector/offsets', async (req) =>
    ctx.call(() => herder.connectorOffsets(req.params.connector)),
  );

  app.patch<ConnectorParams>('/connectors/:connector/offsets', async (req) => {
    const offsets = parseOffsets(req.body);
    const message = await ctx.call(() => herder.alterConnectorOffsets(req.params.connector, offsets));
    return { message };
  });

  app.delete<ConnectorParams>('/connectors/:connector/offsets', async (req) => {
    const message = await ctx.call(() => herder.resetConnectorOffsets(req.params.connector));
    return { message };
  });
}

/** The PATCH body: a non-empty `offsets` list of `{partition: {..}, offset: {..}|null}`. */
function parseOffsets(body: unknown): ConnectorOffsets {
  const list = objectBody(body)['offsets'];
  if (!Array.isArray(list) || list.length === 0) {
    throw badRequest('Partitions / offsets need to be provided for an alter offsets request');
  }
  const offsets = list.map((entry: unknown) => {
    const e = objectBody(entry, 'Each element of offsets');
    const partition = e['partition'];
    const offset = e['offset'] ?? null;
    if (partition === null || typeof partition !== 'object' || Array.isArray(partition)) {
      throw badRequest('The partition for an offsets entry must be a JSON object');
    }
    if (offset !== null && (typeof offset !== 'object' || Array.isArray(offset))) {
      throw badRequest('The offset for an offsets entry must be a JSON object or null');
    }
    return { partition: partition as Record<string, unknown>, offset: offset as Record<string, unknown> | null };
  });
  return { offsets };
}
