/**
 * The logger handed to connectors, tasks and plugins through their contexts: a pino-compatible
 * subset, already bound to the connector and task ids. Connectors never create their own.
 */
export interface TaskLogger {
  debug(msg: string): void;
  debug(obj: object, msg?: string): void;
  info(msg: string): void;
  info(obj: object, msg?: string): void;
  warn(msg: string): void;
  warn(obj: object, msg?: string): void;
  error(msg: string): void;
  error(obj: object, msg?: string): void;
}
