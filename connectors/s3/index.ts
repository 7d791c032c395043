/** The S3 sink connector (Confluent-compatible): plugin descriptor and classes. */
export { S3SinkConnector, s3SinkPlugin } from './s3-sink-connector.js';
export { S3SinkTask } from './s3-sink-task.js';
export { buildPlan, type PlanDeps, type SinkPlan } from './sink-plan.js';
