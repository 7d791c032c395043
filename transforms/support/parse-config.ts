/**
 * `ConfigDef.parse` that says which key is at fault: ConfigDef's own error lists every problem
 * without a key; when exactly one key has problems, this rethrows with `ConfigError.key` set.
 */
import { ConfigError, type ConfigDef, type ParsedConfig } from '../../src/sdk/index.js';

export function parseConfig(def: ConfigDef, props: Readonly<Record<string, string>>): ParsedConfig {
  try {
    return def.parse(props);
  } catch (err) {
    if (!(err instanceof ConfigError) || err.key !== undefined) throw err;
    const failing = def.validate(props).filter((r) => r.errors.length > 0);
    if (failing.length !== 1) throw err;
    throw new ConfigError(err.message, { key: failing[0]!.name, cause: err });
  }
}
