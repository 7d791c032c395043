/**
 * Errors a connector, task, converter or transformation throws to tell the runtime what to do.
 *
 * - `RetriableError`: the same call may succeed later. From `poll()` the runtime polls again after a
 *   backoff; from `put()` it pauses the task's partitions and redelivers the same batch; from
 *   `flush()` it skips that commit and tries again at the next one.
 * - `ConnectError`: the task (or connector) fails; its status becomes FAILED with the stack as trace
 *   and it stays failed until restarted through the REST API.
 * - `DataError`: a record cannot be converted or transformed (Kafka Connect's DataException). The
 *   record is not lost: without error tolerance the task fails naming the record.
 * - `ConfigError`: a config value is invalid; thrown by validators and `ConfigDef.parse`.
 *
 * Anything else thrown is treated as a `ConnectError`. All four are `TributaryError`s, so their
 * codes come from the one registry (`src/errors/codes.ts`).
 *
 * @example
 * ```ts
 * if (err.code === 'ECONNREFUSED') throw new RetriableError('database not reachable', { cause: err, retryAfterMs: 1000 });
 * ```
 */
import { TributaryError } from '../errors/codes.js';

export { TributaryError, isTributaryError } from '../errors/codes.js';

export class RetriableError extends TributaryError {
  /** The runtime waits at least this long before retrying, when given. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('CONNECT_RETRIABLE', message, options);
    this.name = 'RetriableError';
    this.retryAfterMs = options?.retryAfterMs;
  }
}

export class ConnectError extends TributaryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECT_FATAL', message, options);
    this.name = 'ConnectError';
  }
}

export class DataError extends TributaryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATA_ERROR', message, options);
    this.name = 'DataError';
  }
}

export class ConfigError extends TributaryError {
  /** The config key at fault, when there is one. */
  readonly key: string | undefined;

  constructor(message: string, options?: { cause?: unknown; key?: string }) {
    super('CONFIG_INVALID', message, options);
    this.name = 'ConfigError';
    this.key = options?.key;
  }
}

/** True when the runtime should retry the call that threw `err`. */
export function isRetriable(err: unknown): boolean {
  return err instanceof TributaryError && err.kind === 'retriable';
}
