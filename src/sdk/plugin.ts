/**
 * Plugin descriptors: how a connector, converter, transformation or predicate makes itself known
 * to the worker. Each built-in exports one descriptor; the worker's registry
 * (`src/runtime/plugins.ts`) indexes it under its class name and every alias, and refuses a
 * duplicate name at start-up.
 *
 * @example
 * ```ts
 * export const fileStreamSourcePlugin: ConnectorPlugin = {
 *   type: 'source',
 *   className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
 *   aliases: ['FileStreamSource', 'FileStreamSourceConnector'],
 *   version: '1.0.0',
 *   create: () => new FileStreamSourceConnector(),
 * };
 * ```
 */
import type { Connector } from './connector.js';
import type { Converter, HeaderConverter } from './converter.js';
import type { Predicate, Transformation } from './transformation.js';

interface PluginBase {
  /** The Kafka Connect / Debezium / Confluent class name users write in `connector.class`. */
  readonly className: string;
  /** Short names accepted in its place. */
  readonly aliases: readonly string[];
  readonly version: string;
}

export interface ConnectorPlugin extends PluginBase {
  readonly type: 'source' | 'sink';
  create(): Connector;
}
export interface ConverterPlugin extends PluginBase {
  readonly type: 'converter';
  create(): Converter;
}
export interface HeaderConverterPlugin extends PluginBase {
  readonly type: 'header_converter';
  create(): HeaderConverter;
}
export interface TransformationPlugin extends PluginBase {
  readonly type: 'transformation';
  create(): Transformation;
}
export interface PredicatePlugin extends PluginBase {
  readonly type: 'predicate';
  create(): Predicate;
}

export type Plugin = ConnectorPlugin | ConverterPlugin | HeaderConverterPlugin | TransformationPlugin | PredicatePlugin;
export type PluginType = Plugin['type'];
