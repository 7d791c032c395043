/**
 * FileStreamSink through the SDK contracts: the task started, fed with `put`, flushed and stopped
 * as the runtime does it, writing real files.
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileStreamSinkConnector, FileStreamSinkTask, type FileSinkTaskOptions } from '../../connectors/file/index.js';
import { ConnectError, Decimal, SchemaBuilder, Schemas, Struct, type SinkRecord, type SinkTaskContext, type TaskLogger } from '../../src/sdk/index.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('tributary-file-sink-');
const running: FileStreamSinkTask[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const t of running.splice(0)) await t.stop();
});

const noop = () => {};
const logger = { debug: noop, info: noop, warn: noop, error: noop } as TaskLogger;

function context(): SinkTaskContext {
  const errantRecordReporter = {
    report: (_r: SinkRecord, e: Error): Promise<void> => {
      throw e;
    },
  };
  return { logger, connector: 'file-sink', taskId: 0, assignment: () => [], pause: noop, resume: noop, seek: noop, requestCommit: noop, errantRecordReporter };
}

let nextOffset = 0;
function record(value: unknown): SinkRecord {
  const offset = nextOffset++;
  return {
    topic: 't', kafkaPartition: 0, kafkaOffset: offset, keySchema: null, key: null, valueSchema: null, value,
    timestamp: null, timestampType: 'CreateTime', headers: [], originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: offset,
  };
}

async function startTask(file: string, opts: FileSinkTaskOptions = {}): Promise<FileStreamSinkTask> {
  const task = new FileStreamSinkTask(opts);
  await task.start({ file }, context());
  running.push(task);
  return task;
}

/** The FileHandle prototype, to watch the task's writes and syncs. */
async function fileHandlePrototype(dir: string): Promise<object> {
  const fd = await open(join(dir, 'probe'), 'w');
  await fd.close();
  return Object.getPrototypeOf(fd) as object;
}

describe('FileStreamSinkTask', () => {
  it('appends one line per value: strings, null as "null", bytes as UTF-8, structs and maps as Kafka prints them', async () => {
    const file = join(await tempDir(), 'out.txt');
    await writeFile(file, 'existing\n');
    const task = await startTask(file);
    const schema = SchemaBuilder.struct().field('id', Schemas.INT32).field('name', Schemas.OPTIONAL_STRING).build();
    await task.put([record('hello'), record(null), record(Buffer.from('grüße €', 'utf8')), record(42)]);
    await task.put([record(new Struct(schema).put('id', 1).put('name', 'x')), record(new Map([['k', 1]])), record({ a: [1, 'b'] })]);
    await task.put([record(new Decimal(-1234n, 2)), record(new Decimal(123n, 10)), record(new Decimal(15n, -400))]);
    await task.flush([]);
    // Decimals as Java's BigDecimal.toString prints them.
    expect(await readFile(file, 'utf8')).toBe('existing\nhello\nnull\ngrüße €\n42\nStruct{id=1,name=x}\n{k=1}\n{a=[1, b]}\n-12.34\n1.23E-8\n1.5E+401\n');
  });

  it('buffers puts below the bound and writes them, then syncs, before flush resolves', async () => {
    const dir = await tempDir();
    const file = join(dir, 'out.txt');
    const proto = await fileHandlePrototype(dir);
    const write = vi.spyOn(proto as { write: (...a: unknown[]) => Promise<unknown> }, 'write');
    const datasync = vi.spyOn(proto as { datasync: () => Promise<void> }, 'datasync');
    const task = await startTask(file);
    await task.put([record('a'), record('b')]);
    await task.put([record('c')]);
    expect(await readFile(file, 'utf8')).toBe('');
    expect(write).not.toHaveBeenCalled();
    await task.flush([{ topic: 't', partition: 0, offset: 3 }]);
    expect(write).toHaveBeenCalledTimes(1);
    expect(datasync).toHaveBeenCalledTimes(1);
    expect(write.mock.invocationCallOrder[0]!).toBeLessThan(datasync.mock.invocationCallOrder[0]!);
    expect(await readFile(file, 'utf8')).toBe('a\nb\nc\n');
  });

  it('writes a put batch in one write once the buffer passes its bound', async () => {
    const dir = await tempDir();
    const file = join(dir, 'big.txt');
    const proto = await fileHandlePrototype(dir);
    const write = vi.spyOn(proto as { write: (...a: unknown[]) => Promise<unknown> }, 'write');
    const task = await startTask(file, { maxBufferedBytes: 100 });
    const batch = Array.from({ length: 50 }, (_, i) => record(`value ${i}`));
    await task.put(batch);
    expect(write).toHaveBeenCalledTimes(1);
    expect(await readFile(file, 'utf8')).toBe(batch.map((r) => `${String(r.value)}\n`).join(''));
  });

  it('syncs in the background after a bound-passing write, and a failed background sync fails every later flush', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bg.txt');
    const proto = await fileHandlePrototype(dir);
    const datasync = vi.spyOn(proto as { datasync: () => Promise<void> }, 'datasync').mockRejectedValueOnce(new Error('EIO: i/o error, fdatasync'));
    const task = new FileStreamSinkTask({ maxBufferedBytes: 10 });
    await task.start({ file }, context());
    await task.put([record('0123456789ab')]);
    expect(datasync).toHaveBeenCalledTimes(1); // started by put, not awaited by it
    await expect(task.flush([])).rejects.toThrow(`FileStreamSink cannot sync ${file}: EIO: i/o error, fdatasync`);
    await task.put([record('more')]);
    await expect(task.flush([])).rejects.toBeInstanceOf(ConnectError);
    await expect(task.stop()).rejects.toBeInstanceOf(ConnectError);
    expect(await readFile(file, 'utf8')).toBe('0123456789ab\nmore\n');
  });

  it('cuts off an unterminated tail (a write torn by a crash) before appending; a terminated file is kept', async () => {
    const dir = await tempDir();
    const torn = join(dir, 'torn.txt');
    await writeFile(torn, 'line-1\nline-2\nline-3 half');
    const task = await startTask(torn);
    await task.put([record('line-3'), record('line-4')]);
    await task.flush([]);
    expect(await readFile(torn, 'utf8')).toBe('line-1\nline-2\nline-3\nline-4\n');
    const fragmentOnly = join(dir, 'fragment.txt');
    await writeFile(fragmentOnly, 'no line break at all');
    const t2 = await startTask(fragmentOnly);
    await t2.flush([]);
    expect(await readFile(fragmentOnly, 'utf8')).toBe('');
    const whole = join(dir, 'whole.txt');
    await writeFile(whole, 'a\nb\n');
    const t3 = await startTask(whole);
    await t3.flush([]);
    expect(await readFile(whole, 'utf8')).toBe('a\nb\n');
  });

  it('flushes and closes on stop', async () => {
    const file = join(await tempDir(), 'stop.txt');
    const task = new FileStreamSinkTask();
    await task.start({ file }, context());
    await task.put([record('last')]);
    await task.stop();
    expect(await readFile(file, 'utf8')).toBe('last\n');
  });

  it('fails to start with a ConnectError naming the path when its directory does not exist', async () => {
    const file = join(await tempDir(), 'missing', 'out.txt');
    const task = new FileStreamSinkTask();
    const started = task.start({ file }, context());
    await expect(started).rejects.toBeInstanceOf(ConnectError);
    await expect(started).rejects.toThrow(`FileStreamSink cannot open ${file} for appending: directory ${join(file, '..')} does not exist`);
  });
});

describe('FileStreamSinkConnector', () => {
  it('declares an optional file, starts tasks.max identical tasks and accepts any offsets', () => {
    const c = new FileStreamSinkConnector();
    expect(c.config().validate({}).flatMap((r) => r.errors)).toEqual([]);
    c.start({ file: '/tmp/out', topics: 't' }, { requestTaskReconfiguration: noop, raiseError: noop, logger });
    expect(c.taskConfigs(3)).toEqual([1, 2, 3].map(() => ({ file: '/tmp/out', topics: 't' })));
    expect(c.alterOffsets({}, [{ partition: { kafka_topic: 't', kafka_partition: 0 }, offset: { kafka_offset: 7 } }, { partition: {}, offset: null }])).toBe(true);
  });
});
