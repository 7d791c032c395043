/**
 * Small pieces the field transformations share: Kafka's validators and `replace.null.with.default`
 * key with their exact messages, reading a struct field with or without its default, and a cache of
 * per-schema plans (a derived schema plus whatever index mapping goes with it).
 */
import { ConfigError, type ConfigDef, type Field, type Struct, type Validator } from '../../src/sdk/index.js';

export const REPLACE_NULL_WITH_DEFAULT_CONFIG = 'replace.null.with.default';

/** Kafka's `replace.null.with.default` (BOOLEAN, default true) as the SMTs of KIP-1040 declare it. */
export function defineReplaceNullWithDefault(def: ConfigDef): ConfigDef {
  return def.define({
    name: REPLACE_NULL_WITH_DEFAULT_CONFIG,
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    documentation:
      'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
  });
}

/** A list as Java prints it in config errors: `[a, b]`. */
export function javaList(list: readonly unknown[]): string {
  return `[${list.join(', ')}]`;
}

function validator(description: string, check: (name: string, value: unknown) => void): Validator {
  return Object.assign(check, { description });
}

/** Kafka's `NonEmptyListValidator`: "Invalid value [] for configuration fields: Empty list". */
export function nonEmptyList(): Validator {
  return validator('non-empty list', (name, v) => {
    if (!Array.isArray(v) || v.length === 0) throw new ConfigError(`Invalid value ${Array.isArray(v) ? javaList(v) : String(v)} for configuration ${name}: Empty list`, { key: name });
  });
}

/** Kafka's `ConfigDef.NonEmptyString`: only the empty string is refused (blank is allowed). */
export function nonEmptyString(): Validator {
  return validator('non-empty string', (name, v) => {
    if (v === '') throw new ConfigError(`Invalid value  for configuration ${name}: String must be non-empty`, { key: name });
  });
}

/**
 * The value of `field` (a field of `struct.schema`) as Kafka's `Struct.get` (default for a null
 * value) or `getWithoutDefault` returns it, read by index.
 */
export function fieldValue(struct: Struct, field: Field, withDefault: boolean): unknown {
  const v = struct.valueAt(field.index) ?? null;
  return v === null && withDefault && field.schema.defaultValue !== undefined ? field.schema.defaultValue : v;
}
