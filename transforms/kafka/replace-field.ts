/**
 * Kafka Connect's `ReplaceField$Key` / `$Value`: drops (`exclude`), keeps only (`include`) and
 * renames (`renames`, `old:new` pairs) top-level fields of a struct or map. `exclude` wins over
 * `include`. A null key/value passes unchanged.
 *
 * Kafka 4.0 removed the deprecated `blacklist` / `whitelist` aliases (KAFKA-17530), so they are
 * not declared here either. The output struct schema keeps the input's name, version, doc and
 * parameters, not its optionality (`SchemaUtil.copySchemaBasics`).
 */
import { ConfigDef, ConfigError, SchemaBuilder, Struct, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import type { RecordPart } from '../support/record-part.js';
import { requireMap, requireStruct, type PlainObject } from '../support/requirements.js';
import { copySchemaBasics, PerSchema } from '../support/schema-util.js';
import { defineReplaceNullWithDefault, fieldValue, javaList, REPLACE_NULL_WITH_DEFAULT_CONFIG } from '../support/struct-values.js';

const PURPOSE = 'field replacement';
const EXCLUDE = 'exclude';
const INCLUDE = 'include';
const RENAMES = 'renames';

/** `old:new` pairs split as Java's `String.split(":")` does (trailing empty parts dropped). */
export function parseRenameMappings(mappings: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const mapping of mappings) {
    const parts = mapping.split(':');
    while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    if (parts.length !== 2) {
      throw new ConfigError(`Invalid value ${javaList(mappings)} for configuration ${RENAMES}: Invalid rename mapping: ${mapping}`, { key: RENAMES });
    }
    out.set(parts[0]!, parts[1]!);
  }
  return out;
}

const renamesValidator = Object.assign((_name: string, v: unknown) => void parseRenameMappings(v as string[]), {
  description: 'list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>',
});

const CONFIG_DEF = defineReplaceNullWithDefault(
  new ConfigDef()
    .define({ name: EXCLUDE, type: 'LIST', default: '', importance: 'MEDIUM', documentation: 'Fields to exclude. This takes precedence over the fields to include.' })
    .define({ name: INCLUDE, type: 'LIST', default: '', importance: 'MEDIUM', documentation: 'Fields to include. If specified, only these fields will be used.' })
    .define({ name: RENAMES, type: 'LIST', default: '', validator: renamesValidator, importance: 'MEDIUM', documentation: 'Field rename mappings.' }),
);

/** The output schema and, per output field, the index of the input field it comes from. */
interface Plan {
  readonly schema: Schema;
  readonly sources: readonly number[];
}

export class ReplaceField implements Transformation {
  private exclude: ReadonlySet<string> = new Set();
  private include: ReadonlySet<string> = new Set();
  private renames: ReadonlyMap<string, string> = new Map();
  private replaceNullWithDefault = true;
  private readonly plans = new PerSchema<Plan>();
  private readonly derivePlan = (s: Schema): Plan => this.plan(s);

  constructor(private readonly part: RecordPart) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = CONFIG_DEF.parse(props);
    this.exclude = new Set(cfg.getList(EXCLUDE));
    this.include = new Set(cfg.getList(INCLUDE));
    this.renames = parseRenameMappings(cfg.getList(RENAMES));
    this.replaceNullWithDefault = cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
  }

  private keep(name: string): boolean {
    return !this.exclude.has(name) && (this.include.size === 0 || this.include.has(name));
  }

  apply<R extends ConnectRecord>(record: R): R {
    const value = this.part.value(record);
    if (value === null || value === undefined) return record;
    if (this.part.schema(record) === null) {
      const map = requireMap(value, PURPOSE);
      const updated: PlainObject = {};
      for (const name of Object.keys(map)) if (this.keep(name)) updated[this.renames.get(name) ?? name] = map[name];
      return this.part.with(record, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    const plan = this.plans.get(struct.schema, this.derivePlan);
    const fields = struct.schema.fields!;
    const values = new Array<unknown>(plan.sources.length);
    for (let i = 0; i < values.length; i++) values[i] = fieldValue(struct, fields[plan.sources[i]!]!, this.replaceNullWithDefault);
    return this.part.with(record, plan.schema, Struct.fromValues(plan.schema, values));
  }

  private plan(input: Schema): Plan {
    const b = copySchemaBasics(input, SchemaBuilder.struct());
    const sources: number[] = [];
    for (const f of input.fields!) {
      if (!this.keep(f.name)) continue;
      b.field(this.renames.get(f.name) ?? f.name, f.schema);
      sources.push(f.index);
    }
    return { schema: b.build(), sources };
  }

  close(): void {}
}
