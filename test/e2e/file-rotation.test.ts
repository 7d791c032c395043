/**
 * End to end, through the built CLI: the FileStreamSource follows its file like `tail -F` while the
 * worker runs. The file is rotated (lines appended, then renamed away, a new file created at the
 * path), rotated while the path stays missing for a while (the old file still growing), truncated
 * with shorter content written at once, and truncated again with longer content written once the
 * source noticed. The sink's output must be exactly every line written, in write order: nothing
 * lost, nothing repeated.
 */
import { appendFile, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linesBuffer } from '../support/line-data.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useWorkers, waitFor, writeConnectorFile, writeWorkerProperties, type WorkerProcess } from '../support/worker-process.js';

const newDir = useTempDirs('tributary-e2e-rotation-');
const workers = useWorkers();

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Where two buffers of lines first differ, as line numbers and texts (for a readable failure). */
function firstDifference(actual: Buffer, expected: Buffer): string {
  const a = actual.toString('utf8').split('\n');
  const e = expected.toString('utf8').split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `line ${i}: got ${JSON.stringify(a[i]?.slice(0, 40))}, expected ${JSON.stringify(e[i]?.slice(0, 40))} (${a.length - 1} lines vs ${e.length - 1})`;
  }
  return 'no difference';
}

describe('file rotation and truncation while the worker runs', () => {
  it('delivers every line written, once, in order', { timeout: 120_000 }, async () => {
    const dir = await newDir();
    const dataDir = join(dir, 'data');
    const path = join(dir, 'app.log');
    const outPath = join(dir, 'output.txt');
    const workerFile = await writeWorkerProperties(dir, dataDir);
    const source = await writeConnectorFile(dir, 'src', { 'connector.class': 'FileStreamSource', file: path, topic: 'app', 'batch.size': '500' });
    const sink = await writeConnectorFile(dir, 'sink', { 'connector.class': 'FileStreamSink', file: outPath, topics: 'app' });

    const written: Buffer[] = [];
    const expectAll = async (w: WorkerProcess, step: string): Promise<void> => {
      const expected = Buffer.concat(written);
      await waitFor(`the output to hold ${expected.length} bytes after ${step}`, async () => (await sizeOf(outPath)) >= expected.length, {
        timeoutMs: 60_000,
        worker: w,
      });
      const output = await readFile(outPath);
      expect(output.equals(expected), `after ${step}: ${firstDifference(output, expected)}`).toBe(true);
    };
    const logCount = (w: WorkerProcess, re: RegExp): number => w.logLines().filter((l) => re.test(String(l.msg))).length;

    // A: present before the worker starts.
    const a = linesBuffer(0, 20_000, 'a');
    await writeFile(path, a);
    written.push(a);
    const w = await workers.start([workerFile, source, sink]);
    await expectAll(w, 'the first batch');

    // Rotation 1: lines appended, the file renamed away at once (the source is most likely still
    // reading it), a new file created at the path with more lines.
    const b = linesBuffer(0, 40_000, 'b');
    await appendFile(path, b);
    written.push(b);
    await rename(path, `${path}.1`);
    const c = linesBuffer(0, 30_000, 'c');
    await writeFile(path, c);
    written.push(c);
    await expectAll(w, 'rotation 1 (append, rename, new file)');
    expect(logCount(w, /was rotated/)).toBe(1);

    // Rotation 2: renamed away, the old file keeps growing while the path is missing, then a new
    // file appears, empty at first and written in two steps.
    await rename(path, `${path}.2`);
    const d = linesBuffer(0, 10_000, 'd');
    await appendFile(`${path}.2`, d);
    written.push(d);
    await expectAll(w, 'appending to the renamed-away file');
    await writeFile(path, '');
    await waitFor('the source to notice rotation 2', () => logCount(w, /was rotated/) === 2, { worker: w });
    const e1 = linesBuffer(0, 15_000, 'e');
    const e2 = linesBuffer(15_000, 30_000, 'e');
    await appendFile(path, e1);
    written.push(e1);
    await appendFile(path, e2);
    written.push(e2);
    await expectAll(w, 'rotation 2 (rename, old file appended, new empty file, appends)');

    // Truncation 1: truncated to 0 and shorter content written at once (shorter than what was
    // read, so the source cannot mistake it for an append, whenever it looks).
    await truncate(path, 0);
    const f = linesBuffer(0, 5_000, 'f');
    await appendFile(path, f);
    written.push(f);
    await expectAll(w, 'truncation 1 (truncate, shorter content)');
    expect(logCount(w, /was truncated/)).toBe(1);

    // Truncation 2: truncated to 0; once the source noticed, longer content than before.
    await truncate(path, 0);
    await waitFor('the source to notice truncation 2', () => logCount(w, /was truncated/) === 2, { worker: w });
    const g = linesBuffer(0, 25_000, 'g');
    await appendFile(path, g);
    written.push(g);
    await expectAll(w, 'truncation 2 (truncate, then longer content)');

    const exit = await w.stop();
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toBe('');
    expect((await readFile(outPath)).equals(Buffer.concat(written)), 'output after the graceful stop').toBe(true);

    // The committed offset is the end of the file now at the path, with that file's inode.
    const again = await workers.start([workerFile]);
    const offsets = (await again.get('/connectors/src/offsets')).offsets as { partition: Record<string, unknown>; offset: Record<string, unknown> }[];
    expect(offsets).toEqual([{ partition: { filename: path }, offset: { position: g.length, inode: String((await stat(path, { bigint: true })).ino) } }]);
    const exit2 = await again.stop();
    expect(exit2.code, exit2.stderr).toBe(0);
    expect((await readFile(outPath)).equals(Buffer.concat(written)), 'output after the restart').toBe(true);
  });
});
