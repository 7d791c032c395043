/**
 * Child process of the crash test: appends to an embedded log in fsync mode as fast as it can and
 * prints one line per acknowledgement, so the parent knows exactly what was acknowledged when it
 * kills this process with SIGKILL. Meanwhile it compacts the compacted topic in a loop and commits
 * consumer-group offsets.
 *
 * argv: <dataDir> <round>
 * stdout lines:
 *   READY
 *   A <topic> <partition> <baseOffset> <lastOffset> <firstSeq> <count>   (a batch is durable)
 *   G <offset>                                                          (a group commit is durable)
 *   C <begin|end>                                                       (a compaction pass)
 */
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { crashRecordKey, crashRecordValue } from './crash-records.js';

const [dataDir, roundArg] = process.argv.slice(2);
const round = Number(roundArg);
const out = (line: string): void => {
  process.stdout.write(line + '\n');
};

const log = await EmbeddedLog.open({ dataDir: dataDir!, flush: 'fsync', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0 });
const topics = await log.listTopics();
if (!topics.includes('data')) await log.createTopic('data', { partitions: 2, configs: { 'segment.bytes': 64 * 1024 } });
if (!topics.includes('compacted')) {
  await log.createTopic('compacted', {
    partitions: 1,
    configs: { 'cleanup.policy': 'compact', 'segment.bytes': 8 * 1024, 'delete.retention.ms': 7 * 24 * 3600 * 1000 },
  });
}
out('READY');

let seq = round * 1_000_000;

/**
 * Appends per writer and round. Enough to roll segments and keep the compactor busy, bounded so
 * that the test's verification (which reads the whole log after every kill) stays linear.
 */
const APPENDS_PER_ROUND = 600;

async function writer(topic: string, partition: number): Promise<void> {
  for (let n = 0; n < APPENDS_PER_ROUND; n++) {
    const count = 1 + (seq % 17);
    const first = seq;
    seq += count;
    const records = [];
    for (let i = 0; i < count; i++) {
      const s = first + i;
      const key = topic === 'compacted' ? crashRecordKey(s) : s % 3 === 0 ? null : crashRecordKey(s);
      records.push({ key, value: crashRecordValue(s), headers: [{ key: 'seq', value: Buffer.from(String(s)) }] });
    }
    const r = await log.append(topic, partition, records);
    out(`A ${topic} ${partition} ${r.baseOffset} ${r.lastOffset} ${first} ${count}`);
  }
}

async function compactor(): Promise<void> {
  for (;;) {
    out('C begin');
    await log.compactTopic('compacted');
    out('C end');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function committer(): Promise<void> {
  // Commits of one round stay above every earlier round's.
  let n = round * 1_000_000;
  for (let i = 0; i < APPENDS_PER_ROUND; i++) {
    n++;
    await log.commitOffsets('crash-group', [{ topic: 'data', partition: 0, offset: n }]);
    out(`G ${n}`);
  }
}

void compactor();
// The compactor never stops: the process runs until the test kills it.
await Promise.all([writer('data', 0), writer('data', 1), writer('compacted', 0), writer('compacted', 0), committer()]);
