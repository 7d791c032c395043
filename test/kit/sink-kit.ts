/**
 * The sink connector conformance kit: proves a sink connector keeps the runtime contract
 * (src/sdk/sink-task.ts) through the real runtime — a real EmbeddedLog in a temp dir, the real
 * StandaloneHerder, the worker's real converters. See README.md for how to use it.
 *
 * The kit writes records into a topic (converted with the worker's converters) and reads back what
 * the connector wrote to its external system. Throughout, it checks the commit rule: consumer group
 * `connect-<name>` never commits past what is in the output.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectorConfig } from '../../src/runtime/herder/herder.js';
import type { WorkerSettings } from '../../src/runtime/worker-settings.js';
import type { ConnectHeader, Schema } from '../../src/sdk/index.js';
import { useTempDirs } from '../support/temp-dir.js';
import {
  containsAll, expectBadRequest, expectNoErrorLogs, expectSameMultiset, expectStopped, missing, settlesWithin, stream, uniqueName, useFixtures, waitFor, waitForState, watchPaused,
} from './checks.js';
import { checkConfigErrors } from './config-errors.js';
import { kitConverters } from './runtime.js';
import { useWorkerHarnesses, type HarnessOptions, type RunningWorker, type WorkerHarness } from './worker-harness.js';

/** One record for the topic, as Connect data. */
export interface SinkInput {
  readonly keySchema?: Schema | null;
  readonly key?: unknown;
  readonly valueSchema?: Schema | null;
  readonly value: unknown;
  readonly headers?: readonly ConnectHeader[];
}

/** One case's external system, fresh and empty. */
export interface SinkFixture {
  /** A valid config (with `connector.class`, without `name`) consuming `topics` (the kit sets `topics` if absent). */
  config(topics: string): ConnectorConfig;
  /** The record number `seq` (0, 1, 2...) the kit writes to the topic. */
  record(seq: number): SinkInput;
  /** How record `seq` shows in the external system; unique per seq. */
  identity(seq: number): string;
  /** Everything in the external system now, as identities, duplicates kept. */
  readBack(): Promise<string[]>;
  close?(): Promise<void>;
}

export interface SinkConnectorAdapter {
  /** Builds the external system for one case inside `dir` (a fresh temp dir, removed afterwards). */
  setup(dir: string): Promise<SinkFixture> | SinkFixture;
  /** Invalid values of the connector's own keys, key → value, each reported in error (may be empty). */
  readonly invalidValues: Readonly<Record<string, string>>;
  readonly pluginModules?: readonly string[];
  /** Worker settings (converters...); the kit sets `offsetFlushIntervalMs` 200 unless given here. */
  readonly workerSettings?: Partial<WorkerSettings>;
  /** Partitions of the topic the kit writes (default 2). */
  readonly topicPartitions?: number;
  /** Records a `put` under way when a pause arrives may still write (default 0). */
  readonly maxRecordsInFlightAtPause?: number;
  /** How long the kit watches a paused connector, before and after a restart (default 1000 ms). */
  readonly pausedWatchMs?: number;
}

interface Produced {
  readonly seq: number;
  readonly partition: number;
  readonly offset: number;
  readonly id: string;
}

class SinkCase {
  readonly produced: Produced[] = [];
  private nextSeq = 0;

  constructor(
    readonly harness: WorkerHarness,
    readonly fixture: SinkFixture,
    readonly name: string,
    readonly topic: string,
    readonly partitions: number,
    readonly config: ConnectorConfig,
    private readonly encode: (r: SinkInput) => { key: Buffer | null; value: Buffer | null; headers: Array<{ key: string; value: Buffer | null }> },
  ) {}

  get group(): string {
    return `connect-${this.name}`;
  }

  async create(worker: RunningWorker): Promise<void> {
    await worker.herder.putConnectorConfig(this.name, this.config, { allowReplace: false });
    await waitForState(worker, this.name, 'RUNNING');
  }

  /** Writes `count` new records, round-robin over the partitions; resolves to their identities. */
  async produce(worker: RunningWorker, count: number): Promise<string[]> {
    const byPartition = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const seq = this.nextSeq++;
      const p = seq % this.partitions;
      if (!byPartition.has(p)) byPartition.set(p, []);
      byPartition.get(p)!.push(seq);
    }
    for (const [p, seqs] of byPartition) {
      for (let i = 0; i < seqs.length; i += 500) {
        const chunk = seqs.slice(i, i + 500);
        const base = await worker.append(this.topic, p, chunk.map((s) => this.encode(this.fixture.record(s))));
        chunk.forEach((seq, j) => this.produced.push({ seq, partition: p, offset: base + j, id: this.fixture.identity(seq) }));
      }
    }
    return this.produced.slice(-count).map((r) => r.id);
  }

  ids(records: readonly Produced[] = this.produced): string[] {
    return records.map((r) => r.id);
  }

  /** Identities of the records below the committed offsets (per partition). */
  below(committed: readonly number[]): string[] {
    return this.ids(this.produced.filter((r) => r.offset < (committed[r.partition] ?? 0)));
  }

  /** The group's committed offset per partition (0 when none), through the worker or a bare log. */
  async committed(source: RunningWorker | WorkerHarness): Promise<number[]> {
    const list = 'groupOffsets' in source ? await source.groupOffsets(this.group) : await source.withLog((log) => log.fetchOffsets(this.group));
    const out = new Array<number>(this.partitions).fill(0);
    for (const c of list) if (c.topic === this.topic) out[c.partition] = c.offset;
    return out;
  }

  /**
   * The commit rule, sampled: every record below the committed offsets is in the output. The
   * offsets are read first; the output only grows, so a later read cannot hide a violation.
   */
  async checkCommitRule(source: RunningWorker | WorkerHarness): Promise<{ committed: number[]; output: string[] }> {
    const committed = await this.committed(source);
    const output = await this.fixture.readBack();
    expect(missing(this.below(committed), output), `records committed in group ${this.group} but not in the output`).toEqual([]);
    return { committed, output };
  }

  /** Waits until the output holds `expected` and the group has committed everything produced. */
  async delivered(worker: RunningWorker, expected: readonly string[] = this.ids()): Promise<string[]> {
    return waitFor(
      'every record in the output and committed',
      async () => {
        const { committed, output } = await this.checkCommitRule(worker);
        const ends = await worker.endOffsets(this.topic);
        return containsAll(output, expected) && ends.every((e, p) => committed[p] === e) ? output : undefined;
      },
      {
        describe: async () => ({
          missing: missing(expected, await this.fixture.readBack()).slice(0, 10),
          committed: await this.committed(worker),
          ends: await worker.endOffsets(this.topic),
        }),
      },
    );
  }

  /** After a graceful stop: the output is exactly the records below the committed offsets. */
  async expectOutputMatchesCommitted(source: RunningWorker | WorkerHarness, what: string): Promise<void> {
    const committed = await this.committed(source);
    expectSameMultiset(await this.fixture.readBack(), this.below(committed), `${what}: output vs records below the committed offsets ${JSON.stringify(committed)}`);
  }
}

export function describeSinkConnectorConformance(connector: string, adapter: SinkConnectorAdapter): void {
  describe(`${connector}: sink connector conformance`, () => {
    // afterEach hooks run in reverse: workers stop, then fixtures close, then directories go.
    const tempDir = useTempDirs('tributary-kit-');
    const fixtures = useFixtures<SinkFixture>();
    const harnesses = useWorkerHarnesses();
    const options: HarnessOptions = { pluginModules: adapter.pluginModules, settings: adapter.workerSettings };
    const partitions = adapter.topicPartitions ?? 2;

    /** A fresh case; the topic is created by a first worker start (then stopped). */
    async function setup(): Promise<SinkCase> {
      const harness = harnesses(await tempDir(), options);
      const fixture = fixtures(await adapter.setup(await tempDir()));
      const name = uniqueName('kit-sink');
      const topic = `${name}-in`;
      const config = { topics: topic, ...fixture.config(topic) };
      const converters = await kitConverters({ dataDir: harness.dataDir, ...options }, config);
      const encode = (r: SinkInput) => {
        const headers = (r.headers ?? []).map((h) => ({ key: h.key, value: converters.header.fromConnectHeader(topic, h.key, h.schema, h.value) }));
        return {
          key: converters.key.fromConnectData(topic, r.keySchema ?? null, r.key ?? null, r.headers),
          value: converters.value.fromConnectData(topic, r.valueSchema ?? null, r.value, r.headers),
          headers,
        };
      };
      return new SinkCase(harness, fixture, name, topic, partitions, config, encode);
    }

    async function startWithTopic(c: SinkCase): Promise<RunningWorker> {
      const w = await c.harness.start();
      await w.createTopic(c.topic, c.partitions);
      return w;
    }

    it('delivers every record, commits group connect-<name> only after the output has it', async () => {
      const c = await setup();
      const w = await startWithTopic(c);
      await c.create(w);
      await c.produce(w, 40);
      const output = await c.delivered(w);
      expectSameMultiset(output, c.ids(), 'output');
      const offsets = await w.herder.connectorOffsets(c.name);
      const ends = await w.endOffsets(c.topic);
      expect(offsets.offsets).toEqual(ends.map((e, p) => ({ partition: { kafka_topic: c.topic, kafka_partition: p }, offset: { kafka_offset: e } })));
      expect((await w.herder.connectorActiveTopics(c.name))[c.name]!.topics).toContain(c.topic);
      await expectNoErrorLogs(w);
    });

    it('graceful restart: the output holds exactly what was committed, then nothing lost, nothing duplicated', async () => {
      const c = await setup();
      const w1 = await startWithTopic(c);
      await c.create(w1);
      await c.produce(w1, 30);
      await c.delivered(w1);
      const live = stream((n) => c.produce(w1, n));
      await waitFor('the stream to flow', async () => (await c.fixture.readBack()).length > 230);
      await live.end();
      await settlesWithin('graceful worker stop', w1.stop()); // records may be read but not yet committed
      await expectNoErrorLogs(w1);
      await c.expectOutputMatchesCommitted(c.harness, 'after a graceful stop');
      const w2 = await c.harness.start();
      await waitForState(w2, c.name, 'RUNNING');
      await c.produce(w2, 20);
      expectSameMultiset(await c.delivered(w2), c.ids(), 'output after a graceful restart');
      await expectNoErrorLogs(w2);
    });

    it('crash restart (kill -9 of the worker process mid-stream): committed records are in the output, nothing lost', async () => {
      const c = await setup();
      const child = await c.harness.spawn();
      await child.createTopic(c.topic, c.partitions);
      await c.create(child);
      const first = (await c.produce(child, 30)).length;
      await c.delivered(child);
      const live = stream((n) => c.produce(child, n));
      await waitFor('the stream to be committed', async () => (await c.committed(child)).reduce((x, y) => x + y, 0) > first + 200);
      await live.end();
      await expectNoErrorLogs(child);
      await child.kill(); // records may be read (or written) but not yet committed
      await c.checkCommitRule(c.harness); // what the crash left: nothing committed that is not in the output
      const w = await c.harness.start();
      await waitForState(w, c.name, 'RUNNING');
      await c.produce(w, 20);
      const output = await c.delivered(w);
      expect(missing(c.ids(), output)).toEqual([]);
      await expectNoErrorLogs(w);
    });

    it('offset resume: PATCH while STOPPED rewinds, survives a worker restart, and is refused while running', async () => {
      const c = await setup();
      const w1 = await startWithTopic(c);
      await c.create(w1);
      await c.produce(w1, 20);
      await c.delivered(w1);
      const ends = await w1.endOffsets(c.topic);
      const at = (p: number, offset: number) => ({ partition: { kafka_topic: c.topic, kafka_partition: p }, offset: { kafka_offset: offset } });
      const rewindTo = Math.max(0, ends[0]! - 6);
      const patch = { offsets: [at(0, rewindTo)] };
      await expectBadRequest(w1.herder.alterConnectorOffsets(c.name, patch), 'PATCH offsets while RUNNING');

      await w1.herder.stopConnector(c.name);
      await expectStopped(w1, c.name);
      expect((await w1.herder.connectorOffsets(c.name)).offsets).toEqual(ends.map((e, p) => at(p, e)));
      await w1.herder.alterConnectorOffsets(c.name, patch);
      expect((await w1.herder.connectorOffsets(c.name)).offsets).toEqual(ends.map((e, p) => at(p, p === 0 ? rewindTo : e)));
      const replayed = c.ids(c.produced.filter((r) => r.partition === 0 && r.offset >= rewindTo));
      await c.produce(w1, 10); // while STOPPED
      await w1.stop();

      const w2 = await c.harness.start();
      await expectStopped(w2, c.name);
      await w2.herder.resumeConnector(c.name);
      await waitForState(w2, c.name, 'RUNNING');
      const expected = [...c.ids(), ...replayed];
      expectSameMultiset(await c.delivered(w2, expected), expected, 'output after the rewind (partition 0 replayed from the patched offset)');
      await expectNoErrorLogs(w1);
      await expectNoErrorLogs(w2);
    });

    it('pause/resume: nothing is written or committed while PAUSED, nor after a worker restart; resume delivers everything once', async () => {
      const c = await setup();
      const w1 = await startWithTopic(c);
      await c.create(w1);
      await c.produce(w1, 20);
      await c.delivered(w1);
      await w1.herder.pauseConnector(c.name);
      await waitForState(w1, c.name, 'PAUSED');
      const outputBefore = (await c.fixture.readBack()).length;
      const committedBefore = c.below(await c.committed(w1)).length;
      await c.produce(w1, 30);
      const slack = adapter.maxRecordsInFlightAtPause ?? 0;
      const watch = (w: RunningWorker) =>
        watchPaused(adapter.pausedWatchMs ?? 1000, async () => {
          const { committed, output } = await c.checkCommitRule(w);
          expect(output.length - outputBefore, 'records written while PAUSED').toBeLessThanOrEqual(slack);
          expect(c.below(committed).length - committedBefore, 'records committed while PAUSED').toBeLessThanOrEqual(slack);
          expect((await w.herder.connectorStatus(c.name)).connector.state).toBe('PAUSED');
        });
      await watch(w1);
      await w1.stop();
      const w2 = await c.harness.start();
      await waitForState(w2, c.name, 'PAUSED'); // the target state survives a restart
      await watch(w2);
      await w2.herder.resumeConnector(c.name);
      await waitForState(w2, c.name, 'RUNNING');
      expectSameMultiset(await c.delivered(w2), c.ids(), 'output after pause/resume');
      await expectNoErrorLogs(w1);
      await expectNoErrorLogs(w2);
    });

    it('stop while polling (idle): PUT stop during a long poll gives STOPPED, no tasks, no error; resume continues', async () => {
      const c = await setup();
      const w = await startWithTopic(c);
      await c.create(w);
      await c.produce(w, 10);
      await c.delivered(w);
      await settlesWithin('PUT stop during an idle poll', w.herder.stopConnector(c.name));
      await expectStopped(w, c.name);
      await c.expectOutputMatchesCommitted(w, 'after PUT stop');
      await c.produce(w, 10);
      await w.herder.resumeConnector(c.name);
      await waitForState(w, c.name, 'RUNNING');
      expectSameMultiset(await c.delivered(w), c.ids(), 'output after stop/resume');
      await expectNoErrorLogs(w);
    });

    it('stop while polling (busy): PUT stop mid-stream gives STOPPED, no tasks, no error; resume continues exactly once', async () => {
      const c = await setup();
      const w = await startWithTopic(c);
      await c.create(w);
      const live = stream((n) => c.produce(w, n));
      await waitFor('the stream to flow', async () => (await c.fixture.readBack()).length > 200);
      await settlesWithin('PUT stop during a busy stream', w.herder.stopConnector(c.name));
      await live.end();
      await expectStopped(w, c.name);
      await c.expectOutputMatchesCommitted(w, 'after PUT stop mid-stream');
      await c.produce(w, 10);
      await w.herder.resumeConnector(c.name);
      await waitForState(w, c.name, 'RUNNING');
      expectSameMultiset(await c.delivered(w), c.ids(), 'output after a stop mid-stream and resume');
      await expectNoErrorLogs(w);
    });

    it('config errors: CONFIG_INVALID lists every error, validate() reports each key, nothing changes', async () => {
      const c = await setup();
      const w = await startWithTopic(c);
      await checkConfigErrors(w, c.name, {
        valid: c.config,
        alsoRequired: ['topics'],
        // An invalid regex, also set together with `topics` (two runtime errors).
        invalidValues: { ...adapter.invalidValues, 'topics.regex': '(' },
      });
      await expectNoErrorLogs(w);
    });
  });
}
