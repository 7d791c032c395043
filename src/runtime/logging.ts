/**
 * Named loggers over one pino root, with log4j-style levels that `/admin/loggers` reads and sets.
 *
 * Every named logger is a pino child of the root bound to `{ name }`. Names are dotted
 * (`tributary.runtime.worker`, `tributary.connector.<name>`); a logger's ancestors are the prefixes
 * ending at a dot. Setting a level on a namespace sets it on the logger of that name (creating it
 * when absent, as log4j does) and on every existing descendant; a logger created later takes the
 * level of its nearest existing ancestor, or of the root.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { TributaryError } from '../errors/codes.js';
import { systemClock, type Clock } from '../util/clock.js';

/** The levels Kafka Connect's `/admin/loggers` speaks (log4j's names). */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'OFF';

/** One entry of `GET /admin/loggers`: the level and when it was last set through the registry. */
export interface LoggerLevel {
  readonly level: LogLevel;
  /** Milliseconds since the epoch of the last `setLevel` that touched this logger; null if never. */
  readonly last_modified: number | null;
}

/** The name `/admin/loggers` uses for the root logger (matched case-insensitively). */
export const ROOT_LOGGER = 'root';

const TO_PINO: Record<LogLevel, LevelWithSilent> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
  OFF: 'silent',
};

/**
 * Parses a level name case-insensitively (`debug`, `WARN`, `Off`); undefined when it is not one of
 * TRACE DEBUG INFO WARN ERROR FATAL OFF.
 */
export function parseLogLevel(value: string): LogLevel | undefined {
  const upper = value.trim().toUpperCase();
  return Object.hasOwn(TO_PINO, upper) ? (upper as LogLevel) : undefined;
}

export interface LoggerRegistryOptions {
  /** The root level (worker config `log.level`), any case; default INFO. */
  readonly level?: string;
  /** Source of `last_modified` and of the `time` field of every line; default the system clock. */
  readonly clock?: Clock;
  /** Where lines go; default stdout. */
  readonly destination?: DestinationStream;
  /** Fields on every line; default none (pino's pid/hostname are left out). */
  readonly base?: Record<string, unknown>;
}

interface Entry {
  readonly logger: Logger;
  level: LogLevel;
  lastModified: number | null;
}

/**
 * The worker's loggers. One instance per worker process; the REST layer's `/admin/loggers` routes and
 * every component that logs go through it.
 *
 * @example
 * ```ts
 * const loggers = new LoggerRegistry({ level: config['log.level'] });
 * const log = loggers.logger('tributary.runtime.worker');
 * loggers.setLevel('tributary.runtime', 'debug'); // → ['tributary.runtime', 'tributary.runtime.worker']
 * ```
 */
export class LoggerRegistry {
  /** The root pino logger; its level is the `root` entry. */
  readonly root: Logger;
  private readonly clock: Clock;
  private readonly rootEntry: Entry;
  private readonly named = new Map<string, Entry>();

  constructor(options: LoggerRegistryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const level = options.level === undefined ? 'INFO' : parseLogLevel(options.level);
    if (level === undefined) throw new TributaryError('INVALID_CONFIG', `Invalid log level '${options.level}'`);
    const clock = this.clock;
    const pinoOptions = {
      level: TO_PINO[level],
      base: options.base ?? null,
      timestamp: () => `,"time":${clock.now()}`,
    };
    this.root = options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
    this.rootEntry = { logger: this.root, level, lastModified: null };
  }

  /** The logger called `name` (the same instance on every call); `root` gives the root logger. */
  logger(name: string): Logger {
    return this.entry(name).logger;
  }

  /** Every known logger with its level, `root` included, sorted by name. */
  levels(): Record<string, LoggerLevel> {
    const out: Record<string, LoggerLevel> = {};
    const names = [...this.named.keys(), ROOT_LOGGER].sort();
    for (const name of names) out[name] = toLevel(name === ROOT_LOGGER ? this.rootEntry : this.named.get(name)!);
    return out;
  }

  /** The level of one known logger; undefined when no logger of that name exists. */
  level(name: string): LoggerLevel | undefined {
    if (isRoot(name)) return toLevel(this.rootEntry);
    const entry = this.named.get(name);
    return entry && toLevel(entry);
  }

  /**
   * Sets `level` on `namespace` and every logger below it (`root`: on every logger), creating the
   * namespace's logger when absent. Returns the names of the loggers changed, sorted.
   * INVALID_ARGUMENT when the level is not a log4j level.
   */
  setLevel(namespace: string, level: string): string[] {
    const parsed = parseLogLevel(level);
    if (parsed === undefined) throw new TributaryError('INVALID_ARGUMENT', `invalid log level '${level}'.`);
    const now = this.clock.now();
    const affected: string[] = [];
    const apply = (name: string, entry: Entry) => {
      entry.level = parsed;
      entry.lastModified = now;
      entry.logger.level = TO_PINO[parsed];
      affected.push(name);
    };
    if (isRoot(namespace)) {
      apply(ROOT_LOGGER, this.rootEntry);
      for (const [name, entry] of this.named) apply(name, entry);
    } else {
      this.entry(namespace);
      for (const [name, entry] of this.named) if (isWithin(name, namespace)) apply(name, entry);
    }
    return affected.sort();
  }

  private entry(name: string): Entry {
    if (isRoot(name)) return this.rootEntry;
    if (name.length === 0) throw new TributaryError('INVALID_ARGUMENT', 'A logger name must not be empty');
    let entry = this.named.get(name);
    if (!entry) {
      const level = this.inheritedLevel(name);
      const logger = this.root.child({ name });
      logger.level = TO_PINO[level];
      entry = { logger, level, lastModified: null };
      this.named.set(name, entry);
    }
    return entry;
  }

  /** The level of the nearest existing ancestor: `a.b` for `a.b.c`, then `a`, then the root. */
  private inheritedLevel(name: string): LogLevel {
    for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
      const ancestor = this.named.get(name.slice(0, dot));
      if (ancestor) return ancestor.level;
    }
    return this.rootEntry.level;
  }
}

function isRoot(name: string): boolean {
  return name.toLowerCase() === ROOT_LOGGER;
}

function isWithin(name: string, namespace: string): boolean {
  return name === namespace || name.startsWith(namespace + '.');
}

function toLevel(entry: Entry): LoggerLevel {
  return { level: entry.level, last_modified: entry.lastModified };
}
