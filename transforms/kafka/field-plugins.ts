/** Kafka Connect's field-shaping transformations and its predicates, for the plugin registry. */
import type { PredicatePlugin, TransformationPlugin } from '../../src/sdk/index.js';

export const fieldTransformPlugins: readonly TransformationPlugin[] = [];
export const predicatePlugins: readonly PredicatePlugin[] = [];
