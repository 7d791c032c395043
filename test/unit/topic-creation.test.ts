/** "Create the topic if it is missing", on a real EmbeddedLog. */
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors/codes.js';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { Log } from '../../src/log/log.js';
import { ensureTopic } from '../../src/runtime/topic-creation.js';
import { useLogHarness } from '../support/log.js';

const h = useLogHarness();

/** The log, with `createTopic` replaced. */
function withCreate(log: EmbeddedLog, createTopic: Log['createTopic']): Log {
  return new Proxy(log, {
    get(target, prop, receiver) {
      if (prop === 'createTopic') return createTopic;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('ensureTopic', () => {
  it('creates a missing topic as told and leaves an existing one as it is', async () => {
    const log = await h.open(await h.tempDir());
    expect(await ensureTopic(log, 't', { partitions: 3, configs: { 'max.message.bytes': 2048 } })).toBe(true);
    const d = await log.describeTopic('t');
    expect([d.partitions.length, d.configs['max.message.bytes']]).toEqual([3, 2048]);
    expect(await ensureTopic(log, 't', { partitions: 1 })).toBe(true);
    expect((await log.describeTopic('t')).partitions.length).toBe(3);
  });

  it('without options answers false for a missing topic and creates nothing', async () => {
    const log = await h.open(await h.tempDir());
    expect(await ensureTopic(log, 't', null)).toBe(false);
    expect(await log.listTopics()).not.toContain('t');
    await log.createTopic('t');
    expect(await ensureTopic(log, 't', null)).toBe(true);
  });

  it('counts a topic created meanwhile by someone else as there, and passes other errors on', async () => {
    const log = await h.open(await h.tempDir());
    const raced = withCreate(log, async (topic, options) => {
      await log.createTopic(topic, options);
      throw new TributaryError('TOPIC_ALREADY_EXISTS', `topic '${topic}' already exists`);
    });
    expect(await ensureTopic(raced, 't', { partitions: 1 })).toBe(true);
    const refused = withCreate(log, () => Promise.reject(new TributaryError('INVALID_TOPIC', 'bad name')));
    await expect(ensureTopic(refused, 'u', { partitions: 1 })).rejects.toThrow('bad name');
  });
});
