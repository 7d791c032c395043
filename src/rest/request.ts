/**
 * What the routes share: the herder and logger registry, the request timeout, and the parsing of
 * bodies, path and query parameters into the herder's types. Every helper throws TributaryErrors
 * that `errors.ts` turns into Kafka Connect's answers.
 */
import type { Logger } from 'pino';
import { TributaryError } from '../errors/codes.js';
import type { ConnectorConfig, Herder } from '../runtime/herder/herder.js';
import type { LoggerRegistry } from '../runtime/logging.js';
import { ROUTE_NOT_FOUND } from './errors.js';

/** Handed to every route group. */
export interface RouteContext {
  readonly herder: Herder;
  readonly loggers: LoggerRegistry;
  readonly log: Logger;
  /** `GET /` fields. */
  readonly server: { readonly version: string; readonly commit: string; readonly kafka_cluster_id: string | null };
  /**
   * Runs one asynchronous herder call, failing with 500 "Request timed out" when it takes longer than
   * the request timeout. The call itself goes on (as in Kafka Connect).
   */
  call<T>(fn: () => Promise<T>): Promise<T>;
}

/** Builds `RouteContext.call` for a timeout in milliseconds. */
export function timeoutCaller(timeoutMs: number): <T>(fn: () => Promise<T>) => Promise<T> {
  return <T>(fn: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TributaryError('REQUEST_TIMEOUT', 'Request timed out')), timeoutMs);
      let pending: Promise<T>;
      try {
        pending = fn();
      } catch (err) {
        pending = Promise.reject(err);
      }
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
}

/** A 400 with `message`. */
export function badRequest(message: string): TributaryError {
  return new TributaryError('BAD_REQUEST', message);
}

/** The body as a JSON object; 400 when it is absent or anything else. */
export function objectBody(body: unknown, what = 'Request body'): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${what} must be a JSON object`);
  return body as Record<string, unknown>;
}

/**
 * A flat connector config from JSON. Numbers and booleans become strings (Kafka Connect's Jackson
 * does the same, so `"tasks.max": 1` works); null, objects and arrays are rejected.
 */
export function configMap(value: unknown, what = 'Connector configuration'): ConnectorConfig {
  const obj = objectBody(value, what);
  const out: ConnectorConfig = {};
  for (const [key, v] of Object.entries(obj)) {
    const s = scalarString(v);
    if (s === undefined) throw badRequest(`${what} value for '${key}' must be a string`);
    out[key] = s;
  }
  return out;
}

/** A PATCH body: like `configMap`, but `null` (delete the key) is allowed. */
export function configPatch(value: unknown): Record<string, string | null> {
  const obj = objectBody(value, 'Connector configuration patch');
  const out: Record<string, string | null> = {};
  for (const [key, v] of Object.entries(obj)) {
    const s = v === null ? null : scalarString(v);
    if (s === undefined) throw badRequest(`Connector configuration patch value for '${key}' must be a string or null`);
    out[key] = s;
  }
  return out;
}

function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Kafka Connect's `checkAndPutConnectorConfigName`: 400 on a mismatch, else fills `name` in. */
export function withConnectorName(name: string, config: ConnectorConfig): ConnectorConfig {
  const included = config['name'];
  if (included !== undefined && included !== name) {
    throw badRequest(`Connector name configuration (${included}) doesn't match connector name in the URL (${name})`);
  }
  return { ...config, name };
}

/** A `{task}` path segment. Not an integer: 404, as Jersey's `Integer` path parameter does. */
export function taskIdParam(raw: string): number {
  if (!/^[+-]?\d{1,10}$/.test(raw)) throw new TributaryError('NOT_FOUND', ROUTE_NOT_FOUND);
  const n = Number(raw);
  if (n > 2 ** 31 - 1 || n < -(2 ** 31)) throw new TributaryError('NOT_FOUND', ROUTE_NOT_FOUND);
  return n;
}

/** A boolean query parameter: `true` in any case is true, anything else false, absent the default. */
export function queryBoolean(value: unknown, fallback: boolean): boolean {
  const v = queryString(value);
  return v === undefined ? fallback : v.toLowerCase() === 'true';
}

/** A single-valued query parameter (the last one when repeated). */
export function queryString(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return v === undefined ? undefined : String(v);
}

/** A repeatable query parameter as a list (`?expand=a&expand=b`). */
export function queryList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** The `Location` of a connector, its name encoded as one path segment. */
export function connectorLocation(name: string): string {
  return `/connectors/${encodeURIComponent(name)}`;
}
