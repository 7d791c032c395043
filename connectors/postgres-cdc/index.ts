/** The Postgres CDC source (Debezium-compatible): plugin descriptor and classes. */
export { PostgresCdcSourceConnector, postgresCdcSourcePlugin } from './pg-cdc-connector.js';
export { PostgresCdcSourceTask } from './pg-cdc-task.js';
