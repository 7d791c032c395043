/** Entry of the cleaner thread: runs cleaning jobs posted by CleanerThread, one answer per job id. */
import { parentPort } from 'node:worker_threads';
import { runCleanJob, type CleanJob } from './cleaner-job.js';

parentPort!.on('message', (msg: { id: number; job: CleanJob }) => {
  runCleanJob(msg.job).then(
    (outcome) => parentPort!.postMessage({ id: msg.id, outcome }),
    (err: unknown) =>
      parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? { message: err.message, code: (err as { code?: string }).code } : { message: String(err) } }),
  );
});
