/**
 * A worker in a child process, for crash cases: the kit SIGKILLs it mid-stream. Runs the TypeScript
 * sources through tsx (`node --import tsx`), so no build is needed.
 *
 * argv[2]: a WorkerSpec as JSON.
 * stdin lines:  {"id":n,"op":"<WorkerOps method>","args":[...]}
 * stdout lines: {"ready":true} once started, then {"id":n,"ok":true,"result":...} or
 *               {"id":n,"ok":false,"error":{"code","message"}} per request.
 * `stop` stops gracefully, answers, then exits 0. The end of stdin (the test process is gone) exits 1.
 */
import { createInterface } from 'node:readline';
import { openRuntime, type WorkerSpec } from './runtime.js';
import { workerOps, type WorkerOps } from './worker-ops.js';

const send = (msg: unknown): void => {
  process.stdout.write(JSON.stringify(msg) + '\n');
};

const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerSpec;
let ops: WorkerOps;
try {
  ops = workerOps(await openRuntime(spec));
} catch (err) {
  process.stderr.write(`worker failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
send({ ready: true });

const requests = createInterface({ input: process.stdin });
// The test process went away (it crashed or was killed): do not outlive it.
requests.on('close', () => process.exit(1));
requests.on('line', (line) => {
  const { id, op, args } = JSON.parse(line) as { id: number; op: keyof WorkerOps; args: unknown[] };
  void (async () => {
    try {
      const result = await (ops[op] as (...a: unknown[]) => Promise<unknown>)(...args);
      send({ id, ok: true, result: result ?? null });
      if (op === 'stop') process.exit(0);
    } catch (err) {
      const e = err as { code?: string; message?: string; stack?: string };
      send({ id, ok: false, error: { code: e.code ?? null, message: e.message ?? String(err), stack: e.stack ?? null } });
    }
  })();
});
