/**
 * The S3 sink's spill directory (`s3.spill.dir`): a task's own directory goes when it stops, and the
 * directories a killed task left behind go when the next task creates its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalSpillFiles } from '../../connectors/s3/spill-files.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();

describe('LocalSpillFiles', () => {
  it("removes the directories of processes that are gone, keeps live processes' and other names, and removes its own on close", async () => {
    const parent = await tempDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const orphan = join(parent, `tributary-s3-spill-${gone}-abc123`);
    await mkdir(orphan);
    await writeFile(join(orphan, '1.spill'), 'left by a kill -9');
    // process 1 is alive for as long as the machine is up.
    await mkdir(join(parent, 'tributary-s3-spill-1-live00'));
    await mkdir(join(parent, 'unrelated'));
    const spill = new LocalSpillFiles(parent);
    const file = spill.newFile();
    await spill.write(file, 0, [Buffer.from('abc')]);
    expect((await spill.read(file, 1, 2)).toString()).toBe('bc');
    const names = await readdir(parent);
    expect(names).not.toContain(`tributary-s3-spill-${gone}-abc123`);
    expect(names).toEqual(expect.arrayContaining(['tributary-s3-spill-1-live00', 'unrelated', expect.stringMatching(new RegExp(`^tributary-s3-spill-${process.pid}-`))]));
    await spill.close();
    expect((await readdir(parent)).sort()).toEqual(['tributary-s3-spill-1-live00', 'unrelated']);
  });
});
