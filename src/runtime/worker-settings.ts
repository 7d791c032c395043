/**
 * What the runtime needs from the worker config, already parsed (the CLI builds it from
 * `src/config/worker-config.ts`). Defaults are Kafka Connect's.
 */
export interface WorkerSettings {
  /** `host:port` advertised in statuses. */
  readonly workerId: string;
  readonly keyConverter: string;
  readonly valueConverter: string;
  readonly headerConverter: string;
  /** `key.converter.*`, `value.converter.*`, `header.converter.*` with the prefix removed. */
  readonly keyConverterConfig: Readonly<Record<string, string>>;
  readonly valueConverterConfig: Readonly<Record<string, string>>;
  readonly headerConverterConfig: Readonly<Record<string, string>>;
  readonly offsetFlushIntervalMs: number;
  readonly offsetFlushTimeoutMs: number;
  readonly taskShutdownGracefulTimeoutMs: number;
  /** Source tasks: bytes appended but not yet durable before `poll` waits (producer `buffer.memory`). */
  readonly producerBufferBytes: number;
  /** Sink tasks: bytes per read (consumer `fetch.max.bytes`) and records per `put` (`max.poll.records`). */
  readonly consumerFetchMaxBytes: number;
  readonly consumerMaxPollRecords: number;
  readonly configTopic: string;
  readonly offsetTopic: string;
  readonly statusTopic: string;
  readonly offsetPartitions: number;
  readonly statusPartitions: number;
  /** Create a source's topic on first use (else the task fails on an unknown topic). */
  readonly topicCreationEnable: boolean;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  workerId: 'localhost:8083',
  keyConverter: 'org.apache.kafka.connect.json.JsonConverter',
  valueConverter: 'org.apache.kafka.connect.json.JsonConverter',
  headerConverter: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
  keyConverterConfig: {},
  valueConverterConfig: {},
  headerConverterConfig: {},
  offsetFlushIntervalMs: 60_000,
  offsetFlushTimeoutMs: 5_000,
  taskShutdownGracefulTimeoutMs: 5_000,
  producerBufferBytes: 32 << 20,
  consumerFetchMaxBytes: 50 << 20,
  consumerMaxPollRecords: 500,
  configTopic: 'connect-configs',
  offsetTopic: 'connect-offsets',
  statusTopic: 'connect-status',
  offsetPartitions: 25,
  statusPartitions: 5,
  topicCreationEnable: true,
};
