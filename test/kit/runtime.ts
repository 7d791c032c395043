/**
 * The real runtime, assembled as the standalone command assembles it (EmbeddedLog → plugin registry
 * → StandaloneHerder), for the conformance kit: in the test process or in a child process that the
 * kit can SIGKILL. Log lines are kept in memory so a case can assert that nothing logged an error.
 */
import { pathToFileURL } from 'node:url';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { Plugin } from '../../src/sdk/plugin.js';
import { builtinRegistry } from '../../src/runtime/builtin-plugins.js';
import { StandaloneHerder } from '../../src/runtime/herder/standalone-herder.js';
import { LoggerRegistry } from '../../src/runtime/logging.js';
import type { PluginRegistry } from '../../src/runtime/plugins.js';
import { buildConverters, type TaskConverters } from '../../src/runtime/task-plugins.js';
import { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from '../../src/runtime/worker-settings.js';
import { systemClock } from '../../src/util/clock.js';

/** Everything needed to start a worker; JSON-serialisable, so a child process can get it in argv. */
export interface WorkerSpec {
  readonly dataDir: string;
  /** Overrides of `DEFAULT_WORKER_SETTINGS` (the kit sets a short `offsetFlushIntervalMs`). */
  readonly settings?: Partial<WorkerSettings>;
  /**
   * Absolute paths of modules exporting `plugins` (an array of SDK plugin descriptors), registered
   * beside the built-ins: how a connector that is not built in gets into the worker.
   */
  readonly pluginModules?: readonly string[];
  /** The log's flush mode; default `fsync`, as the worker runs. */
  readonly flush?: 'fsync' | 'none';
}

/** The kit's defaults: Kafka Connect's, with offsets committed every 200 ms. */
export function kitSettings(spec: WorkerSpec): WorkerSettings {
  return { ...DEFAULT_WORKER_SETTINGS, offsetFlushIntervalMs: 200, ...spec.settings };
}

/** The built-in plugins plus those of `spec.pluginModules`. */
export async function kitRegistry(spec: Pick<WorkerSpec, 'pluginModules'>): Promise<PluginRegistry> {
  const registry = builtinRegistry();
  for (const path of spec.pluginModules ?? []) {
    const mod = (await import(pathToFileURL(path).href)) as { plugins?: readonly Plugin[] };
    if (!Array.isArray(mod.plugins)) throw new Error(`plugin module ${path} exports no "plugins" array`);
    for (const p of mod.plugins) registry.register(p);
  }
  return registry;
}

/** The converters a task of `connectorConfig` gets on a worker of `spec` (to write or read its topics). */
export async function kitConverters(spec: WorkerSpec, connectorConfig: Readonly<Record<string, string>>): Promise<TaskConverters> {
  return buildConverters(await kitRegistry(spec), kitSettings(spec), connectorConfig);
}

export interface Runtime {
  readonly log: EmbeddedLog;
  readonly herder: StandaloneHerder;
  /** Log lines at ERROR or above since start (JSON, as pino wrote them). */
  errorLines(): string[];
  /** Graceful stop: the herder (tasks flush and commit), then the log. */
  stop(): Promise<void>;
}

const PINO_ERROR = 50;

export async function openRuntime(spec: WorkerSpec): Promise<Runtime> {
  const errors: string[] = [];
  const loggers = new LoggerRegistry({
    level: 'INFO',
    destination: {
      write(line: string) {
        try {
          if ((JSON.parse(line) as { level?: number }).level! >= PINO_ERROR) errors.push(line.trim());
        } catch {
          errors.push(`unparseable log line: ${line}`);
        }
      },
    },
  });
  const logger = loggers.logger('tributary.runtime.worker');
  const log = await EmbeddedLog.open({
    dataDir: spec.dataDir,
    flush: spec.flush ?? 'fsync',
    onRecovery: (m) => logger.warn(`log recovery: ${m}`),
    onError: (err) => logger.error({ err }, 'log background task failed'),
  });
  let herder: StandaloneHerder;
  try {
    const registry = await kitRegistry(spec);
    herder = new StandaloneHerder({ log, registry, settings: kitSettings(spec), clock: systemClock, logger: (n) => loggers.logger(n) });
    await herder.start();
  } catch (err) {
    await log.close().catch(() => {});
    throw err;
  }
  let stopping: Promise<void> | null = null;
  return {
    log,
    herder,
    errorLines: () => [...errors],
    stop: () =>
      (stopping ??= (async () => {
        try {
          await herder.stop();
        } finally {
          await log.close();
        }
      })()),
  };
}
