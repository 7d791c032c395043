/**
 * End-to-end benchmark of file → log → file pipelines, each against a baseline measured in the same
 * run (not a test; run `npm run bench:pipeline`). Two phases, chosen with BENCH_PIPELINE_PHASE =
 * `pipeline` | `transforms` | `both` (default); `transforms` runs last so its RESULT line is the
 * final line. Each phase ends with its own RESULT line.
 *
 * Phase `pipeline` (`pipeline-bench-lines.ts`): plain text through the product against Node streams.
 *  - Workload: BENCH_PIPELINE_LINES (default 1,000,000) lines of 160–240 bytes (~200 on average),
 *    deterministic (a seeded generator: a line number, a level, words, an occasional multi-byte
 *    UTF-8 character), `\n`-terminated, in one input file on the repository's file system.
 *  - Pipeline: the real product path, in process (`pipeline-bench-app.ts`). A `StandaloneApp`
 *    (worker config from `loadWorkerConfig`, embedded log with the default `log.flush=fsync`, REST
 *    API on an ephemeral port, StringConverter for keys and values) runs two connector files:
 *    `FileStreamSource` reading the input into topic `lines`, and `FileStreamSink` appending topic
 *    `lines` to the output file. The clock starts just before `start()` and stops when the output
 *    file holds as many bytes as the input (its size is polled every BENCH_PIPELINE_POLL_MS, default
 *    5 ms); then the output is compared byte for byte with the input and its lines are counted. What
 *    arrived is counted, not engine counters.
 *  - Baseline: the same file copied line by line with Node streams: `createReadStream` (64 KiB
 *    chunks), a byte-level line splitter that decodes every line as UTF-8 (as the source does), one
 *    `write(line + '\n')` per line into `createWriteStream`, waiting for 'drain' whenever `write`
 *    returns false (backpressure), and one fdatasync at the end. Timed from opening the input to the
 *    end of the sync; the output is verified the same way.
 *  - Order: baseline, then BENCH_PIPELINE_RUNS (default 1) times pipeline + baseline, so every
 *    pipeline run sits between two baseline passes under the same page-cache conditions (the input
 *    was just written and stays cached). The pipeline figure is the median of its runs; the baseline
 *    figure is its fastest pass, so the ratio is the conservative one.
 *  - RESULT line: `RESULT pipeline lines_per_s=<n> baseline_lines_per_s=<n> ratio=<x>` (target ≥ 0.3).
 *
 * Phase `transforms` (`pipeline-bench-transforms.ts`): the cost of a transformation chain.
 *  - Workload: BENCH_TRANSFORMS_RECORDS (default 500,000) Debezium change events of a Postgres
 *    `public.orders` table (11 columns: int8 key, int4, varchar, numeric(12,2), bpchar(3), float8,
 *    bool, text, timestamptz, timestamp, date), about 50 % creates, 35 % updates (with `before`) and
 *    15 % deletes, deterministic, built by the Postgres CDC source's own TableModel and EventBuilder
 *    and written one per line as the worker's JsonConverter (`schemas.enable=true`) puts them on a
 *    topic: `{"schema":…,"payload":…}`, ~4.3 KB a line (`pipeline-bench-cdc.ts`). No tombstones (a
 *    text line cannot carry a null value). Generated before the clock starts.
 *  - Two pipelines, identical but for the chain: FileStreamSource (StringConverter) → topic
 *    `shop.public.orders` → FileStreamSink with `value.converter=org.apache.kafka.connect.json.JsonConverter`
 *    (`schemas.enable=true`), which writes each value's text (`Struct{…}`) as a line. One runs
 *    without transforms (the baseline); the other with `transforms=unwrap,drop,route`:
 *    io.debezium.transforms.ExtractNewRecordState (`delete.tombstone.handling.mode=rewrite`,
 *    `add.fields=op,lsn,source.ts_ms`), ReplaceField$Value (`exclude=note,discount`) and
 *    TimestampRouter (defaults). Same worker config as phase `pipeline`.
 *  - Timed like phase `pipeline` from just before `start()`; done when the output's last line is the
 *    last event's (found by its unique `lsn=`; only the file's tail is read on the clock). Then the
 *    output is checked line by line, off the clock: as many lines as events, as many c/u/d as were
 *    generated; with the chain every line is the unwrapped row (`Struct{id=…`, no `after=` or
 *    `source=`, no `note=` / `discount=`, `__deleted=true` exactly on deletes, `__op`), without it
 *    every line an envelope. A sample line with the chain is printed.
 *  - Order: without, then BENCH_PIPELINE_RUNS times (with, without). The figure with the chain is the
 *    median of its runs, the one without the fastest of its runs (conservative).
 *  - RESULT line (last): `RESULT transforms lines_per_s=<with chain> baseline_lines_per_s=<without chain> ratio=<with/without>`.
 *    The ratio can exceed 1: the chain itself costs little (~3 % of the run's CPU in a profile), and
 *    the sink then formats and writes the unwrapped row (~230 B) instead of the whole envelope's text
 *    (~580 B); each run prints its output size. The JsonConverter reading ~4.3 KB envelopes is the
 *    bulk of either pipeline.
 *
 * Every timed line also shows the process's CPU time over the same span (all threads), a figure much
 * less sensitive than wall time to other load on the machine, and the 1-minute load average before it.
 *
 * Config of the pipelines (printed): `offset.flush.interval.ms` (BENCH_PIPELINE_FLUSH_MS, default
 * 1000) is also how often the sink's buffered tail is written and fsynced, so it bounds how long the
 * last lines wait; everything else is the worker's default (producer.buffer.memory 32 MiB,
 * consumer.max.poll.records 500, fetch.max.bytes 50 MiB, batch.size 2000).
 *
 * Profiling: BENCH_PIPELINE_ONLY=1 runs only the product pipeline of the chosen phase(s) (in phase
 * `transforms`, the one with the chain), with no baseline and no RESULT line, for `node --cpu-prof`;
 * BENCH_PIPELINE_PROFILE_DIR=<dir> writes a V8 CPU profile of each timed run of phase `transforms`
 * (`transforms-with-1.cpuprofile`, ...), without the data generation; summarise one with
 * `node dist/bench/cpuprofile-top.js <file>`. Also: BENCH_PIPELINE_STALL_MS (30000),
 * BENCH_PIPELINE_DIR (scratch directory, default `.bench-tmp`).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { benchDir, envNumber, machine } from './bench-env.js';
import { linesPhase } from './pipeline-bench-lines.js';
import { transformsPhase } from './pipeline-bench-transforms.js';

const PHASES = ['pipeline', 'transforms', 'both'] as const;
const PHASE = (process.env['BENCH_PIPELINE_PHASE'] || 'both') as (typeof PHASES)[number];
if (!PHASES.includes(PHASE)) throw new Error(`BENCH_PIPELINE_PHASE=${PHASE}: expected one of ${PHASES.join(', ')}`);

const LINES = Math.floor(envNumber('BENCH_PIPELINE_LINES', 1_000_000, 1));
const RECORDS = Math.floor(envNumber('BENCH_TRANSFORMS_RECORDS', 500_000, 1));
const FLUSH_MS = Math.floor(envNumber('BENCH_PIPELINE_FLUSH_MS', 1000, 1));
const RUNS = Math.floor(envNumber('BENCH_PIPELINE_RUNS', 1, 1));
const POLL_MS = envNumber('BENCH_PIPELINE_POLL_MS', 5, 1);
const STALL_MS = envNumber('BENCH_PIPELINE_STALL_MS', 30_000, 100);
const PIPELINE_ONLY = process.env['BENCH_PIPELINE_ONLY'] === '1';
const PROFILE_DIR = process.env['BENCH_PIPELINE_PROFILE_DIR'] || undefined;

const BASE_DIR = benchDir('BENCH_PIPELINE_DIR');

async function main(): Promise<void> {
  await mkdir(BASE_DIR, { recursive: true });
  const root = await mkdtemp(join(BASE_DIR, 'pipeline-bench-'));
  const common = { runs: RUNS, flushMs: FLUSH_MS, pollMs: POLL_MS, stallMs: STALL_MS, pipelineOnly: PIPELINE_ONLY };
  try {
    console.log(`pipeline bench (phase ${PHASE})`);
    for (const l of machine(root)) console.log(`  ${l}`);
    if (PHASE !== 'transforms') {
      console.log('phase pipeline: FileStreamSource → embedded log (flush=fsync) → FileStreamSink vs a Node streams line copy');
      const result = await linesPhase(root, { ...common, lines: LINES });
      if (result) console.log(result);
    }
    if (PHASE !== 'pipeline') {
      console.log('phase transforms: Debezium JSON lines → FileStreamSource → embedded log → FileStreamSink (JsonConverter), with vs without a transformation chain');
      const result = await transformsPhase(root, { ...common, records: RECORDS, profileDir: PROFILE_DIR });
      if (result) console.log(result);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
