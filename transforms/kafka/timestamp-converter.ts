/**
 * Kafka Connect's `org.apache.kafka.connect.transforms.TimestampConverter$Key` / `$Value`: converts
 * a timestamp field (`field`), or the whole key/value, between a formatted string (`format`, a
 * SimpleDateFormat pattern in UTC), a Unix number (`unix.precision`), and Connect's Date, Time and
 * Timestamp types (`target.type`). The input kind comes from the schema (Date/Time/Timestamp by
 * name, string, int64 = unix) or, schemaless, from the value (Date = Timestamp, integer = unix,
 * string). Sub-millisecond precision is lost, as in Kafka.
 *
 * Output schemas are the bare target schemas (Kafka drops name, doc and parameters of a converted
 * whole value or field) with the input's optionality.
 */
import { ConfigDef, ConfigError, DataError, INT64_MAX, INT64_MIN, LOGICAL, oneOf, SchemaBuilder, Schemas, Struct, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import { describeValue } from '../support/describe-value.js';
import { JavaDateFormat, MS_PER_DAY } from '../support/java-date-format.js';
import { parseJavaDate } from '../support/java-date-parse.js';
import type { RecordPart } from '../support/record-part.js';
import { requireMap, requireStructOrNull } from '../support/requirements.js';
import { copySchemaBasics, PerSchema } from '../support/schema-util.js';
import { defineReplaceNullWithDefault, fieldValue, REPLACE_NULL_WITH_DEFAULT_CONFIG } from '../support/struct-values.js';

type Kind = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp';
type Precision = 'seconds' | 'milliseconds' | 'microseconds' | 'nanoseconds';

const PURPOSE = 'converting timestamp formats';
const KINDS: readonly Kind[] = ['string', 'unix', 'Date', 'Time', 'Timestamp'];
const PRECISIONS: readonly Precision[] = ['nanoseconds', 'microseconds', 'milliseconds', 'seconds'];
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** JavaScript's Date range (Java's is wider). */
const MAX_DATE_MS = 8.64e15;

/** [required, optional] output schema per kind. */
const TYPE_SCHEMAS: Readonly<Record<Kind, readonly [Schema, Schema]>> = {
  string: [Schemas.STRING, Schemas.OPTIONAL_STRING],
  unix: [Schemas.INT64, Schemas.OPTIONAL_INT64],
  Date: [SchemaBuilder.date().build(), SchemaBuilder.date().optional().build()],
  Time: [SchemaBuilder.time().build(), SchemaBuilder.time().optional().build()],
  Timestamp: [SchemaBuilder.timestamp().build(), SchemaBuilder.timestamp().optional().build()],
};

const CONFIG_DEF = defineReplaceNullWithDefault(new ConfigDef()
  .define({ name: 'field', type: 'STRING', default: '', importance: 'HIGH', documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp' })
  .define({ name: 'target.type', type: 'STRING', importance: 'HIGH', validator: oneOf(KINDS), documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp' })
  .define({
    name: 'format', type: 'STRING', default: '', importance: 'MEDIUM',
    documentation: 'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.',
  })
  .define({
    name: 'unix.precision', type: 'STRING', default: 'milliseconds', importance: 'LOW', validator: oneOf(PRECISIONS),
    documentation: 'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.',
  }));

const isBlank = (s: string): boolean => s.trim() === '';
const truncDiv = (v: number, by: number): number => (v - (v % by)) / by;
const int64 = (v: bigint): number | bigint => (v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v >= -BigInt(MAX_SAFE) && v <= BigInt(MAX_SAFE) ? Number(v) : v);

/** Kafka's `timestampTypeFromSchema`. */
function kindOf(schema: Schema): Kind {
  switch (schema.name) {
    case LOGICAL.TIMESTAMP: return 'Timestamp';
    case LOGICAL.DATE: return 'Date';
    case LOGICAL.TIME: return 'Time';
  }
  if (schema.type === 'string') return 'string';
  if (schema.type === 'int64') return 'unix';
  const text = schema.name !== undefined ? `${schema.name}:${schema.type.toUpperCase()}` : schema.type.toUpperCase();
  throw new DataError(`Schema Schema{${text}} does not correspond to a known timestamp type format`);
}

/** Kafka's `inferTimestampType` for schemaless values. */
function inferKind(v: unknown): Kind {
  if (v instanceof Date) return 'Timestamp';
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'unix';
  if (typeof v === 'string') return 'string';
  throw new DataError(`TimestampConverter does not support ${describeValue(v)} objects as timestamps`);
}

/** Per struct schema: the output schema, the converted field's index (-1 when absent). */
interface Plan {
  readonly schema: Schema;
  /** The converted field's index (-1: no such field), and the kind its schema says it holds. */
  readonly index: number;
  readonly kind: Kind | null;
}

export class TimestampConverter implements Transformation {
  private field = '';
  private target: Kind = 'Timestamp';
  private format: JavaDateFormat | null = null;
  private precision: Precision = 'milliseconds';
  private replaceNullWithDefault = true;
  private centuryStart = 0;
  /** Derived per input schema; replaced when reconfigured. */
  private plans = new PerSchema<Plan>();
  private readonly derive = (s: Schema): Plan => this.buildPlan(s);

  /** `now` anchors two-digit years when parsing (`yy`), as SimpleDateFormat's creation time does. */
  constructor(private readonly part: RecordPart, private readonly now: () => number = Date.now) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.plans = new PerSchema<Plan>();
    const cfg = CONFIG_DEF.parse(props);
    this.field = cfg.getString('field') ?? '';
    this.target = cfg.getString('target.type') as Kind;
    this.precision = cfg.getString('unix.precision') as Precision;
    this.replaceNullWithDefault = cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
    const pattern = cfg.getString('format') ?? '';
    if (this.target === 'string' && isBlank(pattern)) {
      throw new ConfigError('TimestampConverter requires format option to be specified when using string timestamps', { key: 'format' });
    }
    this.format = null;
    if (!isBlank(pattern)) {
      try {
        this.format = new JavaDateFormat(pattern);
      } catch (err) {
        throw new ConfigError(`TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${pattern}`, { key: 'format', cause: err });
      }
    }
    const start = new Date(this.now());
    start.setUTCFullYear(start.getUTCFullYear() - 80);
    this.centuryStart = start.getTime();
  }

  apply(record: ConnectRecord): ConnectRecord {
    const value = this.part.value(record);
    const schema = this.part.schema(record);
    if (schema === null) {
      if (value === null || value === undefined || this.field === '') return this.part.with(record, null, this.convert(value ?? null, null));
      const out = { ...requireMap(value, PURPOSE) };
      out[this.field] = this.convert(out[this.field] ?? null, null);
      return this.part.with(record, null, out);
    }
    if (this.field === '') {
      const kind = kindOf(schema);
      return this.part.with(record, TYPE_SCHEMAS[this.target][schema.optional ? 1 : 0], this.convert(value ?? null, kind));
    }
    const struct = requireStructOrNull(value, PURPOSE);
    const plan = this.plans.get(struct?.schema ?? schema, this.derive);
    return this.part.with(record, plan.schema, struct === null ? null : this.convertStruct(struct, plan));
  }

  close(): void {}

  private convertStruct(struct: Struct, plan: Plan): Struct {
    const fields = struct.schema.fields!;
    const values = new Array<unknown>(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const v = fieldValue(struct, fields[i]!, this.replaceNullWithDefault);
      values[i] = i === plan.index ? this.convert(v, plan.kind) : v;
    }
    const out = Struct.fromValues(plan.schema, values);
    out.validate();
    return out;
  }

  private buildPlan(schema: Schema): Plan {
    if (schema.type !== 'struct') throw new DataError(`Only Struct objects supported for [${PURPOSE}], found: ${schema.type}`);
    const b = copySchemaBasics(schema, SchemaBuilder.struct());
    let index = -1;
    for (const f of schema.fields!) {
      if (f.name === this.field) index = f.index;
      b.field(f.name, f.name === this.field ? TYPE_SCHEMAS[this.target][f.schema.optional ? 1 : 0] : f.schema);
    }
    if (schema.optional) b.optional();
    const kind = index < 0 ? null : kindOf(schema.fields![index]!.schema);
    if (schema.defaultValue instanceof Struct) b.defaultValue(this.convertStruct(schema.defaultValue, { schema: b.build(), index, kind }));
    return { schema: b.build(), index, kind };
  }

  /** Kafka's `convertTimestamp`: `kind` from the schema, or null to infer it from the value. */
  private convert(v: unknown, kind: Kind | null): unknown {
    if (v === null) return null;
    const ms = this.toMillis(v, kind ?? inferKind(v));
    switch (this.target) {
      case 'string': return this.format!.format(ms);
      case 'unix': return this.toUnix(ms);
      case 'Date': return new Date(ms - (((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY));
      case 'Time': return new Date(((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
      default: return v instanceof Date ? v : new Date(ms);
    }
  }

  private toMillis(v: unknown, kind: Kind): number {
    switch (kind) {
      case 'string': {
        if (typeof v !== 'string') throw new DataError(`Expected string timestamp to be a String, but found ${describeValue(v)}`);
        if (this.format === null) throw new DataError('TimestampConverter requires the format option to parse string timestamps');
        const ms = parseJavaDate(this.format, v, this.centuryStart);
        if (ms === undefined) throw new DataError(`Could not parse timestamp: value (${v}) does not match pattern (${this.format.pattern})`);
        return this.inRange(ms);
      }
      case 'unix': {
        if (typeof v === 'bigint') return this.inRange(Number(this.fromUnixBig(v)));
        if (typeof v !== 'number' || !Number.isInteger(v)) throw new DataError(`Expected Unix timestamp to be a Long, but found ${describeValue(v)}`);
        switch (this.precision) {
          case 'seconds': return this.inRange(v * 1000);
          case 'microseconds': return this.inRange(truncDiv(v, 1000));
          case 'nanoseconds': return this.inRange(truncDiv(v, 1_000_000));
          default: return this.inRange(v);
        }
      }
      default:
        if (!(v instanceof Date)) throw new DataError(`Expected ${kind} to be a java.util.Date, but found ${describeValue(v)}`);
        return v.getTime();
    }
  }

  private fromUnixBig(v: bigint): bigint {
    switch (this.precision) {
      case 'seconds': return v * 1000n;
      case 'microseconds': return v / 1000n;
      case 'nanoseconds': return v / 1_000_000n;
      default: return v;
    }
  }

  private toUnix(ms: number): number | bigint {
    switch (this.precision) {
      case 'seconds': return truncDiv(ms, 1000);
      case 'microseconds': return int64(BigInt(ms) * 1000n);
      case 'nanoseconds': return int64(BigInt(ms) * 1_000_000n);
      default: return ms;
    }
  }

  private inRange(ms: number): number {
    if (!(Math.abs(ms) <= MAX_DATE_MS)) throw new DataError(`Timestamp of ${ms} ms since the epoch is outside the supported range (±8.64e15 ms)`);
    return ms;
  }
}
