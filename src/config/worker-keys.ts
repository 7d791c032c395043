/**
 * The worker's config keys, declared once: name, type, default, valid values and documentation.
 * The declarations become a convict schema, and convict coerces and validates every value
 * (`worker-config.ts`) and supplies the rows of the generated reference ({@link describeWorkerConfig}).
 *
 * Keys use Kafka Connect's flat dotted names (`rest.port`). Convict would read dots as nesting, so
 * each key is checked with its own one-property convict schema (`{ value: spec }`) instead of one
 * nested schema; the dotted name never reaches convict.
 */
import convict from 'convict';
import { MAX_PARTITIONS } from '../log/embedded/topic-config.js';

/** The convict formats registered below; names are prefixed so they cannot clash with other users. */
type FormatName =
  | 'tributary-string'
  | 'tributary-text'
  | 'tributary-int'
  | 'tributary-boolean'
  | 'tributary-enum'
  | 'tributary-override-policy'
  | 'tributary-list'
  | 'tributary-listener';

/** One declared key. `T` is the type of its value after loading (optional keys include `undefined`). */
export interface KeyDecl<T> {
  readonly format: FormatName;
  /** `null`: optional, no default. */
  readonly default: unknown;
  readonly doc: string;
  readonly type: 'string' | 'int' | 'boolean' | 'list';
  readonly min?: number;
  readonly max?: number;
  /** For ints: `-1` is accepted besides `min..max` (Kafka's "broker default" replication factor). */
  readonly minusOne?: boolean;
  readonly values?: readonly string[];
  /** Phantom: carries `T` for {@link WorkerConfigValues}; never set. */
  readonly _type?: (value: T) => void;
}

/** A listener in Kafka's form `http://host:port` (empty host: all interfaces). */
export interface Listener {
  readonly host: string;
  readonly port: number;
}

const LISTENER = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^:/[\]]*):(\d{1,5})\/?$/;

/**
 * Parses one `listeners` entry as Kafka's RestServer does (protocol case-insensitive, IPv6 hosts in
 * brackets), accepting only `http`. Throws an `Error` saying what is wrong.
 */
export function parseListener(text: string): Listener {
  if (text.includes(',')) throw new Error('only one listener is supported');
  const m = LISTENER.exec(text.trim());
  if (!m) throw new Error('must be a listener of the form http://host:port');
  if (m[1]!.toLowerCase() !== 'http') throw new Error(`only http:// listeners are supported, not ${m[1]}://`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error('the listener port must be between 0 and 65535');
  const host = m[2]!.replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** Trims; an empty value becomes `null`, which optional (nullable) keys read as "not set". */
function emptyToNull(v: string): string | null {
  const t = v.trim();
  return t === '' ? null : t;
}

const OVERRIDE_POLICY_CLASS = /^org\.apache\.kafka\.connect\.connector\.policy\.(All|None|Principal)ConnectorClientConfigOverridePolicy$/;

function checkEnum(x: unknown, schema: convict.SchemaObj): void {
  const values = schema['values'] as string[];
  if (typeof x !== 'string' || !values.includes(x)) throw new Error(`must be one of ${values.join(', ')}`);
}

function rangeText(s: convict.SchemaObj): string {
  const min = s['min'] as number;
  const max = s['max'] as number | undefined;
  const range = max === undefined ? `of at least ${min}` : `between ${min} and ${max}`;
  return s['minusOne'] ? `-1 or an integer ${range}` : `an integer ${range}`;
}

convict.addFormats({
  'tributary-string': {
    coerce: emptyToNull,
    validate(x: unknown) {
      if (typeof x !== 'string' || x === '') throw new Error('must not be empty');
    },
  },
  'tributary-text': {
    validate(x: unknown) {
      if (typeof x !== 'string') throw new Error('must be a string');
    },
  },
  'tributary-int': {
    coerce(v: string) {
      const t = v.trim();
      if (t === '') return null;
      return /^[+-]?\d+$/.test(t) ? Number(t) : t;
    },
    validate(x: unknown, s: convict.SchemaObj) {
      const ok =
        typeof x === 'number' &&
        Number.isSafeInteger(x) &&
        ((x >= (s['min'] as number) && x <= ((s['max'] as number | undefined) ?? Number.MAX_SAFE_INTEGER)) ||
          (s['minusOne'] === true && x === -1));
      if (!ok) throw new Error(`must be ${rangeText(s)}`);
    },
  },
  'tributary-boolean': {
    coerce(v: string) {
      const t = v.trim().toLowerCase();
      return t === 'true' ? true : t === 'false' ? false : emptyToNull(v);
    },
    validate(x: unknown) {
      if (typeof x !== 'boolean') throw new Error('must be true or false');
    },
  },
  'tributary-enum': { coerce: emptyToNull, validate: checkEnum },
  'tributary-override-policy': {
    // Kafka also accepts the policy's class name; keep the alias.
    coerce: (v: string) => emptyToNull(v)?.replace(OVERRIDE_POLICY_CLASS, '$1') ?? null,
    validate: checkEnum,
  },
  'tributary-list': {
    coerce: (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    validate(x: unknown) {
      if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) throw new Error('must be a comma-separated list');
    },
  },
  'tributary-listener': {
    coerce: emptyToNull,
    validate(x: unknown) {
      if (typeof x !== 'string') throw new Error('must be a listener of the form http://host:port');
      parseListener(x);
    },
  },
});

const text = (def: string, doc: string): KeyDecl<string> => ({ format: 'tributary-string', default: def, doc, type: 'string' });
const optText = (doc: string, format: FormatName = 'tributary-string'): KeyDecl<string | undefined> => ({
  format,
  default: null,
  doc,
  type: 'string',
});
const int = (def: number, min: number, max: number | undefined, doc: string, minusOne = false): KeyDecl<number> => ({
  format: 'tributary-int',
  default: def,
  doc,
  type: 'int',
  min,
  ...(max === undefined ? {} : { max }),
  ...(minusOne ? { minusOne } : {}),
});
const optInt = (min: number, max: number, doc: string): KeyDecl<number | undefined> => ({
  format: 'tributary-int',
  default: null,
  doc,
  type: 'int',
  min,
  max,
});
const bool = (def: boolean, doc: string): KeyDecl<boolean> => ({ format: 'tributary-boolean', default: def, doc, type: 'boolean' });
function oneOf<V extends string>(values: readonly V[], def: V, doc: string, format: FormatName = 'tributary-enum'): KeyDecl<V> {
  return { format, default: def, doc, type: 'string', values };
}
function optOneOf<V extends string>(values: readonly V[], doc: string): KeyDecl<V | undefined> {
  return { format: 'tributary-enum', default: null, doc, type: 'string', values };
}

const INT_MAX = 2 ** 31 - 1;
const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
const REPLICATION = (topic: string): KeyDecl<number> =>
  int(3, 1, 32767, `Replication factor of the ${topic} topic (-1: broker default). Accepted for Kafka Connect compatibility; meaningless on the embedded log, which has one copy.`, true);
const ACCEPTED = 'Accepted for Kafka Connect compatibility; the embedded log has no consumer group, so it has no effect yet.';

/** Every declared worker key. Anything else must match {@link FREE_FORM_PREFIXES} or is an error. */
export const WORKER_KEYS = {
  // Tributary's own keys.
  'data.dir': text('./data', 'Directory of the embedded log: every topic, including the config, offset and status topics, lives here.'),
  'log.flush': oneOf(['fsync', 'none'] as const, 'fsync', 'How the embedded log makes appends durable: `fsync` syncs before acknowledging; `none` leaves it to the OS (faster; a machine crash can lose acknowledged records).'),
  'log.level': oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info', 'Minimum level the worker logs at.'),
  'log.backend': oneOf(['embedded'] as const, 'embedded', 'Where topics live. Only `embedded` (the partitioned log under `data.dir`) exists for now.'),

  // REST API (Kafka's RestServerConfig).
  'rest.host': text('0.0.0.0', 'Interface the REST API binds to. Ignored when `listeners` is set.'),
  'rest.port': int(8083, 0, 65535, 'Port of the REST API (0: any free port). Ignored when `listeners` is set.'),
  listeners: optText('The REST listener in Kafka\'s form `http://host:port` (empty host: all interfaces); overrides `rest.host` and `rest.port`. Only one `http://` listener is supported.', 'tributary-listener'),
  'rest.advertised.host.name': optText('Host name other workers and clients are given to reach this worker; default: the listener host.'),
  'rest.advertised.port': optInt(1, 65535, 'Port other workers and clients are given to reach this worker; default: the listener port.'),
  'rest.advertised.listener': optOneOf(['http', 'https'] as const, 'Protocol of the advertised URL; default: the listener\'s. `https` suits a TLS-terminating proxy in front of the worker.'),
  'admin.listeners': optText('Listeners for the `/admin` endpoints (Kafka: absent = the normal listener, empty = disabled). Accepted for compatibility; the value is kept as given.', 'tributary-text'),

  // Converters (Kafka's WorkerConfig); their settings go under `<key>.*`.
  'key.converter': text(JSON_CONVERTER, 'Converter class or alias for record keys; its settings are the `key.converter.*` keys.'),
  'value.converter': text(JSON_CONVERTER, 'Converter class or alias for record values; its settings are the `value.converter.*` keys.'),
  'header.converter': text('org.apache.kafka.connect.storage.SimpleHeaderConverter', 'Converter class or alias for record headers; its settings are the `header.converter.*` keys.'),

  // Task execution.
  'offset.flush.interval.ms': int(60000, 1, undefined, 'How often source offsets are committed.'),
  'offset.flush.timeout.ms': int(5000, 0, undefined, 'How long an offset commit may wait for outstanding records before it is cancelled and retried at the next interval.'),
  'task.shutdown.graceful.timeout.ms': int(5000, 0, undefined, 'How long tasks get to stop on shutdown or rebalance before they are abandoned.'),
  'plugin.path': { format: 'tributary-list', default: [], doc: 'Directories or files to load plugins from, comma-separated.', type: 'list' } as KeyDecl<readonly string[]>,

  // Cluster and internal topics (Kafka's DistributedConfig).
  'group.id': text('connect-cluster', 'Name of the Connect cluster this worker belongs to.'),
  'config.storage.topic': text('connect-configs', 'Compacted topic holding connector and task configs (one partition).'),
  'offset.storage.topic': text('connect-offsets', 'Compacted topic holding source connector offsets.'),
  'status.storage.topic': text('connect-status', 'Compacted topic holding connector and task statuses.'),
  'offset.storage.partitions': int(25, 1, MAX_PARTITIONS, 'Partitions of the offset topic when it is created.'),
  'status.storage.partitions': int(5, 1, MAX_PARTITIONS, 'Partitions of the status topic when it is created.'),
  'config.storage.replication.factor': REPLICATION('config'),
  'offset.storage.replication.factor': REPLICATION('offset'),
  'status.storage.replication.factor': REPLICATION('status'),
  'bootstrap.servers': optText('Kafka brokers of the worker\'s cluster. Accepted for Kafka Connect compatibility; unused with `log.backend=embedded`.'),
  'offset.storage.file.filename': optText('File where standalone Kafka Connect keeps source offsets. Accepted so its `connect-standalone.properties` loads unchanged, but ignored: Tributary always keeps offsets in the log, in `offset.storage.topic`.'),
  'topic.creation.enable': bool(true, 'Whether source connectors may create their topics from `topic.creation.*` connector settings.'),
  'connector.client.config.override.policy': oneOf(['All', 'None', 'Principal'] as const, 'All', 'Which `producer.override.*`, `consumer.override.*` and `admin.override.*` settings connectors may use (Kafka\'s policy class names are accepted too).', 'tributary-override-policy'),
  'scheduled.rebalance.max.delay.ms': int(300000, 0, INT_MAX, `How long a departed worker's work waits before being reassigned. ${ACCEPTED}`),
  'session.timeout.ms': int(10000, 1, INT_MAX, `How long a worker may go without heartbeats before it is considered gone. ${ACCEPTED}`),
  'heartbeat.interval.ms': int(3000, 1, INT_MAX, `How often a worker heartbeats to the group coordinator. ${ACCEPTED}`),
  'rebalance.timeout.ms': int(60000, 1, INT_MAX, `How long a rebalance may take. ${ACCEPTED}`),
} satisfies Record<string, KeyDecl<never>>;

/** A declared worker key. */
export type WorkerConfigKey = keyof typeof WORKER_KEYS;

type ValueOf<D> = D extends KeyDecl<infer T> ? T : never;

/** The typed value of every declared key after loading; optional keys without a value are `undefined`. */
export type WorkerConfigValues = { readonly [K in WorkerConfigKey]: ValueOf<(typeof WORKER_KEYS)[K]> };

/**
 * Prefixes of free-form keys: accepted without validation and handed on raw (converter settings,
 * the worker's client settings, config providers). `config.providers` itself (the alias list) is
 * free-form too.
 */
export const FREE_FORM_PREFIXES = [
  'key.converter.',
  'value.converter.',
  'header.converter.',
  'producer.',
  'consumer.',
  'admin.',
  'config.providers.',
] as const;

/** A prefix accepted by `WorkerConfig.prefixed`. */
export type WorkerConfigPrefix = (typeof FREE_FORM_PREFIXES)[number];

/** Whether `key` is a free-form key (see {@link FREE_FORM_PREFIXES}); declared keys are not. */
export function isFreeFormKey(key: string): boolean {
  if (isWorkerConfigKey(key)) return false;
  return key === 'config.providers' || FREE_FORM_PREFIXES.some((p) => key.startsWith(p) && key.length > p.length);
}

export function isWorkerConfigKey(key: string): key is WorkerConfigKey {
  return Object.prototype.hasOwnProperty.call(WORKER_KEYS, key);
}

/** The environment variable for a key: `TRIBUTARY_` + upper case, dots and dashes → underscores. */
export function envVarName(key: string): string {
  return `TRIBUTARY_${key.toUpperCase().replace(/[.-]/g, '_')}`;
}

/** The convict schema of one key. */
function convictSpec(d: KeyDecl<never>): convict.SchemaObj {
  const { format, default: def, doc, min, max, minusOne, values } = d;
  return { format, default: def, doc, nullable: def === null, min, max, minusOne, values };
}

const SPECS = new Map<WorkerConfigKey, convict.SchemaObj>(
  (Object.keys(WORKER_KEYS) as WorkerConfigKey[]).map((k) => [k, convictSpec(WORKER_KEYS[k])]),
);

/**
 * Coerces and validates one string value of a declared key with convict. Returns the typed value
 * (`undefined` for an optional key left empty) or convict's error without the property name, e.g.
 * `must be an integer between 0 and 65535: value was "abc"`.
 */
export function checkWorkerValue(key: WorkerConfigKey, raw: string | undefined): { value: unknown } | { error: string } {
  const cfg = convict<{ value: unknown }>({ value: SPECS.get(key)! }, { env: {}, args: [] });
  try {
    if (raw !== undefined) cfg.set('value', raw);
    cfg.validate({ allowed: 'strict' });
    const value = cfg.get('value');
    return { value: value === null ? undefined : value };
  } catch (err) {
    return { error: (err as Error).message.replace(/^value: /, '') };
  }
}

/** The default of every declared key, as convict produces it; also proves the declarations valid. */
export const WORKER_DEFAULTS: WorkerConfigValues = (() => {
  const out: Record<string, unknown> = {};
  for (const key of SPECS.keys()) {
    const r = checkWorkerValue(key, undefined);
    if ('error' in r) throw new Error(`worker key ${key}: invalid default: ${r.error}`);
    out[key] = Array.isArray(r.value) ? Object.freeze(r.value) : r.value;
  }
  return Object.freeze(out) as WorkerConfigValues;
})();

/** One row of the worker config reference. */
export interface WorkerConfigRow {
  readonly key: string;
  readonly type: 'string' | 'int' | 'boolean' | 'list';
  /** The default as it would be written in a file; `null` when the key is optional. */
  readonly default: string | null;
  /** E.g. `fsync, none` or `[0,...,65535]`; `null` when any value of the type is accepted. */
  readonly validValues: string | null;
  readonly env: string;
  readonly doc: string;
}

/**
 * The declared worker keys with type, default, valid values, environment variable and
 * documentation, in declaration order, read from the convict schema (for README generation).
 */
export function describeWorkerConfig(): WorkerConfigRow[] {
  return [...SPECS].map(([key, spec]) => {
    const values = spec['values'] as readonly string[] | undefined;
    const min = spec['min'] as number | undefined;
    const max = spec['max'] as number | undefined;
    const range = min === undefined ? null : `${spec['minusOne'] ? '-1, ' : ''}[${min},...${max === undefined ? '' : `,${max}`}]`;
    const def = spec.default;
    return {
      key,
      type: WORKER_KEYS[key].type,
      default: def === null ? null : Array.isArray(def) ? def.join(',') : String(def),
      validValues: values ? values.join(', ') : key === 'listeners' ? 'http://host:port' : range,
      env: envVarName(key),
      doc: spec.doc ?? '',
    };
  });
}
