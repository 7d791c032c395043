/**
 * Every plugin built into Tributary, registered explicitly (no scanning): converters, the file
 * connectors and the Postgres CDC source. Connectors from later issues are added here.
 */
import { fileConnectorPlugins } from '../../connectors/file/index.js';
import { postgresCdcSourcePlugin } from '../../connectors/postgres-cdc/index.js';
import type { Plugin } from '../sdk/plugin.js';
import { builtinConverterPlugins } from './converters/index.js';
import { PluginRegistry } from './plugins.js';

export const builtinPlugins: readonly Plugin[] = [...builtinConverterPlugins, ...fileConnectorPlugins, postgresCdcSourcePlugin];

/** A registry holding the built-ins (throws on a duplicate name). */
export function builtinRegistry(): PluginRegistry {
  return new PluginRegistry(builtinPlugins);
}
