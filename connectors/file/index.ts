/** The FileStream connectors (Kafka Connect's `connect-file`): plugin descriptors and their classes. */
import type { ConnectorPlugin } from '../../src/sdk/index.js';
import { fileStreamSinkPlugin } from './file-sink-connector.js';
import { fileStreamSourcePlugin } from './file-source-connector.js';

export { FileStreamSinkConnector, fileStreamSinkPlugin } from './file-sink-connector.js';
export { FileStreamSinkTask, type FileSinkTaskOptions } from './file-sink-task.js';
export { FileStreamSourceConnector, fileStreamSourcePlugin } from './file-source-connector.js';
export { FileStreamSourceTask, type FileSourceTaskOptions } from './file-source-task.js';

/** Both FileStream connectors, for the worker's plugin registry. */
export const fileConnectorPlugins: readonly ConnectorPlugin[] = Object.freeze([fileStreamSourcePlugin, fileStreamSinkPlugin]);
