/**
 * FileStreamSink through the connector conformance kit (test/kit): the real worker, log and
 * converters around the connector, restarts, a kill -9, pause/resume, stop and config errors.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Schemas } from '../../src/sdk/index.js';
import { describeSinkConnectorConformance } from '../kit/sink-kit.js';

// Multi-byte characters: the file must hold them as written.
const line = (seq: number): string => `rec-${seq} grüße €`;

describeSinkConnectorConformance('FileStreamSink', {
  setup(dir) {
    const file = join(dir, 'output.txt');
    return {
      config: (topics) => ({ 'connector.class': 'FileStreamSink', topics, file, 'tasks.max': '2' }),
      record: (seq) => ({ valueSchema: Schemas.OPTIONAL_STRING, value: line(seq) }),
      identity: line,
      async readBack() {
        const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));
        return text === '' ? [] : text.replace(/\n$/, '').split('\n');
      },
    };
  },
  // `file` takes any string: the sink has no value of its own that can be invalid.
  invalidValues: {},
});
