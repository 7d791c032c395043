/**
 * `GET|PATCH|DELETE /connectors/{c}/offsets` (KIP-875) through HTTP against a real standalone
 * worker. Offsets are observed after real data flowed (a FileStreamSource's byte positions in the
 * offsets topic, a FileStreamSink's consumer-group positions), and every change is checked by what
 * the connectors then deliver.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectEmpty, expectError, expectFile, pollJson, useRestWorkers, waitForState, type RestWorker } from '../support/rest-harness.js';

const workers = useRestWorkers();

const NOT_STOPPED = (name: string) =>
  `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`;
const ALTERED = { message: 'The offsets for this connector have been altered successfully' };
const RESET = { message: 'The offsets for this connector have been reset successfully' };
const LINES = 'one\ntwo\nthree\n';

interface Setup {
  w: RestWorker;
  input: string;
  output: string;
  sourcePartition: { filename: string };
  sinkPartition: { kafka_topic: string; kafka_partition: number };
}

/**
 * `src` reads input.txt into topic `lines`, `sink` appends `lines` to output.txt. With `flowed`,
 * LINES are written first and waited for until both connectors' offsets show them.
 */
async function setup(options: { sourceState?: 'STOPPED'; input?: string; flowed?: boolean } = {}): Promise<Setup> {
  const w = await workers.start();
  const dir = await workers.tempDir();
  const input = join(dir, 'input.txt');
  const output = join(dir, 'output.txt');
  await writeFile(input, options.input ?? '');
  const source = { 'connector.class': 'FileStreamSource', file: input, topic: 'lines' };
  const sink = { 'connector.class': 'FileStreamSink', file: output, topics: 'lines' };
  const initial = options.sourceState ? { initial_state: options.sourceState } : {};
  expect((await w.call('POST', '/connectors', { name: 'src', config: source, ...initial })).status).toBe(201);
  expect((await w.call('POST', '/connectors', { name: 'sink', config: sink })).status).toBe(201);
  const s: Setup = { w, input, output, sourcePartition: { filename: input }, sinkPartition: { kafka_topic: 'lines', kafka_partition: 0 } };
  if (options.flowed) {
    await appendFile(input, LINES);
    await expectFile(output, LINES);
    await pollJson(w, '/connectors/src/offsets', (j) => j.offsets[0]?.offset.position === LINES.length);
    await pollJson(w, '/connectors/sink/offsets', (j) => j.offsets[0]?.offset.kafka_offset === 3);
  }
  return s;
}

async function stop(w: RestWorker, name: string): Promise<void> {
  expectEmpty(await w.call('PUT', `/connectors/${name}/stop`), 204);
}

async function resume(w: RestWorker, name: string): Promise<void> {
  expectEmpty(await w.call('PUT', `/connectors/${name}/resume`), 202);
  await waitForState(w, name, 'RUNNING', 'RUNNING', 1);
}

describe('GET offsets', () => {
  it('is empty before any data, then shows the source position and the sink group offset once data flowed', async () => {
    const { w, input, output, sourcePartition, sinkPartition } = await setup();
    await waitForState(w, 'src', 'RUNNING', 'RUNNING', 1);
    expect((await w.call('GET', '/connectors/src/offsets')).json).toEqual({ offsets: [] });
    expect((await w.call('GET', '/connectors/sink/offsets')).json).toEqual({ offsets: [] });
    await appendFile(input, LINES);
    await expectFile(output, LINES);
    expect(await pollJson(w, '/connectors/src/offsets', (j) => j.offsets.length > 0 && j.offsets[0].offset.position === LINES.length)).toEqual({
      offsets: [{ partition: sourcePartition, offset: { position: LINES.length, inode: expect.stringMatching(/^\d+$/) } }],
    });
    expect(await pollJson(w, '/connectors/sink/offsets', (j) => j.offsets.length > 0 && j.offsets[0].offset.kafka_offset === 3)).toEqual({
      offsets: [{ partition: sinkPartition, offset: { kafka_offset: 3 } }],
    });
    // Works in any state.
    await stop(w, 'src');
    expect((await w.call('GET', '/connectors/src/offsets')).json.offsets[0].offset.position).toBe(LINES.length);
  });
});

describe('PATCH and DELETE need a STOPPED connector', () => {
  it('answer 400 with Kafka Connect\'s message while RUNNING or PAUSED, and change nothing', async () => {
    const { w, sourcePartition } = await setup({ flowed: true });
    const before = (await w.call('GET', '/connectors/src/offsets')).json;
    const body = { offsets: [{ partition: sourcePartition, offset: { position: 0 } }] };
    for (const name of ['src', 'sink']) {
      expectError(await w.call('PATCH', `/connectors/${name}/offsets`, body), 400, NOT_STOPPED(name));
      expectError(await w.call('DELETE', `/connectors/${name}/offsets`), 400, NOT_STOPPED(name));
    }
    expectEmpty(await w.call('PUT', '/connectors/src/pause'), 202);
    await waitForState(w, 'src', 'PAUSED', 'PAUSED', 1);
    expectError(await w.call('PATCH', '/connectors/src/offsets', body), 400, NOT_STOPPED('src'));
    expectError(await w.call('DELETE', '/connectors/src/offsets'), 400, NOT_STOPPED('src'));
    expect((await w.call('GET', '/connectors/src/offsets')).json).toEqual(before);
  });

  it('a PATCH body without offsets, or with malformed entries, is 400', async () => {
    const { w, sourcePartition, sinkPartition } = await setup({ sourceState: 'STOPPED' });
    await stop(w, 'sink');
    const path = '/connectors/src/offsets';
    expectError(await w.call('PATCH', path, {}), 400, 'Partitions / offsets need to be provided for an alter offsets request');
    expectError(await w.call('PATCH', path, { offsets: [] }), 400, 'Partitions / offsets need to be provided for an alter offsets request');
    expectError(await w.call('PATCH', path, { offsets: [{ partition: 'f', offset: null }] }), 400, 'The partition for an offsets entry must be a JSON object');
    expectError(
      await w.call('PATCH', path, { offsets: [{ partition: sourcePartition, offset: { position: -1 } }] }),
      400,
      "Failed to alter offsets for connector src: The value for the 'position' key in the offset should be a non-negative value, got -1",
    );
    expectError(
      await w.call('PATCH', '/connectors/sink/offsets', { offsets: [{ partition: { ...sinkPartition, kafka_partition: 'zero' }, offset: { kafka_offset: 1 } }] }),
      400,
      'offsets[0]: the partition must have a non-negative integer "kafka_partition"',
    );
    expect((await w.call('GET', path)).json).toEqual({ offsets: [] });
  });
});

describe('source offsets', () => {
  it('PATCH sets the position; on resume the source skips the lines before it', async () => {
    const input = 'l1\nl2\nl3\nl4\nl5\n';
    const { w, output, sourcePartition } = await setup({ sourceState: 'STOPPED', input });
    const skip = 'l1\nl2\nl3\n'.length;
    const patched = await w.call('PATCH', '/connectors/src/offsets', { offsets: [{ partition: sourcePartition, offset: { position: skip } }] });
    expect([patched.status, patched.json]).toEqual([200, ALTERED]);
    expect((await w.call('GET', '/connectors/src/offsets')).json).toEqual({ offsets: [{ partition: sourcePartition, offset: { position: skip } }] });
    await resume(w, 'src');
    await expectFile(output, 'l4\nl5\n');
    await pollJson(w, '/connectors/src/offsets', (j) => j.offsets[0]?.offset.position === input.length);
  });

  it('DELETE resets: the offsets are gone and on resume the source reads the file again from the start', async () => {
    const { w, output } = await setup({ flowed: true });
    await stop(w, 'src');
    const reset = await w.call('DELETE', '/connectors/src/offsets');
    expect([reset.status, reset.json]).toEqual([200, RESET]);
    expect((await w.call('GET', '/connectors/src/offsets')).json).toEqual({ offsets: [] });
    await resume(w, 'src');
    await expectFile(output, LINES + LINES);
  });

  it('PATCH with a null offset removes that partition', async () => {
    const { w, sourcePartition } = await setup({ flowed: true });
    await stop(w, 'src');
    const patched = await w.call('PATCH', '/connectors/src/offsets', { offsets: [{ partition: sourcePartition, offset: null }] });
    expect([patched.status, patched.json]).toEqual([200, ALTERED]);
    expect((await w.call('GET', '/connectors/src/offsets')).json).toEqual({ offsets: [] });
  });
});

describe('sink offsets', () => {
  it('PATCH moves the group\'s position: on resume the sink delivers again from there', async () => {
    const { w, output, sinkPartition } = await setup({ flowed: true });
    await stop(w, 'sink');
    const patched = await w.call('PATCH', '/connectors/sink/offsets', { offsets: [{ partition: sinkPartition, offset: { kafka_offset: 1 } }] });
    expect([patched.status, patched.json]).toEqual([200, ALTERED]);
    expect((await w.call('GET', '/connectors/sink/offsets')).json).toEqual({ offsets: [{ partition: sinkPartition, offset: { kafka_offset: 1 } }] });
    await resume(w, 'sink');
    await expectFile(output, LINES + 'two\nthree\n');
    await pollJson(w, '/connectors/sink/offsets', (j) => j.offsets[0]?.offset.kafka_offset === 3);
  });

  it('DELETE removes the group\'s offsets: on resume the sink delivers everything again', async () => {
    const { w, output } = await setup({ flowed: true });
    await stop(w, 'sink');
    const reset = await w.call('DELETE', '/connectors/sink/offsets');
    expect([reset.status, reset.json]).toEqual([200, RESET]);
    expect((await w.call('GET', '/connectors/sink/offsets')).json).toEqual({ offsets: [] });
    await resume(w, 'sink');
    await expectFile(output, LINES + LINES);
  });
});
