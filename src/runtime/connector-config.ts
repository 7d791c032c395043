/**
 * The settings every connector has (Kafka Connect's `ConnectorConfig`, `SourceConnectorConfig`,
 * `SinkConnectorConfig`) and the validation of a whole connector config: common keys, the
 * connector's own, its converters' and its transformations' — reported as Kafka Connect's
 * ConfigInfos.
 */
import { TributaryError } from '../errors/codes.js';
import { ConfigDef, atLeast, formatValue, oneOf, type ConfigKeyDef, type ConfigValueReport } from '../sdk/config-def.js';
import type { Connector } from '../sdk/connector.js';
import type { ConfigInfos, ConfigKeyInfo, ConnectorConfig } from './herder/herder.js';
import type { PluginRegistry } from './plugins.js';

const COMMON = 'Common';
const TRANSFORMS = 'Transforms';
const PREDICATES = 'Predicates';
const ERRORS = 'Error Handling';

function common(): ConfigDef {
  let order = 0;
  const d = (k: Omit<ConfigKeyDef, 'orderInGroup'>): ConfigKeyDef => ({ ...k, orderInGroup: ++order });
  return new ConfigDef()
    .define(d({ name: 'name', type: 'STRING', importance: 'HIGH', group: COMMON, documentation: 'Globally unique name to use for this connector.', validator: nonEmptyName }))
    .define(d({ name: 'connector.class', type: 'STRING', importance: 'HIGH', group: COMMON, documentation: 'Name or alias of the connector class, e.g. FileStreamSource or org.apache.kafka.connect.file.FileStreamSourceConnector.' }))
    .define(d({ name: 'tasks.max', type: 'INT', default: 1, importance: 'HIGH', group: COMMON, documentation: 'Maximum number of tasks to use for this connector.', validator: atLeast(1) }))
    .define(d({ name: 'tasks.max.enforce', type: 'BOOLEAN', default: true, importance: 'LOW', group: COMMON, documentation: '(Deprecated) Whether to fail a connector that generates more than tasks.max task configs.' }))
    .define(d({ name: 'key.converter', type: 'CLASS', default: null, importance: 'LOW', group: COMMON, documentation: 'Converter for record keys; overrides the worker default.' }))
    .define(d({ name: 'value.converter', type: 'CLASS', default: null, importance: 'LOW', group: COMMON, documentation: 'Converter for record values; overrides the worker default.' }))
    .define(d({ name: 'header.converter', type: 'CLASS', default: null, importance: 'LOW', group: COMMON, documentation: 'Converter for record headers; overrides the worker default.' }))
    .define(d({ name: 'config.action.reload', type: 'STRING', default: 'restart', importance: 'LOW', group: COMMON, documentation: 'What to do when external config providers change: none or restart.', validator: oneOf(['none', 'restart'], true) }))
    .define({ name: 'transforms', type: 'LIST', default: '', importance: 'LOW', group: TRANSFORMS, orderInGroup: 1, documentation: 'Aliases for the transformations to apply to records, in order.' })
    .define({ name: 'predicates', type: 'LIST', default: '', importance: 'LOW', group: PREDICATES, orderInGroup: 1, documentation: 'Aliases for the predicates used by transformations.' })
    .define({ name: 'errors.retry.timeout', type: 'LONG', default: 0, importance: 'MEDIUM', group: ERRORS, orderInGroup: 1, documentation: 'Total time a failed operation is retried, in ms; -1 = forever, 0 = no retries.' })
    .define({ name: 'errors.retry.delay.max.ms', type: 'LONG', default: 60000, importance: 'MEDIUM', group: ERRORS, orderInGroup: 2, documentation: 'Maximum delay between consecutive retries, in ms.' })
    .define({ name: 'errors.tolerance', type: 'STRING', default: 'none', importance: 'MEDIUM', group: ERRORS, orderInGroup: 3, documentation: 'none: a record error fails the task; all: skip problematic records.', validator: oneOf(['none', 'all'], true) })
    .define({ name: 'errors.log.enable', type: 'BOOLEAN', default: false, importance: 'MEDIUM', group: ERRORS, orderInGroup: 4, documentation: 'Log each error and the failed operation.' })
    .define({ name: 'errors.log.include.messages', type: 'BOOLEAN', default: false, importance: 'MEDIUM', group: ERRORS, orderInGroup: 5, documentation: 'Include the failed record in error logs.' })
    // Kafka Connect has a dead letter queue for sinks only; Tributary's sources have one too.
    .define({ name: 'errors.deadletterqueue.topic.name', type: 'STRING', default: '', importance: 'MEDIUM', group: ERRORS, orderInGroup: 6, documentation: 'Topic that receives the records this connector could not convert, transform or write (with errors.tolerance=all), created with one partition when missing.' })
    .define({ name: 'errors.deadletterqueue.topic.replication.factor', type: 'SHORT', default: 3, importance: 'MEDIUM', group: ERRORS, orderInGroup: 7, documentation: 'Replication factor of the dead letter queue topic (ignored by the embedded log).' })
    .define({ name: 'errors.deadletterqueue.context.headers.enable', type: 'BOOLEAN', default: false, importance: 'MEDIUM', group: ERRORS, orderInGroup: 8, documentation: 'Add Kafka Connect\'s __connect.errors.* headers to dead-lettered records (else Tributary\'s shorter __tributary.dlq.* set).' });
}

function nonEmptyName(name: string, v: unknown): void {
  if (typeof v !== 'string' || v.trim() === '') throw new TributaryError('CONFIG_INVALID', `Invalid value ${String(v)} for configuration ${name}: connector name must not be empty`);
}

/** Groups, orders and importances as Kafka Connect's `SinkConnectorConfig` declares them. */
function sinkKeys(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'topics', type: 'LIST', default: '', importance: 'HIGH', group: COMMON, orderInGroup: 4, documentation: 'Topics to consume (comma-separated). Exactly one of topics and topics.regex.' })
    .define({ name: 'topics.regex', type: 'STRING', default: '', importance: 'HIGH', group: COMMON, orderInGroup: 4, documentation: 'Regular expression selecting the topics to consume.' });
}

/** The common keys for a connector type (sources and sinks differ by the sink keys). */
export function commonConfigDef(type: 'source' | 'sink' | 'unknown'): ConfigDef {
  return type === 'sink' ? common().merge(sinkKeys()) : common();
}

export function configKeyInfo(k: ConfigKeyDef): ConfigKeyInfo {
  return {
    name: k.name,
    type: k.type,
    required: k.default === undefined,
    default_value: k.default === undefined || k.default === null ? null : formatValue(k.type, k.default),
    importance: k.importance,
    documentation: k.documentation,
    group: k.group ?? null,
    order: k.orderInGroup ?? -1,
    width: k.width ?? 'NONE',
    display_name: k.displayName ?? k.name,
    dependents: k.dependents ?? [],
  };
}

interface Section {
  readonly def: ConfigDef;
  /** Key prefix in the connector config (e.g. `transforms.a.`) */
  readonly prefix: string;
  readonly reports: ConfigValueReport[];
}

/** Validates a whole connector config. Never throws for bad input; every problem is in the result. */
export async function validateConnector(registry: PluginRegistry, config: ConnectorConfig, pluginName?: string): Promise<{ infos: ConfigInfos; connector: Connector | null }> {
  const className = config['connector.class'];
  if (pluginName !== undefined && className !== undefined) {
    const a = registry.find(pluginName, 'source', 'sink');
    const b = registry.find(className, 'source', 'sink');
    if (!a || a !== b) {
      throw new TributaryError('BAD_REQUEST', `Included connector type ${className} does not match request type ${pluginName}`);
    }
  }
  const plugin = className ? registry.find(className, 'source', 'sink') : undefined;
  const type = plugin?.type ?? 'unknown';
  const sections: Section[] = [];
  const base = commonConfigDef(type);
  const baseReports = base.validate(config);
  sections.push({ def: base, prefix: '', reports: baseReports });
  const addError = (name: string, msg: string): void => {
    for (const s of sections) {
      const r = s.reports.find((x) => s.prefix + x.name === name);
      if (r) {
        r.errors.push(msg);
        return;
      }
    }
  };
  if (className !== undefined && !plugin) {
    addError('connector.class', `Invalid value ${className} for configuration connector.class: Class ${className} could not be found. Known connectors: ${registry.list(['source', 'sink']).map((p) => p.aliases[0] ?? p.className).join(', ')}`);
  }
  let connector: Connector | null = null;
  if (plugin) {
    connector = plugin.create();
    const own = connector.config();
    let reports: ConfigValueReport[];
    try {
      reports = connector.validate ? await connector.validate(config) : own.validate(config);
    } catch (err) {
      reports = own.validate(config);
      addError('connector.class', `The connector's validation failed: ${(err as Error).message}`);
    }
    sections.push({ def: own, prefix: '', reports });
  }
  for (const which of ['key', 'value', 'header'] as const) {
    const cls = config[`${which}.converter`];
    if (!cls) continue;
    const found = which === 'header' ? registry.createHeaderConverter(cls) : registry.find(cls, 'converter');
    if (!found) addError(`${which}.converter`, `Invalid value ${cls} for configuration ${which}.converter: Class ${cls} could not be found.`);
  }
  if (type === 'sink') checkSinkTopics(config, addError);
  for (const kind of ['transforms', 'predicates'] as const) {
    const aliases = listSetting(config, kind);
    for (const alias of aliases) sections.push(aliasSection(registry, config, kind, alias));
  }
  const seen = new Set<string>();
  const configs: Array<{ definition: ConfigKeyInfo; value: { name: string; value: string | null; recommended_values: readonly string[]; errors: readonly string[]; visible: boolean } }> = [];
  for (const s of sections) {
    for (const r of s.reports) {
      const name = s.prefix + r.name;
      if (seen.has(name)) continue;
      seen.add(name);
      const key = s.def.key(r.name)!;
      configs.push({
        definition: { ...configKeyInfo(key), name },
        value: { name, value: r.value, recommended_values: r.recommendedValues, errors: r.errors, visible: r.visible },
      });
    }
  }
  const groups = [...new Set(sections.flatMap((s) => s.def.groups()))];
  return {
    infos: { name: plugin?.className ?? className ?? '', error_count: configs.reduce((n, c) => n + c.value.errors.length, 0), groups, configs },
    connector,
  };
}

function checkSinkTopics(config: ConnectorConfig, addError: (name: string, msg: string) => void): void {
  const topics = listSetting(config, 'topics');
  const regex = (config['topics.regex'] ?? '').trim();
  if (topics.length > 0 && regex) {
    addError('topics', 'topics and topics.regex are mutually exclusive options, but both are set.');
  } else if (topics.length === 0 && !regex) {
    addError('topics', 'Must configure one of topics or topics.regex');
  }
  if (regex) {
    try {
      new RegExp(regex);
    } catch (err) {
      addError('topics.regex', `Invalid value ${regex} for configuration topics.regex: ${(err as Error).message}`);
    }
  }
  const dlq = (config['errors.deadletterqueue.topic.name'] ?? '').trim();
  if (dlq && (topics.includes(dlq) || (regex && new RegExp(`^(?:${regex})$`).test(dlq)))) {
    addError('errors.deadletterqueue.topic.name', `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=${topics.join(',')}') or match the regex ('topics.regex=${regex}') to be consumed by the sink connector`);
  }
}

function aliasSection(registry: PluginRegistry, config: ConnectorConfig, kind: 'transforms' | 'predicates', alias: string): Section {
  const prefix = `${kind}.${alias}.`;
  const pluginType = kind === 'transforms' ? 'transformation' : 'predicate';
  const group = `${kind === 'transforms' ? 'Transforms' : 'Predicates'}: ${alias}`;
  let def = new ConfigDef().define({ name: 'type', type: 'CLASS', importance: 'HIGH', group, orderInGroup: 0, documentation: `Class for the '${alias}' ${pluginType}.` });
  if (kind === 'transforms') {
    def = def
      .define({ name: 'predicate', type: 'STRING', default: null, importance: 'MEDIUM', group, orderInGroup: 1, documentation: 'The alias of a predicate used to decide whether to apply this transformation.' })
      .define({ name: 'negate', type: 'BOOLEAN', default: false, importance: 'MEDIUM', group, orderInGroup: 2, documentation: 'Whether the predicate is negated.' });
  }
  const props = stripPrefix(config, prefix);
  const reports = def.validate(props);
  const cls = props['type'];
  const plugin = cls ? registry.find(cls, pluginType) : undefined;
  if (cls && !plugin) reports[0]!.errors.push(`Invalid value ${cls} for configuration ${prefix}type: Class ${cls} could not be found.`);
  if (kind === 'transforms' && props['predicate']) {
    const preds = listSetting(config, 'predicates');
    const report = reports.find((r) => r.name === 'predicate')!;
    if (!preds.includes(props['predicate']) && report.errors.length === 0) {
      report.errors.push(`Invalid value ${props['predicate']} for configuration ${prefix}predicate: the predicate is not listed in 'predicates'`);
    }
  }
  if (plugin) {
    const own = plugin.create().config();
    def = def.merge(own);
    reports.push(...own.validate(props).filter((r) => !['type', 'predicate', 'negate'].includes(r.name)));
  }
  return { def, prefix, reports };
}

/** A sink connector's consumer group: `connect-<name>`, unless `consumer.override.group.id` is set. */
export function sinkGroup(name: string, config: Readonly<Record<string, string>>): string {
  return config['consumer.override.group.id'] ?? `connect-${name}`;
}

/** A comma-separated connector setting (`topics`, `transforms`, `predicates`) as its non-empty items. */
export function listSetting(config: Readonly<Record<string, string>>, key: string): string[] {
  return (config[key] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Keys starting with `prefix`, with the prefix removed. */
export function stripPrefix(config: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** Kafka Connect's 400 message for an invalid config. */
export function invalidConfigMessage(infos: ConfigInfos): string {
  const errors = infos.configs.flatMap((c) => c.value.errors.map((e) => `${e}`));
  return `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${errors.join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``;
}

/** Every PASSWORD-typed key of the connector's (and common) config replaced by `[hidden]`. */
export function maskConfig(registry: PluginRegistry, config: ConnectorConfig): ConnectorConfig {
  const plugin = config['connector.class'] ? registry.find(config['connector.class'], 'source', 'sink') : undefined;
  let out = { ...config };
  if (plugin) out = plugin.create().config().mask(out);
  for (const kind of ['transforms', 'predicates'] as const) {
    for (const alias of listSetting(config, kind)) {
      const prefix = `${kind}.${alias}.`;
      const cls = config[`${prefix}type`];
      const p = cls ? registry.find(cls, kind === 'transforms' ? 'transformation' : 'predicate') : undefined;
      if (!p) continue;
      const masked = p.create().config().mask(stripPrefix(config, prefix));
      for (const [k, v] of Object.entries(masked)) out[prefix + k] = v;
    }
  }
  return out;
}
