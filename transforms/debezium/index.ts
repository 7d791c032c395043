/** Debezium's transformations (`io.debezium.transforms.*`), for the plugin registry. */
import type { TransformationPlugin } from '../../src/sdk/index.js';

export const debeziumTransformPlugins: readonly TransformationPlugin[] = [];
