/**
 * The S3 sink through the connector conformance kit (test/kit): the real worker, log and converters
 * around the connector, a real S3-compatible server (s3rver in a child process, or S3_ENDPOINT),
 * restarts, a kill -9, pause/resume, stop and config errors. Files are JSON lines; each case writes
 * under its own `topics.dir`, and an idle partition is flushed after `rotate.interval.ms`.
 */
import { Schemas } from '../../src/sdk/index.js';
import { describeSinkConnectorConformance } from '../kit/sink-kit.js';
import { useTestS3 } from '../support/s3/s3-server.js';

const s3 = useTestS3();
let cases = 0;

const line = (seq: number): string => `rec-${seq} grüße €`;

describeSinkConnectorConformance('S3Sink', {
  setup() {
    const dir = `case-${++cases}-${process.pid}`;
    return {
      config: (topics) => ({
        'connector.class': 'S3Sink',
        topics,
        'tasks.max': '2',
        ...s3.sinkConfig(),
        'topics.dir': dir,
        'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
        'flush.size': '7',
        'rotate.interval.ms': '300',
        'timestamp.extractor': 'Record',
      }),
      record: (seq) => ({ valueSchema: Schemas.OPTIONAL_STRING, value: line(seq) }),
      identity: line,
      async readBack() {
        const ids: string[] = [];
        for (const key of await s3.listKeys(`${dir}/`)) {
          if (!key.endsWith('.json') || key.includes('/_tributary/')) continue;
          const text = (await s3.getObject(key)).toString('utf8');
          for (const l of text.split('\n')) if (l !== '') ids.push(JSON.parse(l) as string);
        }
        return ids;
      },
    };
  },
  invalidValues: { 's3.part.size': '1000', 'flush.size': '-3', 'parquet.codec': 'lzma' },
});
