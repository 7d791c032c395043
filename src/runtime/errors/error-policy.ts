/**
 * A connector's `errors.*` settings (Kafka Connect's KIP-298 keys), read once per task.
 * Tributary applies them to sources as well as sinks, dead letter queue included.
 */
export interface ErrorPolicy {
  /** `all`: a record that fails is reported and skipped; `none`: it fails the task (after being reported). */
  readonly tolerance: 'none' | 'all';
  /** How long a `RetriableError` from a converter or transformation is retried; -1 = forever, 0 = never. */
  readonly retryTimeoutMs: number;
  /** The longest wait between retries (they start at 300 ms and double). */
  readonly retryDelayMaxMs: number;
  readonly logEnable: boolean;
  readonly logIncludeMessages: boolean;
  /** '' when there is no dead letter queue. */
  readonly dlqTopic: string;
  readonly dlqContextHeaders: boolean;
}

const bool = (v: string | undefined): boolean => (v ?? '').trim().toLowerCase() === 'true';
const num = (v: string | undefined, dflt: number): number => {
  const n = Number((v ?? '').trim());
  return (v ?? '').trim() === '' || !Number.isFinite(n) ? dflt : n;
};

/** The policy of a (validated) connector config; unset keys take Kafka Connect's defaults. */
export function errorPolicy(config: Readonly<Record<string, string>>): ErrorPolicy {
  return {
    tolerance: (config['errors.tolerance'] ?? 'none').trim().toLowerCase() === 'all' ? 'all' : 'none',
    retryTimeoutMs: num(config['errors.retry.timeout'], 0),
    retryDelayMaxMs: num(config['errors.retry.delay.max.ms'], 60_000),
    logEnable: bool(config['errors.log.enable']),
    logIncludeMessages: bool(config['errors.log.include.messages']),
    dlqTopic: (config['errors.deadletterqueue.topic.name'] ?? '').trim(),
    dlqContextHeaders: bool(config['errors.deadletterqueue.context.headers.enable']),
  };
}
