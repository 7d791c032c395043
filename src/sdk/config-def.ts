/**
 * A config declaration (Kafka's `ConfigDef`): each connector, converter and transformation declares
 * its settings once, and that one declaration drives parsing, `PUT /connector-plugins/{p}/config/
 * validate`, the masking of `PASSWORD` values in REST output and the generated config reference.
 *
 * Configs arrive as string maps (connector JSON). `parse` converts them to typed values, applies
 * defaults and validators, and returns a frozen `ParsedConfig`; it throws one `ConfigError` listing
 * every problem, naming the key when only one is at fault. `validate` returns the same findings per
 * key instead of throwing.
 *
 * @example
 * ```ts
 * const def = new ConfigDef()
 *   .define({ name: 'file', type: 'STRING', importance: 'HIGH', documentation: 'Path to read' })
 *   .define({ name: 'batch.size', type: 'INT', default: 2000, importance: 'LOW',
 *             documentation: 'Lines per poll', validator: atLeast(1) });
 * const cfg = def.parse({ file: '/tmp/in.txt' });
 * cfg.getInt('batch.size'); // 2000
 * ```
 */
import { ConfigError } from './errors.js';

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
export type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/** Checks a parsed value; throws `ConfigError` with a message saying what is wrong. */
export interface Validator {
  (name: string, value: unknown): void;
  /** Shown in the documentation, e.g. "[1,...]". */
  readonly description?: string;
}

export interface ConfigKeyDef {
  readonly name: string;
  readonly type: ConfigType;
  /** Omit (undefined) for a required key; `null` is a valid default meaning "not set". */
  readonly default?: unknown;
  readonly importance: Importance;
  readonly documentation: string;
  readonly group?: string;
  readonly orderInGroup?: number;
  readonly width?: Width;
  readonly displayName?: string;
  readonly dependents?: readonly string[];
  readonly validator?: Validator;
  /** Values offered by `validate` as `recommended_values`. */
  readonly recommendedValues?: readonly string[];
}

/** The finding for one key, as `validate` reports it (Kafka's ConfigValue). */
export interface ConfigValueReport {
  readonly name: string;
  /** The raw value as given (or the default), as a string; `[hidden]` for passwords; null if unset. */
  readonly value: string | null;
  readonly recommendedValues: readonly string[];
  /** Problems found; callers validating further (cross-key checks) may add to it. */
  readonly errors: string[];
  readonly visible: boolean;
}

/** A secret: prints as `[hidden]` everywhere; `.value` reveals it. */
export class Password {
  static readonly HIDDEN = '[hidden]';
  constructor(readonly value: string) {}
  toString(): string {
    return Password.HIDDEN;
  }
  toJSON(): string {
    return Password.HIDDEN;
  }
}

export class ParsedConfig {
  constructor(
    private readonly values: ReadonlyMap<string, unknown>,
    /** The raw string map the config was parsed from, including keys the declaration does not know. */
    readonly originals: Readonly<Record<string, string>>,
  ) {
    Object.freeze(this);
  }

  get(name: string): unknown {
    if (!this.values.has(name)) throw new ConfigError(`Unknown configuration '${name}'`, { key: name });
    return this.values.get(name);
  }
  getString(name: string): string | null { return this.get(name) as string | null; }
  getInt(name: string): number { return this.get(name) as number; }
  getLong(name: string): number { return this.get(name) as number; }
  getDouble(name: string): number { return this.get(name) as number; }
  getBoolean(name: string): boolean { return this.get(name) as boolean; }
  getList(name: string): readonly string[] { return (this.get(name) as string[] | null) ?? []; }
  getPassword(name: string): Password | null { return this.get(name) as Password | null; }

  /** Original keys starting with `prefix`, with the prefix removed (e.g. `value.converter.`). */
  originalsWithPrefix(prefix: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.originals)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }
}

export class ConfigDef {
  private readonly keys = new Map<string, ConfigKeyDef>();

  define(key: ConfigKeyDef): this {
    if (this.keys.has(key.name)) throw new ConfigError(`Configuration ${key.name} is defined twice.`, { key: key.name });
    if (key.default !== undefined && key.default !== null) {
      // Fail at declaration time on a default that would not parse.
      parseValue(key, typeof key.default === 'string' ? key.default : formatValue(key.type, key.default));
    }
    this.keys.set(key.name, Object.freeze({ ...key }));
    return this;
  }

  /** A new declaration holding this one's keys and `other`'s. */
  merge(other: ConfigDef): ConfigDef {
    const out = new ConfigDef();
    for (const k of this.keys.values()) out.define(k);
    for (const k of other.keys.values()) if (!out.keys.has(k.name)) out.define(k);
    return out;
  }

  configKeys(): readonly ConfigKeyDef[] {
    return [...this.keys.values()];
  }

  key(name: string): ConfigKeyDef | undefined {
    return this.keys.get(name);
  }

  /** Groups in first-seen order. */
  groups(): string[] {
    return [...new Set([...this.keys.values()].map((k) => k.group).filter((g): g is string => !!g))];
  }

  /**
   * Parses and validates; throws one ConfigError listing every error, with `key` set when exactly
   * one key has problems.
   */
  parse(props: Readonly<Record<string, string>>): ParsedConfig {
    const values = new Map<string, unknown>();
    const failing: Array<{ name: string; errors: string[] }> = [];
    for (const key of this.keys.values()) {
      const r = this.parseKey(key, props);
      if (r.errors.length > 0) failing.push({ name: key.name, errors: r.errors });
      else values.set(key.name, r.value);
    }
    const err = configErrorOf(failing);
    if (err) throw err;
    return new ParsedConfig(values, Object.freeze({ ...props }));
  }

  /** Every key's finding, in declaration order; nothing thrown. */
  validate(props: Readonly<Record<string, string>>): ConfigValueReport[] {
    return [...this.keys.values()].map((key) => {
      const r = this.parseKey(key, props);
      const raw = key.name in props ? props[key.name]! : key.default === undefined || key.default === null ? null : formatValue(key.type, key.default);
      return {
        name: key.name,
        value: key.type === 'PASSWORD' && raw !== null ? Password.HIDDEN : raw,
        recommendedValues: key.recommendedValues ?? [],
        errors: r.errors,
        visible: true,
      };
    });
  }

  /** Copy of `props` with the values of PASSWORD keys replaced by `[hidden]`. */
  mask(props: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = { ...props };
    for (const key of this.keys.values()) if (key.type === 'PASSWORD' && key.name in out) out[key.name] = Password.HIDDEN;
    return out;
  }

  private parseKey(key: ConfigKeyDef, props: Readonly<Record<string, string>>): { value?: unknown; errors: string[] } {
    let value: unknown;
    if (Object.prototype.hasOwnProperty.call(props, key.name)) {
      try {
        value = parseValue(key, props[key.name]!);
      } catch (err) {
        return { errors: [(err as Error).message] };
      }
    } else if (key.default === undefined) {
      return { errors: [`Missing required configuration "${key.name}" which has no default value.`] };
    } else {
      value = key.default === null ? null : parseValue(key, typeof key.default === 'string' ? key.default : formatValue(key.type, key.default));
    }
    if (key.validator && (value !== null || key.default === undefined)) {
      try {
        key.validator(key.name, value);
      } catch (err) {
        return { errors: [(err as Error).message] };
      }
    }
    return { value, errors: [] };
  }
}

function invalid(key: ConfigKeyDef, raw: string, why: string): ConfigError {
  return new ConfigError(`Invalid value ${raw} for configuration ${key.name}: ${why}`, { key: key.name });
}

/**
 * One ConfigError listing every problem of `reports` (each distinct message once, in order), with
 * `key` set when all of them concern one key; undefined when there are none. For connectors whose
 * `validate` adds cross-key checks to their ConfigDef's.
 */
export function configErrorOf(reports: ReadonlyArray<Pick<ConfigValueReport, 'name' | 'errors'>>): ConfigError | undefined {
  const failing = reports.filter((r) => r.errors.length > 0);
  if (failing.length === 0) return undefined;
  const messages = [...new Set(failing.flatMap((r) => r.errors))];
  return new ConfigError(messages.join('\n'), new Set(failing.map((r) => r.name)).size === 1 ? { key: failing[0]!.name } : undefined);
}

/** Converts one raw string to the key's type (Kafka's ConfigDef.parseType). */
export function parseValue(key: ConfigKeyDef, raw: string): unknown {
  const s = raw.trim();
  switch (key.type) {
    case 'BOOLEAN':
      if (/^true$/i.test(s)) return true;
      if (/^false$/i.test(s)) return false;
      throw invalid(key, raw, 'Expected value to be either true or false');
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (!/^[+-]?\d+$/.test(s)) throw invalid(key, raw, `Not a number of type ${key.type}`);
      const n = Number(s);
      const [lo, hi] = key.type === 'SHORT' ? [-32768, 32767] : key.type === 'INT' ? [-2147483648, 2147483647] : [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
      if (n < lo || n > hi) throw invalid(key, raw, `Not a number of type ${key.type}`);
      return n;
    }
    case 'DOUBLE': {
      const n = Number(s);
      if (s === '' || !Number.isFinite(n)) throw invalid(key, raw, 'Not a number of type DOUBLE');
      return n;
    }
    case 'LIST':
      return s === '' ? [] : s.split(',').map((x) => x.trim());
    case 'PASSWORD':
      return new Password(raw);
    case 'STRING':
      return raw;
    case 'CLASS':
      return s;
  }
}

/** The string form of a typed value (defaults, reports). */
export function formatValue(type: ConfigType, value: unknown): string {
  if (value instanceof Password) return Password.HIDDEN;
  if (type === 'LIST' && Array.isArray(value)) return value.join(',');
  return String(value);
}

// ---- validators ----

function validator(description: string, check: (name: string, value: unknown) => void): Validator {
  return Object.assign(check, { description });
}

/** Numbers ≥ min. */
export function atLeast(min: number): Validator {
  return validator(`[${min},...]`, (name, v) => {
    if (typeof v !== 'number' || v < min) throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: Value must be at least ${min}`, { key: name });
  });
}

/** Numbers in [min, max]. */
export function between(min: number, max: number): Validator {
  return validator(`[${min},...,${max}]`, (name, v) => {
    if (typeof v !== 'number' || v < min || v > max) {
      throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: Value must be ${typeof v === 'number' && v < min ? `at least ${min}` : `no more than ${max}`}`, { key: name });
    }
  });
}

/** One of the given strings (case-sensitive unless `ignoreCase`). */
export function oneOf(values: readonly string[], ignoreCase = false): Validator {
  return validator(`[${values.join(', ')}]`, (name, v) => {
    const ok = typeof v === 'string' && values.some((x) => (ignoreCase ? x.toLowerCase() === v.toLowerCase() : x === v));
    if (!ok) throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: String must be one of: ${values.join(', ')}`, { key: name });
  });
}

/** A non-empty string (after trimming). */
export function nonEmptyString(): Validator {
  return validator('non-empty string', (name, v) => {
    if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: String may not be empty`, { key: name });
  });
}

/** A string that compiles as a JavaScript regular expression. */
export function validRegex(): Validator {
  return validator('a regular expression', (name, v) => {
    try {
      new RegExp(String(v));
    } catch (err) {
      throw new ConfigError(`Invalid value ${String(v)} for configuration ${name}: ${(err as Error).message}`, { key: name });
    }
  });
}
