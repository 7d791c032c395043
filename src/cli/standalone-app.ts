/**
 * The standalone worker as a whole: worker config → embedded log → plugins → herder → REST API →
 * connector files. `start` resolves once the REST API answers and every file's connector is
 * applied; `stop` is the graceful shutdown SIGTERM triggers.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { WorkerConfig } from '../config/worker-config.js';
import type { ConnectorFile } from '../config/connector-file.js';
import { TributaryError } from '../errors/codes.js';
import { EmbeddedLog } from '../log/embedded/embedded-log.js';
import { invalidConfigMessage } from '../runtime/connector-config.js';
import { createRestServer, type RestServer } from '../rest/rest-server.js';
import { builtinRegistry } from '../runtime/builtin-plugins.js';
import { sameConfig } from '../runtime/herder/connector-lifecycle.js';
import { StandaloneHerder } from '../runtime/herder/standalone-herder.js';
import type { TargetState } from '../runtime/herder/herder.js';
import { LoggerRegistry } from '../runtime/logging.js';
import type { WorkerSettings } from '../runtime/worker-settings.js';
import { DEFAULT_WORKER_SETTINGS } from '../runtime/worker-settings.js';
import { systemClock } from '../util/clock.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A connector file's content and where it came from (for error messages). */
export type SourcedConnectorFile = ConnectorFile & { readonly path?: string };

export interface StandaloneOptions {
  readonly config: WorkerConfig;
  readonly connectors: readonly SourcedConnectorFile[];
  readonly version: string;
  /** Where log lines go; default stdout. */
  readonly logDestination?: NodeJS.WritableStream;
}

/** A Kafka client setting the runtime reads (e.g. `producer.buffer.memory`): a positive integer, or the default when unset. */
function clientInt(key: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw new TributaryError('CONFIG_INVALID', `${key}: expected a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** The runtime's settings from the worker config (Kafka client keys under `producer.`/`consumer.`). */
export function workerSettings(cfg: WorkerConfig): Mutable<WorkerSettings> {
  const producer = cfg.prefixed('producer.');
  const consumer = cfg.prefixed('consumer.');
  return {
    ...DEFAULT_WORKER_SETTINGS,
    keyConverter: cfg.get('key.converter'),
    valueConverter: cfg.get('value.converter'),
    headerConverter: cfg.get('header.converter'),
    keyConverterConfig: cfg.prefixed('key.converter.'),
    valueConverterConfig: cfg.prefixed('value.converter.'),
    headerConverterConfig: cfg.prefixed('header.converter.'),
    offsetFlushIntervalMs: cfg.get('offset.flush.interval.ms'),
    offsetFlushTimeoutMs: cfg.get('offset.flush.timeout.ms'),
    taskShutdownGracefulTimeoutMs: cfg.get('task.shutdown.graceful.timeout.ms'),
    producerBufferBytes: clientInt('producer.buffer.memory', producer['buffer.memory'], DEFAULT_WORKER_SETTINGS.producerBufferBytes),
    consumerFetchMaxBytes: clientInt('consumer.fetch.max.bytes', consumer['fetch.max.bytes'], DEFAULT_WORKER_SETTINGS.consumerFetchMaxBytes),
    consumerMaxPollRecords: clientInt('consumer.max.poll.records', consumer['max.poll.records'], DEFAULT_WORKER_SETTINGS.consumerMaxPollRecords),
    configTopic: cfg.get('config.storage.topic'),
    offsetTopic: cfg.get('offset.storage.topic'),
    statusTopic: cfg.get('status.storage.topic'),
    offsetPartitions: cfg.get('offset.storage.partitions'),
    statusPartitions: cfg.get('status.storage.partitions'),
    topicCreationEnable: cfg.get('topic.creation.enable'),
  };
}

const TARGET: Record<string, TargetState> = { RUNNING: 'STARTED', PAUSED: 'PAUSED', STOPPED: 'STOPPED' };

export class StandaloneApp {
  readonly loggers: LoggerRegistry;
  private log: EmbeddedLog | null = null;
  private herder: StandaloneHerder | null = null;
  private rest: RestServer | null = null;
  private stopping: Promise<void> | null = null;
  /** The REST address actually bound. */
  address: { host: string; port: number } | null = null;

  private readonly settings: Mutable<WorkerSettings>;

  constructor(private readonly opts: StandaloneOptions) {
    this.settings = workerSettings(opts.config);
    this.loggers = new LoggerRegistry({
      level: opts.config.get('log.level'),
      destination: opts.logDestination as never,
    });
  }

  async start(): Promise<void> {
    const cfg = this.opts.config;
    const logger = this.loggers.logger('tributary.runtime.worker');
    const dataDir = resolve(cfg.get('data.dir'));
    this.log = await EmbeddedLog.open({
      dataDir,
      flush: cfg.get('log.flush'),
      onRecovery: (m) => logger.warn(`log recovery: ${m}`),
      onError: (err) => logger.error({ err }, 'log background task failed'),
    });
    const registry = builtinRegistry();
    await registry.loadPluginPath(cfg.get('plugin.path'));
    const settings = this.settings;
    this.herder = new StandaloneHerder({ log: this.log, registry, settings, clock: systemClock, logger: (n) => this.loggers.logger(n) });
    const listener = cfg.listener;
    this.rest = createRestServer({ herder: this.herder, loggers: this.loggers, host: listener.host, port: listener.port, version: this.opts.version });
    // Every connector file is validated before anything is stored, so a bad file changes nothing.
    for (const file of this.opts.connectors) {
      const infos = await this.herder.validateConnectorConfig({ ...file.config });
      if (infos.error_count > 0) {
        const where = file.path ? `${file.path} (connector ${file.name})` : `connector ${file.name}`;
        throw new TributaryError('CONFIG_INVALID', `${where}: ${invalidConfigMessage(infos).split('\n').slice(0, -1).join('; ')}`);
      }
    }
    try {
      this.address = await this.rest.listen();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
        const how = cfg.get('listeners') ? `listeners=${cfg.get('listeners')}` : 'rest.host/rest.port';
        throw new TributaryError('UNAVAILABLE', `cannot listen on ${listener.host}:${listener.port} (${how}): ${e.code === 'EADDRINUSE' ? 'the address is already in use' : e.message}`, { cause: err });
      }
      throw err;
    }
    const advertisedHost = cfg.get('rest.advertised.host.name') ?? (['0.0.0.0', '::', ''].includes(listener.host) ? hostname() : listener.host);
    settings.workerId = `${advertisedHost}:${cfg.get('rest.advertised.port') ?? this.address.port}`;
    await this.herder.start();
    for (const file of this.opts.connectors) await this.apply(file);
    logger.info(`Tributary worker ${settings.workerId} started: REST API on http://${this.address.host}:${this.address.port}, data in ${dataDir}`);
  }

  /** Applies a connector file; an unchanged config leaves the running connector alone. */
  private async apply(file: ConnectorFile): Promise<void> {
    const herder = this.herder!;
    if (herder.connectors().includes(file.name)) {
      const current = await herder.connectorConfigRaw(file.name);
      if (sameConfig(current, file.config)) return;
    }
    await herder.putConnectorConfig(file.name, { ...file.config }, {
      allowReplace: true,
      initialState: file.initialState ? TARGET[file.initialState] : undefined,
    });
  }

  /** Graceful shutdown: REST closes, tasks flush and commit, the log closes. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.rest?.close();
      await this.herder?.stop();
      await this.log?.close();
    })();
    return this.stopping;
  }
}
