/**
 * A record's failure — the stage, the class at work, what it threw — and the dead letter context
 * made of it: what the error handler reports for a task and the replay for a record that failed again.
 */
import { TransformationError } from '../task-plugins.js';
import { exceptionClassOf, type DeadLetterContext, type Stage } from './dead-letter-format.js';

/** Where a record failed: the stage and the class at work (converter, transformation or connector class). */
export interface Failure {
  readonly stage: Stage;
  readonly className: string;
  readonly error: unknown;
}

/** Whose record failed: the task, and where a sink's record was consumed from (nulls for a source record). */
export interface FailureOrigin {
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: number | null;
  readonly connector: string;
  readonly task: number;
}

/** What the failing class threw: a transformation's own error, not the chain's wrapper naming it. */
export function rootError(err: unknown): unknown {
  return err instanceof TransformationError ? err.cause : err;
}

export function failureContext(failure: Failure, origin: FailureOrigin): DeadLetterContext {
  const root = rootError(failure.error);
  return {
    topic: origin.topic,
    partition: origin.partition,
    offset: origin.offset,
    connector: origin.connector,
    task: origin.task,
    stage: failure.stage,
    className: failure.className,
    exceptionClass: exceptionClassOf(root),
    message: root instanceof Error ? root.message : String(root),
    stacktrace: root instanceof Error ? (root.stack ?? null) : null,
  };
}
