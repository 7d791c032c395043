/**
 * Field paths of KIP-821 (Kafka Connect's `FieldSyntaxVersion` and `SingleFieldPath`): how a
 * transformation's `field` setting names a possibly nested field.
 *
 * - `V1` (the default): the whole text is one field name at the root, dots and backticks included.
 * - `V2`: dot-separated steps; a step wrapped in backticks may contain dots (`` `foo.bar`.baz ``), and
 *   a backslash before a closing backtick followed by a dot keeps that backtick in the name.
 *
 * Parse once at configure time, then read per record; lookups never throw for a missing field
 * (they return null), only for an intermediate value that is not a struct / map.
 *
 * @example
 * ```ts
 * const def = defineFieldSyntaxVersion(new ConfigDef().define({ name: 'field', ... }));
 * const cfg = def.parse(props);
 * const path = FieldPath.parse(cfg.getString('field')!, fieldSyntaxVersionOf(cfg), 'field');
 * path.valueFromStruct(struct); path.valueFromMap(obj); path.fieldFrom(schema);
 * ```
 */
import { ConfigError, type ConfigDef, type Struct, type Field, type ParsedConfig, type Schema, type Validator } from '../../src/sdk/index.js';
import { requireMapOrNull, requireStructOrNull, type PlainObject } from './requirements.js';

export type FieldSyntaxVersion = 'V1' | 'V2';

export const FIELD_SYNTAX_VERSION_CONFIG = 'field.syntax.version';
export const FIELD_SYNTAX_VERSION_DEFAULT: FieldSyntaxVersion = 'V1';
const VERSIONS: readonly FieldSyntaxVersion[] = ['V1', 'V2'];

const FIELD_SYNTAX_VERSION_DOC =
  'Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. ' +
  'If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. ' +
  'If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. ' +
  'E.g. to access the subfield `baz` from a field named "foo.bar" in a struct/map the following format can be used to access its elements: "`foo.bar`.baz".';

const versionValidator: Validator = Object.assign(
  (name: string, v: unknown) => {
    if (typeof v !== 'string' || !VERSIONS.includes(v.toUpperCase() as FieldSyntaxVersion)) {
      throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: String must be one of (case insensitive): ${VERSIONS.join(', ')}`, { key: name });
    }
  },
  { description: '(case insensitive) [V1, V2]' },
);

/** Adds `field.syntax.version` (default V1, case-insensitive V1|V2) to `def` (Kafka's `appendConfigTo`). */
export function defineFieldSyntaxVersion(def: ConfigDef): ConfigDef {
  return def.define({
    name: FIELD_SYNTAX_VERSION_CONFIG,
    type: 'STRING',
    default: FIELD_SYNTAX_VERSION_DEFAULT,
    validator: versionValidator,
    importance: 'HIGH',
    documentation: FIELD_SYNTAX_VERSION_DOC,
    recommendedValues: VERSIONS,
  });
}

/** The version set in a config parsed with a declaration from `defineFieldSyntaxVersion`. */
export function fieldSyntaxVersionOf(config: ParsedConfig): FieldSyntaxVersion {
  return parseFieldSyntaxVersion(config.getString(FIELD_SYNTAX_VERSION_CONFIG) ?? FIELD_SYNTAX_VERSION_DEFAULT);
}

/** `v2` → `V2`; ConfigError ("Unrecognized field syntax version") for anything else. */
export function parseFieldSyntaxVersion(text: string): FieldSyntaxVersion {
  const v = text.toUpperCase() as FieldSyntaxVersion;
  if (!VERSIONS.includes(v)) {
    throw new ConfigError(`Invalid value ${text} for configuration ${FIELD_SYNTAX_VERSION_CONFIG}: Unrecognized field syntax version`, { key: FIELD_SYNTAX_VERSION_CONFIG });
  }
  return v;
}

/** A struct schema's field by name, or null; an index per schema is built once. */
export function schemaField(schema: Schema, name: string): Field | null {
  if (schema.type !== 'struct' || !schema.fields) return null;
  let index = fieldIndexes.get(schema);
  if (index === undefined) fieldIndexes.set(schema, (index = new Map(schema.fields.map((f) => [f.name, f]))));
  return index.get(name) ?? null;
}
const fieldIndexes = new WeakMap<Schema, Map<string, Field>>();

const BACKTICK = '`';
const DOT = '.';
const BACKSLASH = '\\';

/** A parsed single field path: one or more steps (none only for an empty V2 path, which finds nothing). */
export class FieldPath {
  private constructor(
    readonly version: FieldSyntaxVersion,
    readonly steps: readonly string[],
  ) {}

  /**
   * Parses `text` per `version`. Throws ConfigError on an unclosed backtick pair (V2), naming
   * `configKey` when given.
   */
  static parse(text: string, version: FieldSyntaxVersion, configKey?: string): FieldPath {
    return new FieldPath(version, Object.freeze(version === 'V1' ? [text] : parseV2(text, configKey)));
  }

  /** The field at this path in a struct schema, or null when a step is missing or not a struct. */
  fieldFrom(schema: Schema | null): Field | null {
    if (schema === null || this.steps.length === 0) return null;
    let current = schema;
    const last = this.steps.length - 1;
    for (let i = 0; i < last; i++) {
      const f = schemaField(current, this.steps[i]!);
      if (f === null) return null;
      current = f.schema;
    }
    return schemaField(current, this.steps[last]!);
  }

  /**
   * The value at this path, or null when a step is missing or an intermediate struct is null.
   * `withDefault` (Kafka's `replace.null.with.default`) returns the field's default for a null value.
   * Throws DataError when an intermediate value is not a Struct.
   */
  valueFromStruct(struct: Struct | null, withDefault = true): unknown {
    if (struct === null || this.steps.length === 0) return null;
    let current: Struct | null = struct;
    const last = this.steps.length - 1;
    for (let i = 0; i < last; i++) {
      const step = this.steps[i]!;
      if (schemaField(current.schema, step) === null) return null;
      current = requireStructOrNull(current.get(step), 'nested field access');
      if (current === null) return null;
    }
    const name = this.steps[last]!;
    if (schemaField(current.schema, name) === null) return null;
    return withDefault ? current.get(name) : current.getWithoutDefault(name);
  }

  /**
   * The value at this path in a schemaless map, or null when absent. Throws DataError when an
   * intermediate value is neither null nor a map.
   */
  valueFromMap(map: PlainObject | null): unknown {
    if (map === null || this.steps.length === 0) return null;
    let current: PlainObject | null = map;
    const last = this.steps.length - 1;
    for (let i = 0; i < last; i++) {
      current = requireMapOrNull(own(current, this.steps[i]!), 'nested field access');
      if (current === null) return null;
    }
    return own(current, this.steps[last]!) ?? null;
  }

  toString(): string {
    return this.steps.join('.');
  }
}

function own(map: PlainObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

function incompleteBacktick(path: string, at: number, configKey: string | undefined): ConfigError {
  return new ConfigError(`Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${at} to escape it`, { key: configKey });
}

/**
 * Splits on dots. A step opening with a backtick ends at the first backtick that is followed by a
 * dot (or ends the path) and not preceded by a backslash; backticks elsewhere are literal.
 */
function parseV2(path: string, configKey: string | undefined): string[] {
  const steps: string[] = [];
  let idx = 0;
  while (idx < path.length) {
    if (path[idx] !== BACKTICK) {
      const dot = path.indexOf(DOT, idx);
      if (dot < 0) {
        steps.push(path.slice(idx));
        idx = path.length;
      } else {
        steps.push(path.slice(idx, dot));
        idx = dot + 1;
      }
      continue;
    }
    const openAt = idx;
    let name = '';
    let start = ++idx;
    for (;;) {
      idx = path.indexOf(BACKTICK, idx);
      if (idx < 0) throw incompleteBacktick(path, openAt, configKey);
      const escaped = path[idx - 1] === BACKSLASH;
      if (idx >= path.length - 1) {
        if (escaped) throw incompleteBacktick(path, openAt, configKey);
        steps.push(name + path.slice(start, idx));
        idx++;
        break;
      }
      if (path[idx + 1] !== DOT) {
        idx++; // a backtick inside the name
        continue;
      }
      if (escaped) {
        name += path.slice(start, idx - 1) + BACKTICK;
        start = ++idx;
        continue;
      }
      steps.push(name + path.slice(start, idx));
      idx += 2;
      break;
    }
  }
  // A trailing dot leaves an empty last step.
  if (path.endsWith(DOT)) steps.push('');
  return steps;
}
