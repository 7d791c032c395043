/**
 * What a source record goes through on its way to the log (Kafka Connect's WorkerSourceTask
 * `sendRecords`: the transformation chain, then `convertTransformedRecord`: the key, value and
 * header converters). The
 * source task runner sends each polled record through it, the replay of a source's dead letter
 * queue each dead-lettered one; a failure is named the same way for both.
 */
import type { LogRecord, RecordHeader } from '../log/log.js';
import type { SourceRecord } from '../sdk/records.js';
import type { Stage } from './errors/dead-letter-format.js';
import type { Failure } from './errors/failure.js';
import { TransformationError, failingClassName, type TaskConverters, type TransformChain } from './task-plugins.js';

export class SourcePipeline {
  /** The step at work on the record being converted: a failure's stage. */
  private stage: Stage = 'TRANSFORMATION';
  /** Where the record `convert` last returned goes (after the transformations): its topic, and its explicit partition or null. */
  topic = '';
  kafkaPartition: number | null = null;

  constructor(
    private readonly converters: TaskConverters,
    private readonly transforms: TransformChain<SourceRecord>,
    /** The connector's class: what fails at KAFKA_PRODUCE, and (defensively) an error outside any transformation step. */
    readonly connectorClass: string,
  ) {}

  /**
   * The record transformed and converted, its target in `topic` / `kafkaPartition` (fields rather
   * than a wrapper object: this runs once per polled record); null when a transformation dropped
   * it. Throws what failed; `failure` names where.
   */
  convert(original: SourceRecord): LogRecord | null {
    const { converters, transforms } = this;
    this.stage = 'TRANSFORMATION';
    const r = transforms.empty ? original : transforms.apply(original);
    if (r === null) return null;
    this.stage = 'KEY_CONVERTER';
    const key = converters.key.fromConnectData(r.topic, r.keySchema, r.key, r.headers);
    this.stage = 'VALUE_CONVERTER';
    const value = converters.value.fromConnectData(r.topic, r.valueSchema, r.value, r.headers);
    let headers: RecordHeader[] | undefined;
    if (r.headers.length > 0) {
      this.stage = 'HEADER_CONVERTER';
      headers = r.headers.map((h) => ({ key: h.key, value: converters.header.fromConnectHeader(r.topic, h.key, h.schema, h.value) }));
    }
    this.topic = r.topic;
    this.kafkaPartition = r.kafkaPartition;
    return { key, value, timestamp: r.timestamp ?? undefined, headers };
  }

  /** What the last `convert` threw, with the stage it failed in and the class at work there. */
  failure(error: unknown): Failure {
    const stage = this.stage;
    const className = stage === 'TRANSFORMATION' && !(error instanceof TransformationError) ? this.connectorClass : failingClassName(error, stage, this.converters);
    return { stage, className, error };
  }
}
