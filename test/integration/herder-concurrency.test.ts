/**
 * Concurrency and robustness of the standalone herder, driven with the real herder over a real
 * EmbeddedLog:
 *
 * 1. A change requested while `start()` still reads the internal topics (the REST API listens
 *    first) waits for the start, and the start does not fail.
 * 2. Two concurrent PATCHes of different keys both apply (read-merge-write is one step).
 * 3. A connector whose `stop()` never settles does not wedge later changes or the shutdown.
 * 4. Sink tasks split partitions by the number of task configs, not by `tasks.max`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Log } from '../../src/log/log.js';
import { FileStreamSinkConnector } from '../../connectors/file/file-sink-connector.js';
import { builtinPlugins } from '../../src/runtime/builtin-plugins.js';
import { StandaloneHerder } from '../../src/runtime/herder/standalone-herder.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { DEFAULT_WORKER_SETTINGS } from '../../src/runtime/worker-settings.js';
import { ConfigDef } from '../../src/sdk/config-def.js';
import type { SourceConnector } from '../../src/sdk/connector.js';
import type { ConnectorPlugin } from '../../src/sdk/plugin.js';
import type { SourceTask } from '../../src/sdk/source-task.js';
import { systemClock } from '../../src/util/clock.js';
import { useLogHarness } from '../support/log.js';

const h = useLogHarness();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function herderOn(log: Log, plugins: ConnectorPlugin[] = []): StandaloneHerder {
  return new StandaloneHerder({
    log,
    registry: new PluginRegistry([...builtinPlugins, ...plugins]),
    settings: { ...DEFAULT_WORKER_SETTINGS, offsetFlushIntervalMs: 100, taskShutdownGracefulTimeoutMs: 500 },
    clock: systemClock,
    logger: () => quiet,
  });
}

async function sourceConfig(name: string): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'herder-concurrency-'));
  dirs.push(dir);
  return { name, 'connector.class': 'FileStreamSource', file: join(dir, 'in.txt'), topic: `${name}-topic` };
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);

describe('standalone herder', () => {
  it('a connector created while start() reads the internal topics does not make start() fail', async () => {
    const real = await h.open(await h.tempDir());
    // Holds the status topic's creation, so the test can act between the config and status stores' start.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atGate = new Promise<void>((r) => (reached = r));
    const log = Object.create(real) as Log;
    log.createTopic = async (topic, options) => {
      if (topic === 'connect-status') {
        reached();
        await gate;
      }
      return real.createTopic(topic, options);
    };
    const herder = herderOn(log);
    const starting = herder.start().then(() => 'started', (err: Error) => `failed: ${err.message}`);
    await atGate;
    // What a `POST /connectors` arriving now does (the REST API already listens): it waits for the start.
    const early = herder.putConnectorConfig('early', await sourceConfig('early'), { allowReplace: false });
    await expect(herder.connectorStatus('early')).rejects.toThrow(/still starting up/);
    release();
    const outcome = await starting;
    const created = await early;
    expect(created.created).toBe(true);
    expect(herder.connectors()).toEqual(['early']);
    await herder.stop();
    expect(outcome).toBe('started');
  });

  it('two concurrent PATCHes of different keys both apply', async () => {
    const log = await h.open(await h.tempDir());
    const herder = herderOn(log);
    await herder.start();
    await herder.putConnectorConfig('c', await sourceConfig('c'), { allowReplace: false });
    await Promise.all([
      herder.patchConnectorConfig('c', { 'batch.size': '7' }),
      herder.patchConnectorConfig('c', { 'tasks.max': '1', 'errors.log.enable': 'true' }),
    ]);
    const config = await herder.connectorConfig('c');
    await herder.stop();
    expect(config['batch.size']).toBe('7');
    expect(config['errors.log.enable']).toBe('true');
  });

  it('a connector whose stop() never settles does not wedge the herder or its shutdown', async () => {
    const idleTask = (): SourceTask => ({
      version: () => 't',
      start() {},
      async poll(signal) {
        await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
        return [];
      },
      stop() {},
    });
    const stuck: ConnectorPlugin = {
      type: 'source',
      className: 'test.StuckStopSource',
      aliases: ['StuckStopSource'],
      version: 't',
      create: (): SourceConnector => ({
        type: 'source',
        version: () => 't',
        config: () => new ConfigDef(),
        start() {},
        taskConfigs: () => [{}],
        stop: () => new Promise<void>(() => {}), // never settles
        createTask: idleTask,
      }),
    };
    const log = await h.open(await h.tempDir());
    const herder = herderOn(log, [stuck]);
    await herder.start();
    await herder.putConnectorConfig('stuck', { 'connector.class': 'StuckStopSource' }, { allowReplace: false });
    void herder.deleteConnector('stuck').catch(() => {});
    const other = await within(herder.putConnectorConfig('other', await sourceConfig('other'), { allowReplace: false }).then(() => 'done'), 5000);
    const shutdown = await within(herder.stop().then(() => 'stopped'), 5000);
    expect(other).toBe('done');
    expect(shutdown).toBe('stopped');
  });

  it('a sink connector that generates fewer task configs than tasks.max still has every partition consumed', async () => {
    class OneTaskSink extends FileStreamSinkConnector {
      override taskConfigs(): Record<string, string>[] {
        return super.taskConfigs(1); // "at most tasks.max": one task is enough for this connector
      }
    }
    const oneTask: ConnectorPlugin = { type: 'sink', className: 'test.OneTaskSink', aliases: ['OneTaskSink'], version: 't', create: () => new OneTaskSink() };
    const log = await h.open(await h.tempDir());
    await log.createTopic('in', { partitions: 2 });
    await log.append('in', 0, [{ key: null, value: Buffer.from('p0') }]);
    await log.append('in', 1, [{ key: null, value: Buffer.from('p1') }]);
    const dir = await mkdtemp(join(tmpdir(), 'herder-concurrency-'));
    dirs.push(dir);
    const out = join(dir, 'out.txt');
    const herder = herderOn(log, [oneTask]);
    await herder.start();
    await herder.putConnectorConfig('s', {
      'connector.class': 'OneTaskSink', 'tasks.max': '2', topics: 'in', file: out,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    }, { allowReplace: false });
    let text = '';
    for (let i = 0; i < 60 && text.split('\n').filter(Boolean).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await readFile(out, 'utf8').catch(() => '');
    }
    await herder.stop();
    expect(text.split('\n').filter(Boolean).sort()).toEqual(['p0', 'p1']);
  });
});
