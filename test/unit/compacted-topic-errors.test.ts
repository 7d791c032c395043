/**
 * The compacted-topic primitive survives a transient read error (EMFILE, EIO): the error is
 * reported, the tail keeps reading after a backoff, and later writes are read back (as Kafka
 * Connect's KafkaBasedLog keeps polling).
 */
import { describe, expect, it } from 'vitest';
import type { Log } from '../../src/log/log.js';
import { LogCompactedTopic } from '../../src/runtime/stores/log-compacted-topic.js';
import { OffsetStore } from '../../src/runtime/stores/offset-store.js';
import { useLogHarness } from '../support/log.js';

const h = useLogHarness();

describe('compacted topic tail after a transient read error', () => {
  it('keeps tailing: later writes are read back and readToEnd resolves', async () => {
    const real = await h.open(await h.tempDir());
    let failNext = false;
    const log = Object.create(real) as Log;
    log.read = async (topic, partition, offset, options) => {
      if (topic === 'connect-offsets' && failNext) {
        failNext = false;
        throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
      }
      return real.read(topic, partition, offset, options);
    };
    const errors: unknown[] = [];
    const offsets = new OffsetStore(new LogCompactedTopic(log, { topic: 'connect-offsets', partitions: 1 }, (e) => errors.push(e)));
    await offsets.start();
    await offsets.put('c', [{ partition: { f: 1 }, offset: { p: 1 } }]);
    failNext = true; // the tail's next long poll fails once
    for (let i = 0; i < 300 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors.length).toBe(1);
    const second = await offsets.put('c', [{ partition: { f: 1 }, offset: { p: 2 } }]).then(() => 'ok', (e: Error) => e.message);
    const seen = offsets.get('c', { f: 1 });
    await offsets.stop();
    expect(second).toBe('ok');
    expect(seen).toEqual({ p: 2 });
  });
});
