/**
 * Every plugin built into Tributary, registered explicitly (no scanning): converters and the file
 * connectors. Connectors from later issues are added here.
 */
import { fileConnectorPlugins } from '../../connectors/file/index.js';
import type { Plugin } from '../sdk/plugin.js';
import { builtinConverterPlugins } from './converters/index.js';
import { PluginRegistry } from './plugins.js';

export const builtinPlugins: readonly Plugin[] = [...builtinConverterPlugins, ...fileConnectorPlugins];

/** A registry holding the built-ins (throws on a duplicate name). */
export function builtinRegistry(): PluginRegistry {
  return new PluginRegistry(builtinPlugins);
}
