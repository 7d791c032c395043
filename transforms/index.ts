/**
 * The built-in single message transformations and predicates: Kafka Connect's set
 * (`org.apache.kafka.connect.transforms.*`) and Debezium's (`io.debezium.transforms.*`). Like
 * connectors, they import only the SDK.
 */
import type { Plugin } from '../src/sdk/index.js';
import { debeziumTransformPlugins } from './debezium/index.js';
import { fieldTransformPlugins, predicatePlugins } from './kafka/field-plugins.js';
import { routingTransformPlugins } from './kafka/routing-plugins.js';

export const builtinTransformPlugins: readonly Plugin[] = Object.freeze([
  ...fieldTransformPlugins,
  ...routingTransformPlugins,
  ...predicatePlugins,
  ...debeziumTransformPlugins,
]);
