/**
 * Connections to Postgres: the catalog connection, snapshot readers (values as raw text), the
 * replication connection, and the classification of connection failures into "try again" (the
 * server is unreachable or restarting) and "fix the config" (authentication, unknown database).
 */
import pg from 'pg';
import { ConnectError, RetriableError } from '../../src/sdk/index.js';
import { sessionOptions } from './pg-session.js';

export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string | undefined;
  readonly database: string;
  readonly ssl?: pg.ClientConfig['ssl'];
  /** A second `ssl` to try when the server refuses the first kind (sslmode prefer/allow). */
  readonly sslFallback?: pg.ClientConfig['ssl'] | undefined;
  /** 0 or absent: wait as long as the OS does. */
  readonly connectTimeoutMs?: number;
}

const rawText = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export function clientConfig(c: ConnectionSettings, extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig {
  return {
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password,
    database: c.database,
    ssl: c.ssl,
    connectionTimeoutMillis: c.connectTimeoutMs,
    options: sessionOptions(),
    application_name: 'tributary',
    ...extra,
  };
}

/**
 * Opens a client. Unreachable servers become RetriableError (the runtime retries with backoff);
 * wrong credentials or database become ConnectError naming the setting to fix.
 */
export async function connect(
  c: ConnectionSettings,
  opts: { rawText?: boolean; replication?: boolean; onFallback?: (ssl: pg.ClientConfig['ssl']) => void } = {},
): Promise<pg.Client> {
  const extra: Partial<pg.ClientConfig> = opts.rawText ? { types: rawText } : {};
  if (opts.replication) (extra as Record<string, unknown>).replication = 'database';
  try {
    return await open(clientConfig(c, extra));
  } catch (err) {
    if (c.sslFallback !== undefined && /SSL|no pg_hba.conf entry/i.test((err as Error).message)) {
      try {
        const client = await open(clientConfig({ ...c, ssl: c.sslFallback }, extra));
        opts.onFallback?.(c.sslFallback);
        return client;
      } catch (again) {
        throw classifyConnectError(c, again);
      }
    }
    throw classifyConnectError(c, err);
  }
}

async function open(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on('error', () => {}); // surfaced by the failing query or stream instead
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  return client;
}

/** Whether an error means the connection to Postgres was lost (reconnecting may help). */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (err instanceof RetriableError) return true;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(ECONN|EHOST|ENET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)/.test(code)) return true;
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  const m = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout expired|socket hang up/i.test(m);
}

export function classifyConnectError(c: ConnectionSettings, err: unknown): Error {
  const e = err as Error & { code?: string };
  const where = `${c.host}:${c.port}`;
  if (e.code === '28P01' || e.code === '28000') {
    return new ConnectError(`Postgres at ${where} refused user ${c.user}: ${e.message}. Check database.user and database.password (and pg_hba.conf).`, { cause: err });
  }
  if (e.code === '3D000') {
    return new ConnectError(`database ${c.database} does not exist on ${where}: check database.dbname`, { cause: err });
  }
  if (isConnectionLoss(err)) {
    return new RetriableError(`cannot reach Postgres at ${where} (${e.code ?? ''} ${e.message}); check database.hostname and database.port`.replace('( ', '('), { cause: err });
  }
  return new ConnectError(`cannot connect to Postgres at ${where}: ${e.message}`, { cause: err });
}
