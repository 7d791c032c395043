/**
 * The one registry of Tributary's error codes.
 *
 * Each code says how the runtime should react (`kind`), which HTTP status the REST layer maps it to,
 * and, where one exists, the Kafka protocol error code the broker face answers with. Code elsewhere
 * throws `new TributaryError('CODE', message)`; nothing else defines error codes.
 */

/** What the caller should do about an error. */
export type ErrorKind =
  /** Retrying the same call later may succeed (a full queue, a closed-for-now resource). */
  | 'retriable'
  /** The input is wrong; retrying the same input fails the same way. */
  | 'invalid'
  /** Something on disk or in the process is broken; stop and report. */
  | 'fatal';

export interface ErrorSpec {
  readonly kind: ErrorKind;
  readonly http: number;
  /** Kafka protocol error code, for the broker face. */
  readonly kafka?: number;
}

export const ERROR_CODES = {
  UNKNOWN_TOPIC_OR_PARTITION: { kind: 'invalid', http: 404, kafka: 3 },
  TOPIC_ALREADY_EXISTS: { kind: 'invalid', http: 409, kafka: 36 },
  INVALID_TOPIC: { kind: 'invalid', http: 400, kafka: 17 },
  INVALID_PARTITIONS: { kind: 'invalid', http: 400, kafka: 37 },
  INVALID_CONFIG: { kind: 'invalid', http: 400, kafka: 40 },
  INVALID_RECORD: { kind: 'invalid', http: 400, kafka: 87 },
  INVALID_ARGUMENT: { kind: 'invalid', http: 400 },
  MESSAGE_TOO_LARGE: { kind: 'invalid', http: 413, kafka: 10 },
  CORRUPT_MESSAGE: { kind: 'invalid', http: 400, kafka: 2 },
  UNSUPPORTED_COMPRESSION: { kind: 'invalid', http: 400, kafka: 76 },
  OFFSET_OUT_OF_RANGE: { kind: 'invalid', http: 416, kafka: 1 },
  DATA_DIR_INVALID: { kind: 'fatal', http: 500 },
  STORAGE_ERROR: { kind: 'fatal', http: 500, kafka: 56 },
  LOG_CLOSED: { kind: 'retriable', http: 503, kafka: 5 },

  // Connectors and the runtime (the SDK's error classes carry these codes).
  /** A connector or task asks to be retried later (Kafka Connect's RetriableException). */
  CONNECT_RETRIABLE: { kind: 'retriable', http: 500 },
  /** A connector or task failed and will not recover until restarted (ConnectException). */
  CONNECT_FATAL: { kind: 'fatal', http: 500 },
  /** A converter or transform cannot read a record (Kafka Connect's DataException). */
  DATA_ERROR: { kind: 'invalid', http: 500 },
  /** A connector, worker or plugin config is invalid; the message lists every error. */
  CONFIG_INVALID: { kind: 'invalid', http: 400 },

  // The REST API and the herder (http = the status Kafka Connect answers with).
  NOT_FOUND: { kind: 'invalid', http: 404 },
  ALREADY_EXISTS: { kind: 'invalid', http: 409 },
  BAD_REQUEST: { kind: 'invalid', http: 400 },
  CONFLICT: { kind: 'retriable', http: 409 },
  METHOD_NOT_ALLOWED: { kind: 'invalid', http: 405 },
  PAYLOAD_TOO_LARGE: { kind: 'invalid', http: 413 },
  REQUEST_TIMEOUT: { kind: 'retriable', http: 500 },
  /** The worker is starting up or shutting down. */
  UNAVAILABLE: { kind: 'retriable', http: 503 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TributaryError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TributaryError';
    this.code = code;
    this.kind = ERROR_CODES[code].kind;
    this.status = ERROR_CODES[code].http;
  }

  get retriable(): boolean {
    return this.kind === 'retriable';
  }
}

export function isTributaryError(err: unknown, code?: ErrorCode): err is TributaryError {
  return err instanceof TributaryError && (code === undefined || err.code === code);
}
