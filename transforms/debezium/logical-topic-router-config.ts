/**
 * The settings of Debezium's topic routers (`ToLogicalTopicRouter` and the deprecated
 * `ByLogicalTableRouter`, which differ only in the default `key.field.name` and the name of the
 * cache size key), declared once for parsing, validation and documentation.
 */
import { ConfigDef, ConfigError, atLeast, nonEmptyString, type Validator } from '../../src/sdk/index.js';
import { compileJavaPattern } from '../support/java-pattern.js';
import { SCHEMA_NAME_ADJUSTMENT_MODES } from './schema-name-adjuster.js';

export const TOPIC_REGEX = 'topic.regex';
export const TOPIC_REPLACEMENT = 'topic.replacement';
export const KEY_ENFORCE_UNIQUENESS = 'key.enforce.uniqueness';
export const KEY_FIELD_REGEX = 'key.field.regex';
export const KEY_FIELD_NAME = 'key.field.name';
export const KEY_FIELD_REPLACEMENT = 'key.field.replacement';
export const SCHEMA_NAME_ADJUSTMENT_MODE = 'schema.name.adjustment.mode';
export const LOGICAL_TABLE_CACHE_SIZE = 'logical.table.cache.size';
export const LOGICAL_DESTINATION_CACHE_SIZE = 'logical.destination.cache.size';

export interface RouterVariant {
  readonly keyFieldNameDefault: string;
  /** ByLogicalTableRouter also reads `logical.table.cache.size`. */
  readonly legacyCacheKey: boolean;
}

export const BY_LOGICAL_TABLE: RouterVariant = { keyFieldNameDefault: '__dbz__physicalTableIdentifier', legacyCacheKey: true };
export const TO_LOGICAL_TOPIC: RouterVariant = { keyFieldNameDefault: '__dbz__sourceIdentifier', legacyCacheKey: false };

const regexValidator: Validator = Object.assign(
  (name: string, v: unknown) => {
    if (v === null || String(v).trim() === '') return;
    try {
      compileJavaPattern(String(v));
    } catch (err) {
      throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: ${(err as Error).message}`, { key: name });
    }
  },
  { description: 'a Java regular expression' },
);

const requiredRegexValidator: Validator = Object.assign(
  (name: string, v: unknown) => {
    nonEmptyString()(name, v);
    regexValidator(name, v);
  },
  { description: 'a non-empty regular expression' },
);

const adjustmentModeValidator: Validator = Object.assign(
  (name: string, v: unknown) => {
    if (typeof v === 'string' && (SCHEMA_NAME_ADJUSTMENT_MODES as readonly string[]).includes(v.trim().toLowerCase())) return;
    throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: Value must be one of ${SCHEMA_NAME_ADJUSTMENT_MODES.join(', ')}`, { key: name });
  },
  { description: `[${SCHEMA_NAME_ADJUSTMENT_MODES.join(', ')}]` },
);

export function routerConfigDef(variant: RouterVariant): ConfigDef {
  const def = new ConfigDef()
    .define({
      name: TOPIC_REGEX,
      type: 'STRING',
      importance: 'LOW',
      width: 'LONG',
      displayName: 'Topic regex',
      validator: requiredRegexValidator,
      documentation: 'The regex used for extracting the name of the logical table from the original topic name.',
    })
    .define({
      name: TOPIC_REPLACEMENT,
      type: 'STRING',
      importance: 'LOW',
      width: 'LONG',
      displayName: 'Topic replacement',
      validator: nonEmptyString(),
      documentation: `The replacement string used in conjunction with ${TOPIC_REGEX}. This will be used to create the new topic name.`,
    })
    .define({
      name: KEY_ENFORCE_UNIQUENESS,
      type: 'BOOLEAN',
      default: true,
      importance: 'LOW',
      width: 'SHORT',
      displayName: 'Add source topic name into key',
      documentation:
        "Augment each record's key with a field denoting the source topic. This field distinguishes records coming from different physical " +
        'tables which may otherwise have primary/unique key conflicts. If the source tables are guaranteed to have globally unique keys then ' +
        'this may be set to false to disable key rewriting.',
    })
    .define({
      name: KEY_FIELD_REGEX,
      type: 'STRING',
      default: null,
      importance: 'LOW',
      width: 'LONG',
      displayName: 'Key field regex',
      validator: regexValidator,
      documentation: 'The regex used for extracting the physical table identifier from the original topic name.',
    })
    .define({
      name: KEY_FIELD_NAME,
      type: 'STRING',
      default: variant.keyFieldNameDefault,
      importance: 'LOW',
      width: 'LONG',
      displayName: 'Key field name',
      documentation:
        "Each record's key schema will be augmented with this field name. The purpose of this field is to distinguish the different physical " +
        'tables that can now share a single topic. Make sure not to configure a field name that is at risk of conflict with existing key ' +
        'schema field names.',
    })
    .define({
      name: KEY_FIELD_REPLACEMENT,
      type: 'STRING',
      default: null,
      importance: 'LOW',
      width: 'LONG',
      displayName: 'Key field replacement',
      documentation: `The replacement string used in conjunction with ${KEY_FIELD_REGEX}. This will be used to create the physical table identifier in the record's key.`,
    })
    .define({
      name: SCHEMA_NAME_ADJUSTMENT_MODE,
      type: 'STRING',
      default: 'none',
      importance: 'LOW',
      width: 'MEDIUM',
      displayName: 'Schema Name Adjustment',
      validator: adjustmentModeValidator,
      recommendedValues: SCHEMA_NAME_ADJUSTMENT_MODES,
      documentation:
        'Specify how the message key schema names derived from the resulting topic name should be adjusted for compatibility with the ' +
        "message converter used by the connector: 'none' (default) does not apply any adjustment, 'avro' replaces the characters that cannot " +
        "be used in the Avro type name with underscore, 'avro_unicode' replaces them with _uXXXX.",
    })
    .define({
      name: LOGICAL_DESTINATION_CACHE_SIZE,
      type: 'INT',
      default: variant.legacyCacheKey ? null : 16,
      importance: 'LOW',
      width: 'LONG',
      displayName: 'Logical destination cache size',
      validator: atLeast(0),
      documentation:
        'The size used for holding the max entries in LRUCache. The cache will keep the old/new schema for logical table key and value, also ' +
        'cache the derived key and topic regex result for improving the source record transformation.' +
        (variant.legacyCacheKey ? ` Takes precedence over ${LOGICAL_TABLE_CACHE_SIZE}.` : ''),
    });
  if (!variant.legacyCacheKey) return def;
  return def.define({
    name: LOGICAL_TABLE_CACHE_SIZE,
    type: 'INT',
    default: 16,
    importance: 'LOW',
    width: 'LONG',
    displayName: 'Logical table cache size',
    validator: atLeast(0),
    documentation: `Deprecated name of ${LOGICAL_DESTINATION_CACHE_SIZE}.`,
  });
}
