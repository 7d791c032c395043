/**
 * Builds a task's converters and transformation chain from its connector's config, falling back
 * to the worker's converters (Kafka Connect's `Worker.startTask` plumbing).
 */
import { TributaryError } from '../errors/codes.js';
import { ConfigError } from '../sdk/errors.js';
import type { Converter, HeaderConverter } from '../sdk/converter.js';
import type { ConnectRecord } from '../sdk/records.js';
import type { Predicate, Transformation } from '../sdk/transformation.js';
import { listSetting, stripPrefix } from './connector-config.js';
import type { PluginRegistry } from './plugins.js';
import type { WorkerSettings } from './worker-settings.js';

export interface TaskConverters {
  readonly key: Converter;
  readonly value: Converter;
  readonly header: HeaderConverter;
  /** Their class names, as error contexts report them (the converter's constructor name when absent). */
  readonly classNames?: { readonly key: string; readonly value: string; readonly header: string };
}

export function buildConverters(registry: PluginRegistry, worker: WorkerSettings, config: Readonly<Record<string, string>>): TaskConverters {
  const classNames = { key: '', value: '', header: '' };
  const make = (which: 'key' | 'value'): Converter => {
    const own = config[`${which}.converter`];
    const cls = own ?? (which === 'key' ? worker.keyConverter : worker.valueConverter);
    const p = registry.find(cls, 'converter');
    if (!p) throw new ConfigError(`${which}.converter: class ${cls} could not be found`, { key: `${which}.converter` });
    classNames[which] = p.className;
    const c = p.create();
    // A connector-level converter takes only the connector's settings, as in Kafka Connect.
    const settings = own ? stripPrefix(config, `${which}.converter.`) : { ...(which === 'key' ? worker.keyConverterConfig : worker.valueConverterConfig) };
    c.configure(settings, which === 'key');
    return c;
  };
  const own = config['header.converter'];
  const hcls = own ?? worker.headerConverter;
  const header = registry.createHeaderConverter(hcls);
  if (!header) throw new ConfigError(`header.converter: class ${hcls} could not be found or is not a header converter`, { key: 'header.converter' });
  header.configure(own ? stripPrefix(config, 'header.converter.') : { ...worker.headerConverterConfig });
  classNames.header = registry.find(hcls, 'header_converter', 'converter')?.className ?? hcls;
  return { key: make('key'), value: make('value'), header, classNames };
}

/**
 * The class that failed on a record, as error contexts name it: the transformation's, else the
 * converter at work in `stage`.
 */
export function failingClassName(err: unknown, stage: string, converters: TaskConverters): string {
  if (err instanceof TransformationError) return err.className;
  const names = converters.classNames;
  if (stage === 'KEY_CONVERTER') return names?.key ?? converters.key.constructor.name;
  if (stage === 'VALUE_CONVERTER') return names?.value ?? converters.value.constructor.name;
  return names?.header ?? converters.header.constructor.name;
}

/** A transformation threw: names the step; `cause` is what it threw. */
export class TransformationError extends TributaryError {
  constructor(
    readonly alias: string,
    /** The transformation's class name, as the dead letter queue's context reports it. */
    readonly className: string,
    topic: string,
    cause: unknown,
  ) {
    super('DATA_ERROR', `transformation ${alias} failed on a record of topic ${topic}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'TransformationError';
  }
}

interface Step<R extends ConnectRecord> {
  readonly alias: string;
  readonly className: string;
  readonly transform: Transformation<R>;
  readonly predicate: Predicate<R> | null;
  readonly negate: boolean;
}

/** The configured transformations, applied in order; a step may drop the record (null). */
export class TransformChain<R extends ConnectRecord> {
  private constructor(
    private readonly steps: readonly Step<R>[],
    private readonly predicates: readonly Predicate<R>[],
  ) {}

  static build<R extends ConnectRecord>(registry: PluginRegistry, config: Readonly<Record<string, string>>): TransformChain<R> {
    const predicates = new Map<string, Predicate<R>>();
    for (const alias of listSetting(config, 'predicates')) {
      const prefix = `predicates.${alias}.`;
      const cls = config[`${prefix}type`];
      const p = cls ? registry.find(cls, 'predicate') : undefined;
      if (!p) throw new ConfigError(`${prefix}type: ${cls ? `class ${cls} could not be found` : 'missing'}`, { key: `${prefix}type` });
      const pred = p.create() as Predicate<R>;
      pred.configure(stripPrefix(config, prefix));
      predicates.set(alias, pred);
    }
    const steps: Step<R>[] = [];
    for (const alias of listSetting(config, 'transforms')) {
      const prefix = `transforms.${alias}.`;
      const cls = config[`${prefix}type`];
      const p = cls ? registry.find(cls, 'transformation') : undefined;
      if (!p) throw new ConfigError(`${prefix}type: ${cls ? `class ${cls} could not be found` : 'missing'}`, { key: `${prefix}type` });
      const t = p.create() as Transformation<R>;
      const props = stripPrefix(config, prefix);
      const predAlias = props['predicate'];
      const predicate = predAlias ? predicates.get(predAlias) : undefined;
      if (predAlias && !predicate) throw new ConfigError(`${prefix}predicate: predicate ${predAlias} is not listed in 'predicates'`, { key: `${prefix}predicate` });
      delete props['type'];
      delete props['predicate'];
      const negate = (props['negate'] ?? 'false').toLowerCase() === 'true';
      delete props['negate'];
      t.configure(props);
      steps.push({ alias, className: p.className, transform: t, predicate: predicate ?? null, negate });
    }
    return new TransformChain(steps, [...predicates.values()]);
  }

  get empty(): boolean {
    return this.steps.length === 0;
  }

  /** Applies every step; null when a step dropped the record. Throws TransformationError naming the step (its predicate's failures included). */
  apply(record: R): R | null {
    let r: R = record;
    for (const s of this.steps) {
      let next: R | null;
      try {
        // A predicate's failure is its step's, as in Kafka Connect's TransformationStage.
        if (s.predicate && s.predicate.test(r) === s.negate) continue;
        next = s.transform.apply(r);
      } catch (err) {
        throw new TransformationError(s.alias, s.className, r.topic, err);
      }
      if (next === null) return null;
      r = next;
    }
    return r;
  }

  close(): void {
    for (const s of this.steps) s.transform.close();
    for (const p of this.predicates) p.close();
  }
}
