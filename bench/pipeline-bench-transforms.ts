/**
 * bench:pipeline's second phase (`transforms`): Debezium change events as JSON lines through
 * FileStreamSource → embedded log → FileStreamSink with the JsonConverter, once without and once
 * with a transformation chain (ExtractNewRecordState, ReplaceField$Value, TimestampRouter). See
 * `pipeline-bench.ts` for the workload, the order of runs and the RESULT line.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { median } from './bench-env.js';
import { forEachLine, fmtInt, load1, MiB, now, runPipeline, tail, type PipelineResult } from './pipeline-bench-app.js';
import { CDC_TOPIC, writeCdcInput, type CdcData } from './pipeline-bench-cdc.js';

export interface TransformsPhaseOptions {
  readonly records: number;
  readonly runs: number;
  readonly flushMs: number;
  readonly pollMs: number;
  readonly stallMs: number;
  /** Run the pipeline with the chain alone (no RESULT line): for profiling. */
  readonly pipelineOnly: boolean;
  /** Write a CPU profile of each timed run here, if set. */
  readonly profileDir: string | undefined;
}

/** The chain, as a connector config carries it. */
export const CHAIN: Readonly<Record<string, string>> = {
  transforms: 'unwrap,drop,route',
  'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
  'transforms.unwrap.delete.tombstone.handling.mode': 'rewrite',
  'transforms.unwrap.add.fields': 'op,lsn,source.ts_ms',
  'transforms.drop.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value',
  'transforms.drop.exclude': 'note,discount',
  'transforms.route.type': 'org.apache.kafka.connect.transforms.TimestampRouter',
};

const EXCLUDED = ['note', 'discount'];

/** Counts what arrived, by op, and checks every line has the shape its pipeline must give it. */
async function checkOutput(path: string, chain: boolean, data: CdcData): Promise<{ lines: number; sample: string }> {
  const ops = { c: 0, u: 0, d: 0 };
  let sample = '';
  let bad: string | null = null;
  const lines = await forEachLine(path, (line) => {
    if (sample === '') sample = line;
    if (bad !== null) return;
    let op: string;
    if (chain) {
      // The unwrapped row (ReplaceField dropped two columns), then __deleted and the added fields.
      const at = line.indexOf(',__deleted=');
      op = line[line.indexOf(',__op=') + 6]!;
      const deleted = line.startsWith('true', at + 11);
      if (!line.startsWith('Struct{id=') || at < 0 || deleted !== (op === 'd') || line.includes('after=') || line.includes('source=')) bad = line;
      for (const c of EXCLUDED) if (line.includes(`,${c}=`)) bad = line;
    } else {
      const at = line.lastIndexOf('},op=');
      op = line[at + 5]!;
      if (!line.startsWith('Struct{') || at < 0 || !line.includes('source=Struct{')) bad = line;
    }
    if (op === 'c' || op === 'u' || op === 'd') ops[op]++;
    else bad ??= line;
  });
  if (bad !== null) throw new Error(`${path}: unexpected line ${(bad as string).slice(0, 300)}`);
  if (lines !== data.lines) throw new Error(`${path}: ${lines} lines arrived, expected ${data.lines}`);
  if (ops.c !== data.creates || ops.u !== data.updates || ops.d !== data.deletes) {
    throw new Error(`${path}: ops c/u/d ${ops.c}/${ops.u}/${ops.d}, expected ${data.creates}/${data.updates}/${data.deletes}`);
  }
  return { lines, sample };
}

/** Runs the phase under `root`; returns its RESULT line (null with `pipelineOnly`). */
export async function transformsPhase(root: string, o: TransformsPhaseOptions): Promise<string | null> {
  const input = join(root, 'cdc-input.jsonl');
  const g0 = now();
  const data = await writeCdcInput(input, o.records);
  console.log(
    `  workload: ${fmtInt(data.lines)} Debezium change events of public.orders (11 columns: int8 key, int4, varchar, numeric(12,2), bpchar, ` +
      `float8, bool, text, timestamptz, timestamp, date) as JsonConverter envelopes with schema, one per line: ${fmtInt(data.bytes)} B ` +
      `(${fmtInt(data.bytes / data.lines)} B/line); ${fmtInt(data.creates)} c / ${fmtInt(data.updates)} u / ${fmtInt(data.deletes)} d, ` +
      `deterministic (generated in ${(now() - g0).toFixed(1)} s, not timed)`,
  );
  console.log(
    `  pipelines: FileStreamSource (StringConverter) → topic ${CDC_TOPIC} → FileStreamSink (value.converter=JsonConverter, schemas.enable=true), ` +
      `log.flush=fsync, offset.flush.interval.ms=${o.flushMs}; identical but for the chain:`,
  );
  console.log(`    ${Object.entries(CHAIN).map(([k, v]) => `${k}=${v}`).join('  ')}`);
  console.log(`  done when the output's last line is the last event (lsn ${data.lastLsn}), tail polled every ${o.pollMs} ms; then every line is checked`);

  const marker = new RegExp(`lsn=${data.lastLsn}[,}]`);
  const secs = { with: [] as number[], without: [] as number[] };
  let sample = '';
  const run = async (chain: boolean, k: number): Promise<void> => {
    const output = join(root, 'cdc-output.txt');
    const dir = join(root, `cdc-run-${k}`);
    const variant = chain ? 'with' : 'without';
    const load = load1();
    const p: PipelineResult = await runPipeline({
      dir,
      output,
      flushMs: o.flushMs,
      pollMs: o.pollMs,
      stallMs: o.stallMs,
      profile: o.profileDir && join(o.profileDir, `transforms-${variant}-${k}.cpuprofile`),
      connectors: [
        { name: 'cdc-source', config: { name: 'cdc-source', 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: input, topic: CDC_TOPIC } },
        {
          name: 'cdc-sink',
          config: {
            name: 'cdc-sink',
            'connector.class': 'FileStreamSink',
            'tasks.max': '1',
            file: output,
            topics: CDC_TOPIC,
            'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
            'value.converter.schemas.enable': 'true',
            ...(chain ? CHAIN : {}),
          },
        },
      ],
      // Only the tail is read on the clock: the last event's line closes the output.
      complete: async (size) => {
        const t = await tail(output, size, 16 * 1024);
        return t.endsWith('\n') && marker.test(t.slice(t.lastIndexOf('\n', t.length - 2) + 1));
      },
    });
    const checked = await checkOutput(output, chain, data);
    if (chain) sample = checked.sample;
    secs[variant].push(p.seconds);
    console.log(
      `${`${variant} transforms run ${k}`.padEnd(27)} ${fmtInt(checked.lines / p.seconds).padStart(10)} lines/s ` +
        `${(data.bytes / MiB / p.seconds).toFixed(1).padStart(7)} MiB/s in  (${p.seconds.toFixed(2)} s; process CPU ${p.cpuSeconds.toFixed(2)} s; load before ${load}; ` +
        `output ${fmtInt(p.outputBytes / MiB)} MiB; start ${(p.startSeconds * 1000).toFixed(0)} ms, first output byte at ` +
        `${(p.firstByteSeconds * 1000).toFixed(0)} ms; graceful stop afterwards ${(p.stopSeconds * 1000).toFixed(0)} ms, not timed)`,
    );
    await rm(dir, { recursive: true, force: true });
    await rm(output, { force: true });
  };

  // without, then (with, without) `runs` times: each run with the chain sits between two without it.
  if (!o.pipelineOnly) await run(false, 1);
  for (let k = 1; k <= o.runs; k++) {
    await run(true, k);
    if (!o.pipelineOnly) await run(false, k + 1);
  }
  await rm(input, { force: true });
  console.log(`  sample line with the chain: ${sample.length > 240 ? `${sample.slice(0, 240)}…` : sample}`);
  if (o.pipelineOnly) return null;

  const withRate = data.lines / median(secs.with);
  const withoutRate = data.lines / Math.min(...secs.without);
  console.log(
    `  with the chain: median of ${secs.with.length} run(s); without: the fastest of ${secs.without.length} runs (conservative); ` +
      `every run's output counted and checked line by line (${fmtInt(data.lines)} lines, ops per kind)`,
  );
  return `RESULT transforms lines_per_s=${Math.round(withRate)} baseline_lines_per_s=${Math.round(withoutRate)} ratio=${(withRate / withoutRate).toFixed(2)}`;
}
