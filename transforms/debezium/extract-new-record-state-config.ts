/**
 * ExtractNewRecordState's settings (Debezium's `ExtractNewRecordStateConfigDefinition` plus the
 * `drop.fields.*` keys of `ExtractNewRecordState`), and how delete events and tombstones are handled.
 *
 * `delete.tombstone.handling.mode` (default `tombstone`) is today's key. Debezium 2.5–3.1 also read
 * the deprecated `drop.tombstones` (default true) and `delete.handling.mode` (drop|rewrite|none,
 * default drop), which the newer key overrides; Debezium 3.2 removed them. Both are accepted here
 * the same way: the newer key wins when set (non-blank); otherwise, if either legacy key is set,
 * they decide; otherwise the default `tombstone` applies.
 */
import { ConfigDef, ConfigError, type ParsedConfig, type Validator } from '../../src/sdk/index.js';
import { parseFieldReferences, type FieldReference } from './field-reference.js';

export const HANDLING_MODE = 'delete.tombstone.handling.mode';
export const DROP_TOMBSTONES = 'drop.tombstones';
export const DELETE_HANDLING_MODE = 'delete.handling.mode';
export const ROUTE_BY_FIELD = 'route.by.field';
export const ADD_FIELDS = 'add.fields';
export const ADD_FIELDS_PREFIX = 'add.fields.prefix';
export const ADD_HEADERS = 'add.headers';
export const ADD_HEADERS_PREFIX = 'add.headers.prefix';
export const DROP_FIELDS_HEADER_NAME = 'drop.fields.header.name';
export const DROP_FIELDS_FROM_KEY = 'drop.fields.from.key';
export const DROP_FIELDS_KEEP_SCHEMA_COMPATIBLE = 'drop.fields.keep.schema.compatible';
export const REPLACE_NULL_WITH_DEFAULT = 'replace.null.with.default';

export const HANDLING_MODES = ['drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone', 'delete-to-tombstone'] as const;
const LEGACY_DELETE_MODES = ['drop', 'rewrite', 'none'] as const;

/** What becomes of a delete event. */
export type DeleteOutcome =
  /** dropped */
  | 'drop'
  /** value null, value schema `after`'s (Debezium's `tombstone` / legacy `none`: "a record only with null value") */
  | 'null-value'
  /** value and value schema null: a real tombstone */
  | 'tombstone'
  /** `before` with `__deleted: "true"` */
  | 'rewrite';

export interface DeleteHandling {
  readonly delete: DeleteOutcome;
  /** Whether tombstones pass (else they are dropped). */
  readonly keepTombstones: boolean;
  /** Whether creates, updates and reads get `__deleted: "false"`. */
  readonly rewrite: boolean;
}

/** Case-insensitive, trimmed, as Debezium's `EnumeratedValue.parse`; blank allowed when `blankOk`. */
function enumValidator(values: readonly string[], blankOk: boolean): Validator {
  return Object.assign(
    (name: string, v: unknown) => {
      const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
      if ((blankOk && s === '') || values.includes(s)) return;
      throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: Value must be one of ${values.join(', ')}`, { key: name });
    },
    { description: `[${values.join(', ')}]` },
  );
}

export const EXTRACT_NEW_RECORD_STATE_CONFIG = new ConfigDef()
  .define({
    name: HANDLING_MODE,
    type: 'STRING',
    default: 'tombstone',
    importance: 'MEDIUM',
    width: 'MEDIUM',
    displayName: 'Handle delete and tombstone records',
    validator: enumValidator(HANDLING_MODES, true),
    recommendedValues: HANDLING_MODES,
    documentation:
      'How to handle delete records and tombstones. drop: remove the delete event and the tombstone; tombstone (default): keep only a ' +
      'tombstone for each delete; rewrite: remove tombstones and turn the delete into its `before` row with `__deleted` = "true" (other ' +
      'events get "false"); rewrite-with-tombstone: as rewrite, keeping tombstones; delete-to-tombstone: convert delete events to ' +
      'tombstones and drop the original tombstones. Takes precedence over the deprecated drop.tombstones and delete.handling.mode.',
  })
  .define({
    name: DROP_TOMBSTONES,
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    width: 'SHORT',
    displayName: 'Drop tombstones',
    documentation: 'Deprecated (removed in Debezium 3.2), used only when delete.tombstone.handling.mode is not set: whether tombstones are dropped.',
  })
  .define({
    name: DELETE_HANDLING_MODE,
    type: 'STRING',
    default: 'drop',
    importance: 'MEDIUM',
    width: 'MEDIUM',
    displayName: 'Handle delete records',
    validator: enumValidator(LEGACY_DELETE_MODES, false),
    recommendedValues: LEGACY_DELETE_MODES,
    documentation:
      'Deprecated (removed in Debezium 3.2), used only when delete.tombstone.handling.mode is not set: none keeps delete records with a ' +
      'null value, drop (the default) removes them, rewrite turns them into the `before` row with `__deleted` added.',
  })
  .define({
    name: ROUTE_BY_FIELD,
    type: 'STRING',
    default: '',
    importance: 'LOW',
    width: 'LONG',
    displayName: 'Route by field name',
    documentation: 'The column which determines how the events will be routed, the value will replace the topic name (read from `before` for deletes).',
  })
  .define({
    name: ADD_FIELDS_PREFIX,
    type: 'STRING',
    default: '__',
    importance: 'LOW',
    width: 'SHORT',
    displayName: 'Field prefix to be added to each field.',
    documentation: 'Adds this prefix to each field listed.',
  })
  .define({
    name: ADD_FIELDS,
    type: 'LIST',
    default: '',
    importance: 'LOW',
    width: 'LONG',
    displayName: 'Adds the specified field(s) to the message if they exist.',
    documentation:
      "Adds each field listed, prefixed with __ (or __<struct>_ if the struct is specified). Example: 'version,connector,source.ts_ms' would " +
      'add __version, __connector and __source_ts_ms fields. Optionally one can also map new field name like ' +
      'version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP. Please note that the new field name is case-sensitive.',
  })
  .define({
    name: ADD_HEADERS_PREFIX,
    type: 'STRING',
    default: '__',
    importance: 'LOW',
    width: 'SHORT',
    displayName: 'Header prefix to be added to each header.',
    documentation: 'Adds this prefix listed to each header.',
  })
  .define({
    name: ADD_HEADERS,
    type: 'LIST',
    default: '',
    importance: 'LOW',
    width: 'LONG',
    displayName: 'Adds the specified fields to the header if they exist.',
    documentation:
      "Adds each field listed to the header, __ (or __<struct>_ if the struct is specified). Example: 'version,connector,source.ts_ms' " +
      'would add __version, __connector and __source_ts_ms headers. Renaming works as for add.fields.',
  })
  .define({
    name: DROP_FIELDS_HEADER_NAME,
    type: 'STRING',
    default: null,
    importance: 'LOW',
    width: 'SHORT',
    displayName: 'Specifies a header that contains a list of field names to be removed',
    documentation: 'Specifies the name of a header that contains a list of fields to be removed from the event value.',
  })
  .define({
    name: DROP_FIELDS_FROM_KEY,
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    width: 'SHORT',
    displayName: 'Specifies whether the fields to be dropped should also be omitted from the key',
    documentation: 'Specifies whether to apply the drop fields behavior to the event key as well as the value.',
  })
  .define({
    name: DROP_FIELDS_KEEP_SCHEMA_COMPATIBLE,
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    width: 'SHORT',
    displayName: "Specifies if fields are dropped, will the event's schemas be compatible",
    documentation:
      'true: only dropped fields the schema marks optional are removed, leaving the schemas compatible; false: dropped fields are removed ' +
      'from the key/value schemas, regardless of optionality.',
  })
  .define({
    name: REPLACE_NULL_WITH_DEFAULT,
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    width: 'SHORT',
    displayName: 'replace null field value with default',
    documentation: 'When this option is enabled, null field values are replaced by source-defined defaults when rewriting the record.',
  });

const MODES: Record<(typeof HANDLING_MODES)[number], DeleteHandling> = {
  drop: { delete: 'drop', keepTombstones: false, rewrite: false },
  tombstone: { delete: 'null-value', keepTombstones: false, rewrite: false },
  rewrite: { delete: 'rewrite', keepTombstones: false, rewrite: true },
  'rewrite-with-tombstone': { delete: 'rewrite', keepTombstones: true, rewrite: true },
  'delete-to-tombstone': { delete: 'tombstone', keepTombstones: false, rewrite: false },
};

const has = (props: Readonly<Record<string, string>>, key: string): boolean => Object.prototype.hasOwnProperty.call(props, key);

export function deleteHandling(cfg: ParsedConfig): DeleteHandling {
  const props = cfg.originals;
  const mode = (cfg.getString(HANDLING_MODE) ?? '').trim().toLowerCase();
  if (mode !== '' && has(props, HANDLING_MODE)) return MODES[mode as (typeof HANDLING_MODES)[number]];
  if (has(props, DROP_TOMBSTONES) || has(props, DELETE_HANDLING_MODE)) {
    const legacy = cfg.getString(DELETE_HANDLING_MODE)!.trim().toLowerCase();
    return {
      delete: legacy === 'none' ? 'null-value' : legacy === 'rewrite' ? 'rewrite' : 'drop',
      keepTombstones: !cfg.getBoolean(DROP_TOMBSTONES),
      rewrite: legacy === 'rewrite',
    };
  }
  return MODES.tombstone;
}

export interface ExtractSettings {
  readonly handling: DeleteHandling;
  readonly routeByField: string | null;
  readonly addFields: readonly FieldReference[];
  readonly addHeaders: readonly FieldReference[];
  readonly dropFieldsHeader: string | null;
  readonly dropFieldsFromKey: boolean;
  readonly dropFieldsKeepSchemaCompatible: boolean;
  readonly replaceNullWithDefault: boolean;
}

export function extractSettings(props: Readonly<Record<string, string>>): ExtractSettings {
  const cfg = EXTRACT_NEW_RECORD_STATE_CONFIG.parse(props);
  const route = cfg.getString(ROUTE_BY_FIELD) ?? '';
  const dropHeader = cfg.getString(DROP_FIELDS_HEADER_NAME);
  return Object.freeze({
    handling: deleteHandling(cfg),
    routeByField: route === '' ? null : route,
    addFields: parseFieldReferences(cfg.getString(ADD_FIELDS_PREFIX) ?? '', cfg.getList(ADD_FIELDS), ADD_FIELDS),
    addHeaders: parseFieldReferences(cfg.getString(ADD_HEADERS_PREFIX) ?? '', cfg.getList(ADD_HEADERS), ADD_HEADERS),
    dropFieldsHeader: dropHeader === null || dropHeader.trim() === '' ? null : dropHeader,
    dropFieldsFromKey: cfg.getBoolean(DROP_FIELDS_FROM_KEY),
    dropFieldsKeepSchemaCompatible: cfg.getBoolean(DROP_FIELDS_KEEP_SCHEMA_COMPATIBLE),
    replaceNullWithDefault: cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT),
  });
}
