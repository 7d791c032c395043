/**
 * Loads the worker config from defaults, a file, environment variables and `--set` overrides, in
 * that order of precedence, into a frozen {@link WorkerConfig}.
 *
 * Every value from every source is coerced and validated on its own (with convict, see
 * `worker-keys.ts`), so a bad value is reported with where it came from even when a later source
 * overrides it. All problems are collected and reported together in one `CONFIG_INVALID` error.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { TributaryError, isTributaryError } from '../errors/codes.js';
import { parseJsonObject, scalarToString } from './json-text.js';
import { parsePropertyEntries } from './properties.js';
import {
  WORKER_DEFAULTS,
  WORKER_KEYS,
  checkWorkerValue,
  envVarName,
  isFreeFormKey,
  isWorkerConfigKey,
  parseListener,
  type Listener,
  type WorkerConfigKey,
  type WorkerConfigPrefix,
  type WorkerConfigValues,
} from './worker-keys.js';

export {
  FREE_FORM_PREFIXES,
  describeWorkerConfig,
  envVarName,
  type Listener,
  type WorkerConfigKey,
  type WorkerConfigPrefix,
  type WorkerConfigRow,
  type WorkerConfigValues,
} from './worker-keys.js';

/** Where {@link loadWorkerConfig} reads from. */
export interface WorkerConfigSources {
  /** A `.properties` file or a `.json` file holding one flat object of string, number or boolean values. */
  readonly file?: string;
  /**
   * Environment variables, usually `process.env`; nothing is read from the process unless passed.
   * Only the variables of declared keys are read (`TRIBUTARY_REST_PORT` → `rest.port`; see
   * `describeWorkerConfig().env`); others are ignored.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `key=value` strings from `--set`, applied last, in order. */
  readonly overrides?: readonly string[];
}

/** The loaded worker config. Frozen; every accessor returns frozen data. */
export interface WorkerConfig {
  /**
   * The typed value of a declared key: the last source's value, else the default. Optional keys
   * without a value are `undefined`.
   *
   * @example `cfg.get('rest.port') // number`, `cfg.get('plugin.path') // readonly string[]`
   */
  get<K extends WorkerConfigKey>(key: K): WorkerConfigValues[K];
  /** Every declared key's typed value (as {@link WorkerConfig.get}). */
  readonly values: WorkerConfigValues;
  /** Where the REST API listens: `listeners` when set, else `rest.host` and `rest.port`. */
  readonly listener: Listener;
  /**
   * The free-form keys under a prefix, with the prefix removed, e.g. `prefixed('producer.')` →
   * `{ 'linger.ms': '5' }`. Declared keys never appear (`admin.listeners` is not an `admin.` key).
   */
  prefixed(prefix: WorkerConfigPrefix): Readonly<Record<string, string>>;
  /**
   * Every key some source set, declared or free-form, with its winning value as the string given
   * (Kafka's `originals()`: defaults are not included).
   */
  raw(): Readonly<Record<string, string>>;
  /**
   * Where a key's value came from: `"default"`, `"<file>"` or `"<file>:<line>"`,
   * `"environment variable TRIBUTARY_…"`, or `"--set"`; `undefined` for a key that is neither
   * declared nor set.
   */
  sourceOf(key: string): string | undefined;
}

/** One value as a source gave it, or a problem found while reading the source (kept in order). */
type Given = { readonly key: string; readonly value: string; readonly origin: string } | { readonly problem: string };

function readFileEntries(file: string): Given[] {
  const ext = extname(file).toLowerCase();
  if (ext !== '.properties' && ext !== '.json') {
    return [{ problem: `${file}: unsupported worker config file type "${ext}" (expected .properties or .json)` }];
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return [{ problem: `${file}: cannot read the worker config file: ${(err as Error).message}` }];
  }
  try {
    if (ext === '.properties') {
      return parsePropertyEntries(text, file).map((e) => ({ key: e.key, value: e.value, origin: `${file}:${e.line}` }));
    }
    const given: Given[] = [];
    for (const [key, v] of Object.entries(parseJsonObject(text, file))) {
      const s = scalarToString(v);
      given.push('error' in s ? { problem: `${key}: ${s.error} (from ${file})` } : { key, value: s.value, origin: file });
    }
    return given;
  } catch (err) {
    if (!isTributaryError(err, 'CONFIG_INVALID')) throw err;
    return [{ problem: err.message }];
  }
}

function envEntries(env: Readonly<Record<string, string | undefined>>): Given[] {
  const given: Given[] = [];
  for (const key of Object.keys(WORKER_KEYS)) {
    const name = envVarName(key);
    const value = env[name];
    if (value !== undefined) given.push({ key, value, origin: `environment variable ${name}` });
  }
  return given;
}

function overrideEntries(overrides: readonly string[]): Given[] {
  const given: Given[] = [];
  for (const o of overrides) {
    const eq = o.indexOf('=');
    const key = eq < 0 ? '' : o.slice(0, eq).trim();
    given.push(key === '' ? { problem: `--set ${JSON.stringify(o)}: expected key=value` } : { key, value: o.slice(eq + 1), origin: '--set' });
  }
  return given;
}

function freeze<T extends object>(o: T): Readonly<T> {
  return Object.freeze(o);
}

/**
 * Loads and validates the worker config.
 *
 * Precedence, lowest first: defaults, `file`, `env`, `overrides`. Declared keys are coerced from
 * strings (numbers and booleans in `.json` files are taken as their text), validated, and typed;
 * free-form keys (`key.converter.*`, `producer.*`, `config.providers*`…) are kept as raw strings;
 * any other key is an error. For optional keys an empty value means "not set".
 *
 * @example
 * ```ts
 * const cfg = loadWorkerConfig({ file: 'config/connect-standalone.properties', env: process.env, overrides: ['rest.port=9000'] });
 * cfg.get('rest.port');                 // 9000
 * cfg.prefixed('value.converter.');     // { 'schemas.enable': 'true' }
 * ```
 * @throws TributaryError `CONFIG_INVALID` listing every problem, one per line, each naming the key
 *   and its source, e.g. `rest.port: must be an integer between 0 and 65535: value was "x" (from
 *   environment variable TRIBUTARY_REST_PORT)`.
 */
export function loadWorkerConfig(sources: WorkerConfigSources = {}): WorkerConfig {
  const problems: string[] = [];
  const given = [
    ...(sources.file === undefined ? [] : readFileEntries(sources.file)),
    ...envEntries(sources.env ?? {}),
    ...overrideEntries(sources.overrides ?? []),
  ];

  const values: Record<string, unknown> = { ...WORKER_DEFAULTS };
  const raw = new Map<string, string>();
  const origins = new Map<string, string>(Object.keys(WORKER_KEYS).map((k) => [k, 'default']));
  for (const g of given) {
    if ('problem' in g) {
      problems.push(g.problem);
      continue;
    }
    const { key, value, origin } = g;
    if (isWorkerConfigKey(key)) {
      const r = checkWorkerValue(key, value);
      if ('error' in r) {
        problems.push(`${key}: ${r.error} (from ${origin})`);
        continue;
      }
      values[key] = Array.isArray(r.value) ? freeze(r.value) : r.value;
    } else if (!isFreeFormKey(key)) {
      problems.push(`${key}: unknown worker config key (from ${origin})`);
      continue;
    }
    raw.set(key, value);
    origins.set(key, origin);
  }

  if (problems.length > 0) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `Worker configuration is invalid and contains the following ${problems.length} error(s):\n` +
        problems.map((p) => `- ${p}`).join('\n'),
    );
  }

  const typed = freeze(values) as WorkerConfigValues;
  const listeners = typed.listeners;
  const listener = freeze(listeners === undefined ? { host: typed['rest.host'], port: typed['rest.port'] } : parseListener(listeners));
  const rawMap = freeze(Object.fromEntries(raw));
  return freeze({
    get: <K extends WorkerConfigKey>(key: K): WorkerConfigValues[K] => typed[key],
    values: typed,
    listener,
    prefixed(prefix: WorkerConfigPrefix) {
      const out: [string, string][] = [];
      for (const [k, v] of raw) if (k.startsWith(prefix) && isFreeFormKey(k)) out.push([k.slice(prefix.length), v]);
      return freeze(Object.fromEntries(out));
    },
    raw: () => rawMap,
    sourceOf: (key: string) => origins.get(key),
  });
}
