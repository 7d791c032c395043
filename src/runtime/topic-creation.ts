/**
 * "Create the topic if it is missing" as the worker, the dead letter queue and the replay do it:
 * a topic that another task or worker created meanwhile counts as there.
 */
import { isTributaryError } from '../errors/codes.js';
import type { CreateTopicOptions, Log } from '../log/log.js';

/**
 * Whether `topic` exists, after creating it with `create` when it was missing. With `create` null
 * a missing topic stays missing (false). An existing topic is used as it is, whatever `create` says.
 */
export async function ensureTopic(log: Log, topic: string, create: CreateTopicOptions | null): Promise<boolean> {
  if ((await log.listTopics()).includes(topic)) return true;
  if (create === null) return false;
  try {
    await log.createTopic(topic, create);
  } catch (err) {
    if (!isTributaryError(err, 'TOPIC_ALREADY_EXISTS')) throw err;
  }
  return true;
}
