/**
 * FileStreamSource through the SDK contracts: the connector's config and offsets checks, and the
 * task driven as the runtime drives it (start with a stored offset, poll with a signal, stop), on
 * real files. The runtime's own conformance kit comes later.
 */
import { appendFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fileConnectorPlugins,
  FileStreamSourceConnector,
  FileStreamSourceTask,
  type FileSourceTaskOptions,
} from '../../connectors/file/index.js';
import { LineSplitter, type InputState } from '../../connectors/file/line-reader.js';
import { ConfigError, Schemas, type OffsetMap, type SourceRecord, type SourceTaskContext, type TaskLogger } from '../../src/sdk/index.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('tributary-file-source-');
const running: FileStreamSourceTask[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.stop();
});

interface LogEntry { level: string; msg: string }

function captureLogger(entries: LogEntry[]): TaskLogger {
  const at = (level: string) => (a: object | string, b?: string) => void entries.push({ level, msg: typeof a === 'string' ? a : (b ?? '') });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as TaskLogger;
}

/** A SourceTaskContext whose offsets come from an in-memory map keyed by the partition's JSON. */
function context(stored: Record<string, OffsetMap> = {}, logs: LogEntry[] = []): SourceTaskContext {
  return {
    connector: 'file-source',
    taskId: 0,
    logger: captureLogger(logs),
    offsetStorageReader: {
      offset: async (p) => stored[JSON.stringify(p)] ?? null,
      offsets: async (ps) => ps.flatMap((partition) => (stored[JSON.stringify(partition)] ? [{ partition, offset: stored[JSON.stringify(partition)]! }] : [])),
    },
  };
}

const FAST: FileSourceTaskOptions = { checkIntervalMs: 10, maxWaitMs: 100 };

async function startTask(file: string | null, opts: FileSourceTaskOptions = {}, stored: OffsetMap | null = null, extra: Record<string, string> = {}, logs: LogEntry[] = []) {
  const task = new FileStreamSourceTask({ ...FAST, ...opts });
  running.push(task);
  const props: Record<string, string> = { topic: 'lines', ...extra };
  if (file !== null) props.file = file;
  await task.start(props, context(stored && file ? { [JSON.stringify({ filename: file })]: stored } : {}, logs));
  return task;
}

/** Polls until `n` records arrived (failing after 5 s); never returns more than it got. */
async function pollUntil(task: FileStreamSourceTask, n: number): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  const deadline = Date.now() + 5000;
  while (out.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${out.length} of ${n} records: ${JSON.stringify(out.map((r) => r.value))}`);
    out.push(...(await task.poll(new AbortController().signal)));
  }
  return out;
}

const values = (rs: readonly SourceRecord[]) => rs.map((r) => r.value);
const positions = (rs: readonly SourceRecord[]) => rs.map((r) => r.sourceOffset?.position);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Lines of `text` with the byte position after each terminator, computed independently. */
function expectedLines(text: string): { lines: string[]; ends: number[] } {
  const lines: string[] = [];
  const ends: number[] = [];
  const re = /([^\r\n]*)(\r\n|\r|\n)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text))) {
    lines.push(m[1]!);
    end += bytes(m[0]);
    ends.push(end);
  }
  return { lines, ends };
}

describe('FileStreamSourceTask', () => {
  it('emits one optional-string record per line ended by \\n, \\r\\n or \\r, with byte positions', async () => {
    const file = join(await tempDir(), 'in.txt');
    await writeFile(file, 'a\nb\r\nc\rdé\n\nlast\n');
    const task = await startTask(file);
    const rs = await pollUntil(task, 6);
    expect(values(rs)).toEqual(['a', 'b', 'c', 'dé', '', 'last']);
    expect(positions(rs)).toEqual([2, 5, 7, 11, 12, 17]);
    const ino = String((await stat(file)).ino);
    expect(rs[0]).toMatchObject({ topic: 'lines', key: null, keySchema: null, valueSchema: Schemas.OPTIONAL_STRING, sourcePartition: { filename: file } });
    expect(rs[0]!.sourceOffset).toEqual({ position: 2, inode: ino });
  });

  it('never splits a multi-byte character or a \\r\\n across read chunks', async () => {
    const text = 'héllo wörld\r\n€uro\n😀 emoji 😀\r日本語のテキスト\r\n\nmix é€😀\n';
    const { lines, ends } = expectedLines(text);
    const file = join(await tempDir(), 'utf8.txt');
    await writeFile(file, text);
    for (const chunk of [1, 2, 3, 4, 5, 7, 64]) {
      const task = await startTask(file, { readChunkBytes: chunk });
      const rs = await pollUntil(task, lines.length);
      expect(values(rs), `chunk ${chunk}`).toEqual(lines);
      expect(positions(rs), `chunk ${chunk}`).toEqual(ends);
    }
  });

  it('resumes at a stored byte position after multi-byte characters with exactly the remaining lines', async () => {
    const file = join(await tempDir(), 'resume.txt');
    const head = 'héllo\nwörld €\n';
    await writeFile(file, `${head}日本\nend\n`);
    const ino = String((await stat(file)).ino);
    for (const stored of [{ position: bytes(head) }, { position: bytes(head), inode: ino }]) {
      const task = await startTask(file, { readChunkBytes: 4 }, stored);
      const rs = await pollUntil(task, 2);
      expect(values(rs)).toEqual(['日本', 'end']);
      expect(positions(rs)).toEqual([bytes(head) + 7, bytes(head) + 11]);
      expect(await task.poll(new AbortController().signal)).toEqual([]);
    }
  });

  it('reads from the start when the stored offset belongs to another inode or lies past the end', async () => {
    const file = join(await tempDir(), 'other.txt');
    await writeFile(file, 'x\ny\n');
    for (const stored of [{ position: 2, inode: '1' }, { position: 99 }]) {
      const logs: LogEntry[] = [];
      const task = await startTask(file, {}, stored, {}, logs);
      expect(values(await pollUntil(task, 2))).toEqual(['x', 'y']);
      expect(logs.some((l) => /reading from the start/.test(l.msg))).toBe(true);
    }
  });

  it('withholds an unterminated last line until its terminator is written', async () => {
    const file = join(await tempDir(), 'partial.txt');
    await writeFile(file, 'a\npart');
    const task = await startTask(file);
    expect(values(await pollUntil(task, 1))).toEqual(['a']);
    expect(await task.poll(new AbortController().signal)).toEqual([]);
    await appendFile(file, 'ial\nnext');
    const rs = await pollUntil(task, 1);
    expect(values(rs)).toEqual(['partial']);
    expect(positions(rs)).toEqual([10]);
  });

  it('ends a line at a \\r that is the last byte, and skips the \\n that may follow it, also after a restart', async () => {
    const file = join(await tempDir(), 'cr.txt');
    await writeFile(file, 'x\r');
    const task = await startTask(file);
    const first = await pollUntil(task, 1);
    expect(values(first)).toEqual(['x']);
    await appendFile(file, '\ny\n');
    expect(values(await pollUntil(task, 1))).toEqual(['y']);
    const again = await startTask(file, {}, first[0]!.sourceOffset);
    expect(values(await pollUntil(again, 1))).toEqual(['y']);
  });

  it('tails the file: lines appended after the end arrive in a later poll', async () => {
    const file = join(await tempDir(), 'tail.txt');
    await writeFile(file, '1\n');
    const task = await startTask(file, { maxWaitMs: 1000 });
    expect(values(await pollUntil(task, 1))).toEqual(['1']);
    const polling = task.poll(new AbortController().signal);
    setTimeout(() => void appendFile(file, '2\n3\n'), 50);
    expect(values(await polling)).toEqual(['2', '3']);
  });

  it('after a rotation reads the old file to its end, its unterminated tail included, then the new one', async () => {
    const dir = await tempDir();
    const file = join(dir, 'app.log');
    await writeFile(file, 'a\nb\n');
    const oldIno = String((await stat(file)).ino);
    const task = await startTask(file, { readChunkBytes: 3 });
    expect(values(await pollUntil(task, 2))).toEqual(['a', 'b']);
    await rename(file, join(dir, 'app.log.1'));
    expect(await task.poll(new AbortController().signal)).toEqual([]);
    await appendFile(join(dir, 'app.log.1'), 'c\nd');
    await writeFile(file, 'e\nf\n');
    const newIno = String((await stat(file)).ino);
    const rs = await pollUntil(task, 4);
    expect(values(rs)).toEqual(['c', 'd', 'e', 'f']);
    expect(rs.map((r) => r.sourceOffset)).toEqual([
      { position: 6, inode: oldIno },
      { position: 7, inode: oldIno },
      { position: 2, inode: newIno },
      { position: 4, inode: newIno },
    ]);
    expect(await task.poll(new AbortController().signal)).toEqual([]);
  });

  it('finishes a deleted file, its unterminated tail included, and reads a new one from the start', async () => {
    const file = join(await tempDir(), 'gone.txt');
    await writeFile(file, 'a\n');
    const task = await startTask(file);
    expect(values(await pollUntil(task, 1))).toEqual(['a']);
    await appendFile(file, 'b\ntail');
    await rm(file);
    expect(values(await pollUntil(task, 2))).toEqual(['b', 'tail']);
    await writeFile(file, 'new\n');
    const rs = await pollUntil(task, 1);
    expect(values(rs)).toEqual(['new']);
    expect(positions(rs)).toEqual([4]);
  });

  it('reads lines much longer than a read chunk', async () => {
    const file = join(await tempDir(), 'long.txt');
    const long = 'é'.repeat(50_000);
    await writeFile(file, `${long}\nshort\n${long}x\n`);
    const task = await startTask(file, { readChunkBytes: 1000 });
    expect(values(await pollUntil(task, 3))).toEqual([long, 'short', `${long}x`]);
  });

  it('reads a truncated file again from the start', async () => {
    const file = join(await tempDir(), 'trunc.txt');
    await writeFile(file, 'aaa\nbbb\n');
    const logs: LogEntry[] = [];
    const task = await startTask(file, {}, null, {}, logs);
    expect(values(await pollUntil(task, 2))).toEqual(['aaa', 'bbb']);
    await truncate(file, 0);
    await appendFile(file, 'c\n');
    const rs = await pollUntil(task, 1);
    expect(values(rs)).toEqual(['c']);
    expect(positions(rs)).toEqual([2]);
    expect(logs.some((l) => l.level === 'warn' && /truncated/.test(l.msg))).toBe(true);
  });

  it('waits for a missing file, logging once, and reads it once created', async () => {
    const file = join(await tempDir(), 'later.txt');
    const logs: LogEntry[] = [];
    const task = await startTask(file, {}, null, {}, logs);
    expect(await task.poll(new AbortController().signal)).toEqual([]);
    expect(await task.poll(new AbortController().signal)).toEqual([]);
    expect(logs.filter((l) => /Couldn't find file/.test(l.msg))).toHaveLength(1);
    await writeFile(file, 'hello\n');
    expect(values(await pollUntil(task, 1))).toEqual(['hello']);
  });

  it('returns from poll once the signal aborts', async () => {
    const file = join(await tempDir(), 'idle.txt');
    await writeFile(file, '');
    const task = await startTask(file, { maxWaitMs: 60_000, checkIntervalMs: 30_000 });
    const ac = new AbortController();
    const polling = task.poll(ac.signal);
    setTimeout(() => ac.abort(), 20);
    expect(await polling).toEqual([]);
    expect(await task.poll(ac.signal)).toEqual([]);
  });

  it('returns at most batch.size records per poll', async () => {
    const file = join(await tempDir(), 'batch.txt');
    await writeFile(file, Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
    const task = await startTask(file, {}, null, { 'batch.size': '3' });
    const sizes: number[] = [];
    const all: SourceRecord[] = [];
    while (all.length < 10) {
      const rs = await task.poll(new AbortController().signal);
      sizes.push(rs.length);
      all.push(...rs);
    }
    expect(sizes).toEqual([3, 3, 3, 1]);
    expect(values(all)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`));
  });

  it('reads standard input without offsets when no file is set', async () => {
    const stdin = new PassThrough();
    const task = await startTask(null, { stdin });
    stdin.write('one\ntw');
    stdin.end('o');
    const rs = await pollUntil(task, 2);
    expect(values(rs)).toEqual(['one', 'two']);
    expect(rs.every((r) => r.sourcePartition === null && r.sourceOffset === null)).toBe(true);
  });
});

describe('LineSplitter', () => {
  it('cuts any chunking of any text into the lines BufferedReader reads, with byte ends', () => {
    const piece = fc.constantFrom('a', 'bc', 'é', '€', '😀', '\n', '\r', '\r\n', '');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (pieces, cuts, eofAtCuts) => {
        const text = pieces.join('');
        const data = Buffer.from(text, 'utf8');
        const splitter = new LineSplitter(0, false, 4);
        const got: string[] = [];
        const ends: number[] = [];
        const drain = (input: InputState) => {
          for (let l; (l = splitter.next(input)); ) got.push(l.text), ends.push(l.end);
        };
        for (let at = 0, i = 0; at < data.length; i++) {
          const n = Math.min(cuts[i % cuts.length]!, data.length - at);
          splitter.push(data.subarray(at, at + n));
          at += n;
          drain(eofAtCuts ? 'eof' : 'more');
        }
        drain('final');
        const { lines, ends: expectedEnds } = expectedLines(text);
        const rest = text.slice(text.search(/[^\r\n]*$/));
        expect(got).toEqual(rest === '' ? lines : [...lines, rest]);
        // With 'eof' at every cut a '\r\n' split by a cut ends after its '\r'; otherwise ends are exact.
        if (!eofAtCuts) expect(ends).toEqual(rest === '' ? expectedEnds : [...expectedEnds, data.length]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('FileStreamSourceConnector', () => {
  const connector = new FileStreamSourceConnector();
  const errorsOf = (props: Record<string, string>) =>
    Object.fromEntries(connector.config().validate(props).filter((r) => r.errors.length > 0).map((r) => [r.name, r.errors]));

  it('declares file, topic and batch.size with Kafka defaults', () => {
    expect(errorsOf({ topic: 't' })).toEqual({});
    const report = connector.config().validate({ topic: 't' });
    expect(report.find((r) => r.name === 'batch.size')?.value).toBe('2000');
    expect(report.find((r) => r.name === 'file')?.value).toBeNull();
  });

  it('refuses a missing or empty topic, a topic list and a batch.size below 1', () => {
    expect(errorsOf({ file: '/f' })).toEqual({ topic: ['Missing required configuration "topic" which has no default value.'] });
    expect(errorsOf({ topic: ' ' }).topic?.[0]).toMatch(/String may not be empty/);
    expect(errorsOf({ topic: 'a,b' }).topic?.[0]).toBe("Invalid value a,b for configuration topic: 'topic' must be a single topic, not a list");
    expect(errorsOf({ topic: 't', 'batch.size': '0' })['batch.size']).toEqual(['Invalid value 0 for configuration batch.size: Value must be at least 1']);
    expect(() => connector.config().parse({ 'batch.size': '0' })).toThrow(ConfigError);
    expect(() => connector.config().parse({ 'batch.size': '0' })).toThrow(/topic[\s\S]*batch\.size/);
    const ctx = { requestTaskReconfiguration() {}, raiseError() {}, logger: captureLogger([]) };
    expect(() => new FileStreamSourceConnector().start({ topic: 'a,b' }, ctx)).toThrow(ConfigError);
  });

  it('starts exactly one task whatever tasks.max is', () => {
    const c = new FileStreamSourceConnector();
    c.start({ file: '/tmp/in', topic: 't' }, { requestTaskReconfiguration() {}, raiseError() {}, logger: captureLogger([]) });
    expect(c.taskConfigs(5)).toEqual([{ file: '/tmp/in', topic: 't' }]);
  });

  it('accepts null or a non-negative integer position as new offsets, and nothing else', () => {
    const props = { file: '/tmp/in', topic: 't' };
    const partition = { filename: '/tmp/in' };
    expect(connector.alterOffsets(props, [{ partition, offset: null }, { partition, offset: { position: 5 } }, { partition, offset: { position: 0, inode: '12' } }])).toBe(true);
    for (const offset of [{ position: -1 }, { position: '5' }, { position: 1.5 }, {}, { position: 1, inode: 'x' }]) {
      expect(() => connector.alterOffsets(props, [{ partition, offset }]), JSON.stringify(offset)).toThrow(ConfigError);
    }
    expect(() => connector.alterOffsets(props, [{ partition: {}, offset: { position: 1 } }])).toThrow(/filename/);
    expect(() => connector.alterOffsets({ topic: 't' }, [{ partition, offset: { position: 1 } }])).toThrow(/standard input/);
  });

  it('is registered under its Kafka class name and aliases', () => {
    const source = fileConnectorPlugins.find((p) => p.className === 'org.apache.kafka.connect.file.FileStreamSourceConnector');
    expect(source?.aliases).toEqual(['FileStreamSource', 'FileStreamSourceConnector']);
    expect(source?.create().type).toBe('source');
    const sink = fileConnectorPlugins.find((p) => p.className === 'org.apache.kafka.connect.file.FileStreamSinkConnector');
    expect(sink?.aliases).toEqual(['FileStreamSink', 'FileStreamSinkConnector']);
    expect(sink?.create().type).toBe('sink');
  });
});
