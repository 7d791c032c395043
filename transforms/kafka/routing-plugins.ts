/** Kafka Connect's type, routing and header transformations, for the plugin registry. */
import type { TransformationPlugin } from '../../src/sdk/index.js';

export const routingTransformPlugins: readonly TransformationPlugin[] = [];
