/** Kafka Connect's field-shaping transformations and its predicates, for the plugin registry. */
import type { PredicatePlugin, TransformationPlugin } from '../../src/sdk/index.js';
import { kafkaClass, keyValuePlugins, predicatePlugin, singlePlugin } from '../support/plugins.js';
import { ExtractField } from './extract-field.js';
import { Filter } from './filter.js';
import { HoistField } from './hoist-field.js';
import { InsertField } from './insert-field.js';
import { MaskField } from './mask-field.js';
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates.js';
import { ReplaceField } from './replace-field.js';
import { SetSchemaMetadata } from './set-schema-metadata.js';
import { ValueToKey } from './value-to-key.js';

export const fieldTransformPlugins: readonly TransformationPlugin[] = [
  ...keyValuePlugins('InsertField', (part) => new InsertField(part)),
  ...keyValuePlugins('ReplaceField', (part) => new ReplaceField(part)),
  ...keyValuePlugins('MaskField', (part) => new MaskField(part)),
  ...keyValuePlugins('ExtractField', (part) => new ExtractField(part)),
  ...keyValuePlugins('HoistField', (part) => new HoistField(part)),
  ...keyValuePlugins('SetSchemaMetadata', (part) => new SetSchemaMetadata(part)),
  singlePlugin(kafkaClass('ValueToKey'), () => new ValueToKey()),
  singlePlugin(kafkaClass('Filter'), () => new Filter()),
];

export const predicatePlugins: readonly PredicatePlugin[] = [
  predicatePlugin(kafkaClass('predicates.TopicNameMatches'), () => new TopicNameMatches()),
  predicatePlugin(kafkaClass('predicates.HasHeaderKey'), () => new HasHeaderKey()),
  predicatePlugin(kafkaClass('predicates.RecordIsTombstone'), () => new RecordIsTombstone()),
];
