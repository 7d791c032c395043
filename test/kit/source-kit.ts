/**
 * The source connector conformance kit: proves a source connector keeps the runtime contract
 * (src/sdk/source-task.ts) through the real runtime — a real EmbeddedLog in a temp dir, the real
 * StandaloneHerder, the worker's real converters. See README.md for how to use it.
 *
 * Cases: delivery, graceful restart (nothing lost, nothing duplicated), crash restart (kill -9:
 * nothing lost), offset resume (PATCH while STOPPED, across a worker restart), pause/resume, stop
 * while polling (idle and busy), config errors.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectorConfig } from '../../src/runtime/herder/herder.js';
import type { WorkerSettings } from '../../src/runtime/worker-settings.js';
import type { ConnectHeader, Schema } from '../../src/sdk/index.js';
import { useTempDirs } from '../support/temp-dir.js';
import {
  containsAll, duplicates, expectBadRequest, expectNoErrorLogs, expectSameMultiset, expectStopped, missing, settlesWithin, stream, uniqueName, useFixtures, waitFor, waitForState, watchPaused,
} from './checks.js';
import { checkConfigErrors } from './config-errors.js';
import { kitConverters, type WorkerSpec } from './runtime.js';
import { useWorkerHarnesses, type HarnessOptions, type RunningWorker, type WorkerHarness } from './worker-harness.js';

/** A record read back from the connector's topic, converted with the worker's converters. */
export interface ConvertedSourceRecord {
  readonly partition: number;
  readonly offset: number;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  readonly headers: readonly ConnectHeader[];
}

/** One case's external system, fresh and empty. */
export interface SourceFixture {
  /** A valid config (with `connector.class`, without `name`) that writes to `topic`. */
  config(topic: string): ConnectorConfig;
  /** Creates `count` new records in the external system; resolves to their identities, in order. Identities must be unique. */
  produce(count: number): Promise<string[]>;
  /** The identity of a record the connector delivered, comparable with `produce`'s. */
  identity(record: ConvertedSourceRecord): string;
  /**
   * For a connector that names its topics itself (e.g. `<prefix>.<schema>.<table>`): the topic it
   * writes when configured with `config(topic)`. Default: `topic`.
   */
  dataTopic?(topic: string): string;
  close?(): Promise<void>;
}

export interface SourceConnectorAdapter {
  /** Builds the external system for one case inside `dir` (a fresh temp dir, removed afterwards). */
  setup(dir: string): Promise<SourceFixture> | SourceFixture;
  /** Invalid values, key → value, each of which must be reported in error (may be empty). */
  readonly invalidValues: Readonly<Record<string, string>>;
  /** Modules exporting `plugins` (absolute paths), for a connector that is not built in. */
  readonly pluginModules?: readonly string[];
  /** Worker settings (converters...); the kit sets `offsetFlushIntervalMs` 200 unless given here. */
  readonly workerSettings?: Partial<WorkerSettings>;
  /**
   * Records a `poll` already under way when a pause arrives may still deliver (default 0). A
   * connector that returns what is available at once should say its batch size here.
   */
  readonly maxRecordsInFlightAtPause?: number;
  /** How long the kit watches a paused connector (twice: before and after a restart) for records that must not flow (default 1000 ms). */
  readonly pausedWatchMs?: number;
  /**
   * `replays` (default): a PATCH back to earlier offsets makes the source deliver again from there.
   * `refused`: the source cannot go back (a replication slot never re-sends what it confirmed), so
   * such a PATCH must be refused (400) with the offsets left as they were.
   */
  readonly offsetRewind?: 'replays' | 'refused';
}

interface CaseEnv {
  readonly harness: WorkerHarness;
  readonly fixture: SourceFixture;
  readonly name: string;
  readonly topic: string;
  readonly config: ConnectorConfig;
  /** Identities in the topic now (all partitions), optionally only at/after per-partition offsets. */
  ids(worker: RunningWorker, from?: readonly number[]): Promise<string[]>;
}

export function describeSourceConnectorConformance(connector: string, adapter: SourceConnectorAdapter): void {
  describe(`${connector}: source connector conformance`, () => {
    // afterEach hooks run in reverse: workers stop, then fixtures close, then directories go.
    const tempDir = useTempDirs('tributary-kit-');
    const fixtures = useFixtures<SourceFixture>();
    const harnesses = useWorkerHarnesses();
    const options: HarnessOptions = { pluginModules: adapter.pluginModules, settings: adapter.workerSettings };

    async function setup(): Promise<CaseEnv> {
      const harness = harnesses(await tempDir(), options);
      const fixture = fixtures(await adapter.setup(await tempDir()));
      const name = uniqueName('kit-source');
      const config = fixture.config(`${name}-out`);
      const topic = fixture.dataTopic?.(`${name}-out`) ?? `${name}-out`;
      const spec: WorkerSpec = { dataDir: harness.dataDir, ...options };
      const converters = await kitConverters(spec, config);
      const ids = async (worker: RunningWorker, from: readonly number[] = []): Promise<string[]> =>
        (await worker.read(topic))
          .filter((r) => r.offset >= (from[r.partition] ?? 0))
          .map((r) => {
            const headers: ConnectHeader[] = (r.headers ?? []).map((h) => ({ key: h.key, ...converters.header.toConnectHeader(topic, h.key, h.value) }));
            const key = converters.key.toConnectData(topic, r.key, headers);
            const value = converters.value.toConnectData(topic, r.value, headers);
            return fixture.identity({ partition: r.partition, offset: r.offset, keySchema: key.schema, key: key.value, valueSchema: value.schema, value: value.value, headers });
          });
      return { harness, fixture, name, topic, config, ids };
    }

    async function create(env: CaseEnv, worker: RunningWorker): Promise<void> {
      await worker.herder.putConnectorConfig(env.name, env.config, { allowReplace: false });
      await waitForState(worker, env.name, 'RUNNING');
    }

    const delivered = (env: CaseEnv, worker: RunningWorker, expected: readonly string[], what = 'every produced record in the topic') =>
      waitFor(what, async () => containsAll(await env.ids(worker), expected), {
        describe: async () => ({ missing: missing(expected, await env.ids(worker)).slice(0, 10) }),
      });

    /** Waits until the stream is flowing: over 200 records past the first `after`. */
    const streaming = (env: CaseEnv, worker: RunningWorker, after: number) =>
      waitFor('the stream to flow', async () => (await worker.endOffsets(env.topic)).reduce((x, y) => x + y, 0) > after + 200);

    const committedSomething = (env: CaseEnv, worker: RunningWorker) =>
      waitFor('committed source offsets', async () => (await worker.herder.connectorOffsets(env.name)).offsets.length > 0);

    it('delivers every record, commits source offsets and reports RUNNING', async () => {
      const env = await setup();
      const w = await env.harness.start();
      await create(env, w);
      const a = await env.fixture.produce(25);
      await delivered(env, w, a);
      await committedSomething(env, w);
      expect(duplicates(await env.ids(w))).toEqual([]);
      expect((await w.herder.connectorActiveTopics(env.name))[env.name]!.topics).toContain(env.topic);
      await expectNoErrorLogs(w);
    });

    it('graceful restart: nothing lost, nothing duplicated (offsets are committed on stop)', async () => {
      const env = await setup();
      // No periodic commit: only the commit on stop can keep the restart from replaying.
      const settings = { offsetFlushIntervalMs: 600_000 };
      const w1 = await env.harness.start(settings);
      await create(env, w1);
      const a = await env.fixture.produce(20);
      await delivered(env, w1, a);
      const live = stream((n) => env.fixture.produce(n));
      await streaming(env, w1, a.length);
      await settlesWithin('graceful worker stop', w1.stop()); // mid-stream
      const b = await live.end();
      await expectNoErrorLogs(w1);
      const c = await env.fixture.produce(20); // while the worker is down
      const w2 = await env.harness.start(settings);
      await waitForState(w2, env.name, 'RUNNING');
      await delivered(env, w2, [...a, ...b, ...c]);
      expectSameMultiset(await env.ids(w2), [...a, ...b, ...c], 'topic after a graceful restart');
      await expectNoErrorLogs(w2);
    });

    it('crash restart (kill -9 of the worker process mid-stream): nothing lost, duplicates allowed', async () => {
      const env = await setup();
      const child = await env.harness.spawn();
      await create(env, child);
      const a = await env.fixture.produce(30);
      await delivered(env, child, a);
      await committedSomething(env, child);
      const live = stream((n) => env.fixture.produce(n));
      await streaming(env, child, a.length);
      await expectNoErrorLogs(child);
      await child.kill(); // mid-stream: the source keeps growing while the worker dies
      const b = await live.end();
      const c = await env.fixture.produce(10);
      const w = await env.harness.start();
      await waitForState(w, env.name, 'RUNNING');
      await delivered(env, w, [...a, ...b, ...c], 'every record produced before, during and after the crash');
      expect(missing([...a, ...b, ...c], await env.ids(w))).toEqual([]);
      await expectNoErrorLogs(w);
    });

    it(`offset resume: PATCH while STOPPED ${adapter.offsetRewind === 'refused' ? 'back behind the source is refused' : 'rewinds'}, survives a worker restart, and is refused while running`, async () => {
      const env = await setup();
      const w1 = await env.harness.start();
      await create(env, w1);
      const a = await env.fixture.produce(10);
      await delivered(env, w1, a);
      await w1.herder.stopConnector(env.name);
      await expectStopped(w1, env.name);
      const afterA = await w1.herder.connectorOffsets(env.name);
      expect(afterA.offsets.length, 'offsets committed on stop').toBeGreaterThan(0);

      await w1.herder.resumeConnector(env.name);
      await waitForState(w1, env.name, 'RUNNING');
      const b = await env.fixture.produce(15);
      await delivered(env, w1, [...a, ...b]);
      await expectBadRequest(w1.herder.alterConnectorOffsets(env.name, afterA), 'PATCH offsets while RUNNING');

      await w1.herder.stopConnector(env.name);
      await expectStopped(w1, env.name);
      const afterB = await w1.herder.connectorOffsets(env.name);
      expect(afterB, 'offsets moved with the second batch').not.toEqual(afterA);
      const ends = await w1.endOffsets(env.topic);
      if (adapter.offsetRewind === 'refused') {
        await expectBadRequest(w1.herder.alterConnectorOffsets(env.name, afterA), 'PATCH offsets back behind what the source can re-send');
        expect(await w1.herder.connectorOffsets(env.name), 'offsets unchanged by the refused rewind').toEqual(afterB);
        const c = await env.fixture.produce(5);
        await w1.stop();
        const w2 = await env.harness.start();
        await expectStopped(w2, env.name);
        await w2.herder.resumeConnector(env.name);
        await waitForState(w2, env.name, 'RUNNING');
        await delivered(env, w2, [...a, ...b, ...c]);
        expectSameMultiset(await env.ids(w2, ends), c, 'records delivered after the refused rewind');
        await expectNoErrorLogs(w1);
        await expectNoErrorLogs(w2);
        return;
      }
      await w1.herder.alterConnectorOffsets(env.name, afterA);
      expect(await w1.herder.connectorOffsets(env.name)).toEqual(afterA);
      const c = await env.fixture.produce(5);
      await w1.stop();

      const w2 = await env.harness.start();
      await expectStopped(w2, env.name); // the target state survives the restart
      expect(await w2.herder.connectorOffsets(env.name)).toEqual(afterA);
      await w2.herder.resumeConnector(env.name);
      await waitForState(w2, env.name, 'RUNNING');
      await delivered(env, w2, [...b, ...c], 'the records after the patched offsets again');
      expectSameMultiset(await env.ids(w2, ends), [...b, ...c], 'records delivered after the rewind');
      await expectNoErrorLogs(w1);
      await expectNoErrorLogs(w2);
    });

    it('pause/resume: nothing new flows while PAUSED, nor after a worker restart; resume delivers everything once', async () => {
      const env = await setup();
      const w1 = await env.harness.start();
      await create(env, w1);
      const a = await env.fixture.produce(20);
      await delivered(env, w1, a);
      await w1.herder.pauseConnector(env.name);
      await waitForState(w1, env.name, 'PAUSED');
      const before = (await env.ids(w1)).length;
      const b = await env.fixture.produce(30);
      const slack = adapter.maxRecordsInFlightAtPause ?? 0;
      expect(slack, 'the pause check needs more records than may be in flight').toBeLessThan(b.length);
      const watch = (w: RunningWorker) =>
        watchPaused(adapter.pausedWatchMs ?? 1000, async () => {
          const appeared = (await env.ids(w)).length - before;
          expect(appeared, 'records that reached the topic while PAUSED').toBeLessThanOrEqual(slack);
          expect((await w.herder.connectorStatus(env.name)).connector.state).toBe('PAUSED');
        });
      await watch(w1);
      await w1.stop();
      const w2 = await env.harness.start();
      await waitForState(w2, env.name, 'PAUSED'); // the target state survives a restart
      await watch(w2);
      await w2.herder.resumeConnector(env.name);
      await waitForState(w2, env.name, 'RUNNING');
      await delivered(env, w2, [...a, ...b]);
      expectSameMultiset(await env.ids(w2), [...a, ...b], 'topic after pause/resume');
      await expectNoErrorLogs(w1);
      await expectNoErrorLogs(w2);
    });

    it('stop while polling (idle): PUT stop during a long poll gives STOPPED, no tasks, no error; resume continues', async () => {
      const env = await setup();
      const w = await env.harness.start();
      await create(env, w);
      const a = await env.fixture.produce(10);
      await delivered(env, w, a);
      await committedSomething(env, w);
      await settlesWithin('PUT stop during an idle poll', w.herder.stopConnector(env.name));
      await expectStopped(w, env.name);
      const b = await env.fixture.produce(10);
      await w.herder.resumeConnector(env.name);
      await waitForState(w, env.name, 'RUNNING');
      await delivered(env, w, [...a, ...b]);
      expectSameMultiset(await env.ids(w), [...a, ...b], 'topic after stop/resume');
      await expectNoErrorLogs(w);
    });

    it('stop while polling (busy): PUT stop mid-stream gives STOPPED, no tasks, no error; resume continues exactly once', async () => {
      const env = await setup();
      const w = await env.harness.start();
      await create(env, w);
      const live = stream((n) => env.fixture.produce(n));
      await streaming(env, w, 0);
      await settlesWithin('PUT stop during a busy stream', w.herder.stopConnector(env.name));
      const a = await live.end();
      await expectStopped(w, env.name);
      const b = await env.fixture.produce(10);
      await w.herder.resumeConnector(env.name);
      await waitForState(w, env.name, 'RUNNING');
      await delivered(env, w, [...a, ...b]);
      expectSameMultiset(await env.ids(w), [...a, ...b], 'topic after a stop mid-stream and resume');
      await expectNoErrorLogs(w);
    });

    it('config errors: CONFIG_INVALID lists every error, validate() reports each key, nothing changes', async () => {
      const env = await setup();
      const w = await env.harness.start();
      await checkConfigErrors(w, env.name, { valid: env.config, invalidValues: adapter.invalidValues });
      await expectNoErrorLogs(w);
    });
  });
}
