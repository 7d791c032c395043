/**
 * Every plugin built into Tributary, registered explicitly (no scanning): converters, the file
 * connectors, the Postgres CDC source, the S3 sink and the transformations and predicates. Connectors
 * from later issues are added here.
 */
import { fileConnectorPlugins } from '../../connectors/file/index.js';
import { postgresCdcSourcePlugin } from '../../connectors/postgres-cdc/index.js';
import { s3SinkPlugin } from '../../connectors/s3/index.js';
import { builtinTransformPlugins } from '../../transforms/index.js';
import type { Plugin } from '../sdk/plugin.js';
import { builtinConverterPlugins } from './converters/index.js';
import { JsonConverter } from './converters/json-converter.js';
import { convertToString } from './converters/values-text.js';
import { PluginRegistry } from './plugins.js';

export const builtinPlugins: readonly Plugin[] = [
  ...builtinConverterPlugins,
  ...fileConnectorPlugins,
  postgresCdcSourcePlugin,
  // The S3 sink writes JSON files with Kafka's JsonConverter; handed over so it needs only the SDK.
  s3SinkPlugin({ newJsonConverter: () => new JsonConverter(), valuesText: convertToString }),
  ...builtinTransformPlugins,
];

/** A registry holding the built-ins (throws on a duplicate name). */
export function builtinRegistry(): PluginRegistry {
  return new PluginRegistry(builtinPlugins);
}
