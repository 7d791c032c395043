/**
 * FileStreamSource through the connector conformance kit (test/kit): the real worker, log and
 * converters around the connector, restarts, a kill -9, pause/resume, stop and config errors.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeSourceConnectorConformance } from '../kit/source-kit.js';

/** Batch size the kit's configs use: small, so a busy stream takes many polls. */
const BATCH_SIZE = 10;

describeSourceConnectorConformance('FileStreamSource', {
  setup(dir) {
    const file = join(dir, 'input.txt');
    let seq = 0;
    return {
      config: (topic) => ({ 'connector.class': 'FileStreamSource', file, topic, 'batch.size': String(BATCH_SIZE) }),
      async produce(count) {
        // Multi-byte characters: offsets are byte positions, a restart must resume on a line boundary.
        const lines = Array.from({ length: count }, () => `line-${seq++} grüße €`);
        if (count > 0) await appendFile(file, lines.join('\n') + '\n');
        return lines;
      },
      identity: (record) => String(record.value),
    };
  },
  invalidValues: { 'batch.size': '0', topic: 'a,b' },
  // A poll already reading when the pause arrives may still return one batch.
  maxRecordsInFlightAtPause: BATCH_SIZE,
});
