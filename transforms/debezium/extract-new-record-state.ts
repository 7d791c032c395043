/**
 * Debezium's `io.debezium.transforms.ExtractNewRecordState` ("event flattening"): replaces a change
 * event envelope with its `after` row, handling deletes and tombstones as
 * `delete.tombstone.handling.mode` says, optionally adding envelope fields to the row (`add.fields`)
 * or as headers (`add.headers`), re-routing by a row column (`route.by.field`) and dropping the
 * fields a header lists (`drop.fields.*`).
 *
 * Behaviour follows Debezium's code:
 * - records whose value schema is not an envelope (name not ending `.Envelope`: heartbeats,
 *   transaction metadata, logical decoding messages, schema changes) pass unchanged, without headers;
 * - a tombstone (null value) passes only in `rewrite-with-tombstone` (or legacy
 *   `drop.tombstones=false`), then with an `op` header of "d" when `add.headers` lists `op`;
 * - an envelope with neither `before` nor `after` (truncate, `op=t`) is dropped in every mode;
 * - creates, updates and reads become `after`; deletes become per mode nothing, a value-less record
 *   keeping `after`'s schema (`tombstone`), a real tombstone (`delete-to-tombstone`) or `before` with
 *   `__deleted` = "true" (`rewrite*`, where other events get "false");
 * - a row that comes out as a value is rebuilt as Debezium's `addFields` does even when nothing is
 *   added: schema = `after`'s name, version, doc and parameters (required, like every schema Kafka's
 *   `copySchemaBasics` makes), its fields, then `__deleted` (optional string) in rewrite modes, then
 *   each `add.fields` entry found in the envelope (optional copy of its schema: `__op` string,
 *   `__lsn` / `__source_ts_ms` int64...). In rewrite modes with `replace.null.with.default` a null
 *   column takes its schema default, as Kafka's InsertField copies it.
 *
 * Schemaless envelopes (plain objects, see `envelope.ts`) get the same handling; what Debezium
 * cannot do without a schema (keep `after`'s schema on a `tombstone` delete) yields a null schema.
 *
 * Derived schemas are computed once per envelope schema and row schema.
 */
import {
  DataError,
  SchemaBuilder,
  Schemas,
  Struct,
  type ConfigDef,
  type ConnectHeader,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '../../src/sdk/index.js';
import { requireMap, requireStruct, type PlainObject } from '../support/requirements.js';
import { copySchemaBasics } from '../support/schema-util.js';
import { FieldDropper, fieldsToDrop } from './drop-fields.js';
import { AFTER, BEFORE, fieldOf, isEnvelopeSchema, isSchemalessEnvelope, OP, OP_DELETE, requireField } from './envelope.js';
import { EXTRACT_NEW_RECORD_STATE_CONFIG, extractSettings, type ExtractSettings } from './extract-new-record-state-config.js';
import { ABSENT, readField, readSchemalessField, resolveField, type ResolvedField } from './field-reference.js';

export const DELETED_FIELD = '__deleted';
const PURPOSE = 'source field insertion';

/** What one envelope schema needs, derived once. */
interface EnvelopePlan {
  readonly afterIndex: number;
  /** -1 when the envelope has no `before` (then a null `after` reads as a truncate). */
  readonly beforeIndex: number;
  readonly afterSchema: Schema;
  readonly added: readonly ResolvedField[];
  readonly headers: readonly ResolvedField[];
  /** Output shape per row schema. */
  readonly rows: WeakMap<Schema, RowShape>;
}

interface RowShape {
  readonly schema: Schema;
  readonly width: number;
  /** Per row field, the default a null takes (undefined: none), or null when nothing is replaced. */
  readonly defaults: readonly unknown[] | null;
}

export class ExtractNewRecordState<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private s!: ExtractSettings;
  private dropper!: FieldDropper;
  private tombstoneHeaders: readonly ConnectHeader[] = [];
  private plans = new WeakMap<Schema, EnvelopePlan>();

  configure(props: Readonly<Record<string, string>>): void {
    this.s = extractSettings(props);
    this.dropper = new FieldDropper(this.s.dropFieldsKeepSchemaCompatible);
    // A tombstone carries no envelope: only an `op` header ("d") can be added to it.
    this.tombstoneHeaders = this.s.addHeaders
      .filter((h) => h.field === OP)
      .map((h) => Object.freeze({ key: h.newField, schema: Schemas.STRING, value: OP_DELETE }));
    this.plans = new WeakMap();
  }

  config(): ConfigDef {
    return EXTRACT_NEW_RECORD_STATE_CONFIG;
  }

  apply(r: R): R | null {
    const v = r.value;
    if (v === null || v === undefined) {
      if (!this.s.handling.keepTombstones) return null;
      return this.tombstoneHeaders.length === 0 ? r : { ...r, headers: [...r.headers, ...this.tombstoneHeaders] };
    }
    const schema = r.valueSchema;
    if (schema !== null) {
      if (!isEnvelopeSchema(schema)) return r;
      const env = requireStruct(v, PURPOSE);
      return this.applyWithSchema(r, this.plan(env.schema), env);
    }
    return isSchemalessEnvelope(v) ? this.applySchemaless(r, v) : r;
  }

  close(): void {}

  private applyWithSchema(r: R, plan: EnvelopePlan, env: Struct): R | null {
    let headers = r.headers;
    if (plan.headers.length > 0) {
      const h = headers.slice();
      for (const f of plan.headers) h.push({ key: f.newField, schema: f.schema, value: readField(f, env) });
      headers = h;
    }
    const after = env.valueAt(plan.afterIndex);
    let out: R;
    let routeFrom: Struct;
    if (after !== null && after !== undefined) {
      routeFrom = requireStruct(after, PURPOSE);
      const value = this.unwrap(plan, env, routeFrom, 'false');
      out = { ...r, headers, valueSchema: value.schema, value };
    } else {
      const before = plan.beforeIndex < 0 ? null : env.valueAt(plan.beforeIndex);
      if (before === null || before === undefined) return null; // truncate
      routeFrom = requireStruct(before, PURPOSE);
      switch (this.s.handling.delete) {
        case 'drop':
          return null;
        case 'null-value':
          out = { ...r, headers, valueSchema: plan.afterSchema, value: null };
          break;
        case 'tombstone':
          out = { ...r, headers, valueSchema: null, value: null };
          break;
        case 'rewrite': {
          const value = this.unwrap(plan, env, routeFrom, 'true');
          out = { ...r, headers, valueSchema: value.schema, value };
        }
      }
    }
    if (this.s.routeByField !== null) out = this.route(out, routeFrom.getWithoutDefault(this.s.routeByField));
    return this.s.dropFieldsHeader === null ? out : this.dropFields(out);
  }

  private applySchemaless(r: R, env: PlainObject): R | null {
    let headers = r.headers;
    if (this.s.addHeaders.length > 0) {
      const h = headers.slice();
      for (const ref of this.s.addHeaders) {
        const value = readSchemalessField(ref, env);
        if (value !== ABSENT) h.push({ key: ref.newField, schema: null, value });
      }
      headers = h;
    }
    const after = env[AFTER];
    let out: R;
    let routeFrom: PlainObject;
    if (after !== null && after !== undefined) {
      routeFrom = requireMap(after, PURPOSE);
      out = { ...r, headers, valueSchema: null, value: this.unwrapSchemaless(env, routeFrom, 'false') };
    } else {
      const before = env[BEFORE];
      if (before === null || before === undefined) return null; // truncate
      routeFrom = requireMap(before, PURPOSE);
      switch (this.s.handling.delete) {
        case 'drop':
          return null;
        case 'null-value':
        case 'tombstone':
          out = { ...r, headers, valueSchema: null, value: null };
          break;
        case 'rewrite':
          out = { ...r, headers, valueSchema: null, value: this.unwrapSchemaless(env, routeFrom, 'true') };
      }
    }
    if (this.s.routeByField !== null) out = this.route(out, routeFrom[this.s.routeByField]);
    return this.s.dropFieldsHeader === null ? out : this.dropFields(out);
  }

  /** The output row: `row`'s columns, `__deleted` in rewrite modes, then the added fields. */
  private unwrap(plan: EnvelopePlan, env: Struct, row: Struct, deleted: string): Struct {
    let shape = plan.rows.get(row.schema);
    if (shape === undefined) plan.rows.set(row.schema, (shape = this.shape(plan, row.schema)));
    const values = new Array<unknown>(shape.schema.fields!.length);
    const width = shape.width;
    const defaults = shape.defaults;
    for (let i = 0; i < width; i++) {
      const x = row.valueAt(i);
      values[i] = x === null && defaults !== null && defaults[i] !== undefined ? defaults[i] : x;
    }
    let k = width;
    if (this.s.handling.rewrite) values[k++] = deleted;
    const added = plan.added;
    for (let i = 0; i < added.length; i++) values[k++] = readField(added[i]!, env);
    return Struct.fromValues(shape.schema, values);
  }

  private unwrapSchemaless(env: PlainObject, row: PlainObject, deleted: string): PlainObject {
    if (!this.s.handling.rewrite && this.s.addFields.length === 0) return row;
    const out: PlainObject = { ...row };
    if (this.s.handling.rewrite) out[DELETED_FIELD] = deleted;
    for (const ref of this.s.addFields) {
      const value = readSchemalessField(ref, env);
      if (value !== ABSENT) out[ref.newField] = value;
    }
    return out;
  }

  private route(r: R, topic: unknown): R {
    if (topic === null || topic === undefined) return r;
    if (typeof topic !== 'string') throw new DataError(`Field '${this.s.routeByField}' is not of type STRING`);
    return topic.trim() === '' ? r : { ...r, topic };
  }

  private dropFields(r: R): R {
    const names = fieldsToDrop(r.headers, this.s.dropFieldsHeader!);
    if (names === null) return r;
    let out = r;
    if (this.s.dropFieldsFromKey && r.key !== null && r.key !== undefined) {
      const k = this.dropper.drop(r.keySchema, r.key, names);
      if (k.value !== r.key) out = { ...out, keySchema: k.schema, key: k.value };
    }
    const v = this.dropper.drop(out.valueSchema, out.value, names);
    return v.value === out.value ? out : { ...out, valueSchema: v.schema, value: v.value };
  }

  private plan(envelope: Schema): EnvelopePlan {
    let plan = this.plans.get(envelope);
    if (plan !== undefined) return plan;
    const after = requireField(envelope, AFTER);
    const resolve = (refs: ExtractSettings['addFields']): ResolvedField[] =>
      refs.map((ref) => resolveField(ref, envelope)).filter((f): f is ResolvedField => f !== null);
    plan = {
      afterIndex: after.index,
      beforeIndex: fieldOf(envelope, BEFORE)?.index ?? -1,
      afterSchema: after.schema,
      added: resolve(this.s.addFields),
      headers: resolve(this.s.addHeaders),
      rows: new WeakMap(),
    };
    this.plans.set(envelope, plan);
    return plan;
  }

  private shape(plan: EnvelopePlan, row: Schema): RowShape {
    if (row.type !== 'struct') throw new DataError(`Only Struct objects supported for [${PURPOSE}], found: ${row.type}`);
    const b = copySchemaBasics(row, SchemaBuilder.struct());
    for (const f of row.fields!) b.field(f.name, f.schema);
    if (this.s.handling.rewrite) b.field(DELETED_FIELD, Schemas.OPTIONAL_STRING);
    for (const f of plan.added) b.field(f.newField, f.schema);
    let defaults: unknown[] | null = null;
    if (this.s.handling.rewrite && this.s.replaceNullWithDefault && row.fields!.some((f) => f.schema.defaultValue !== undefined && f.schema.defaultValue !== null)) {
      defaults = row.fields!.map((f) => (f.schema.defaultValue === null ? undefined : f.schema.defaultValue));
    }
    return { schema: b.build(), width: row.fields!.length, defaults };
  }
}
