/**
 * Column defaults as Debezium puts them into the Connect schema (`PostgresDefaultValueConverter`):
 * the literal of `pg_get_expr(adbin)` (`42`, `'abc'::text`, `'2024-01-01'::date`, `true`) converted
 * like a value of the column. A default computed by a function (`nextval(...)`, `now()`,
 * `CURRENT_TIMESTAMP`, `gen_random_uuid()`) becomes the type's zero value, as Debezium does: a serial
 * key column gets default 0. Only the types Debezium has a parser for get a default; a failed parse
 * means no default.
 */
import { Struct } from '../../src/sdk/index.js';
import type { PgTypeInfo } from './pg-type-info.js';

// PostgresDefaultValueConverter.FUNCTION_DEFAULT_PATTERN (its `(?:.+(?:, ?.+)*)?` is just `.*`)
const FUNCTION_DEFAULT = /^\(?[A-Za-z0-9_.]+\(.*\)/;
const CURRENT_DATE_TIMES = new Set(['current_timestamp', 'current_time', 'current_date', 'localtime', 'localtimestamp']);
const LITERAL = /'([^']*(?:''[^']*)*)'/;

/**
 * The text a function default stands for, per type Debezium parses defaults of (in the output
 * format our value parsing reads: '1970-01-01' → '1970-01-01 00:00:00', '00:00' → '00:00:00', and
 * PGInterval('epoch') is a zero interval).
 */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  bit: '00', varbit: '0', bool: 'false', bpchar: '', varchar: '', text: '',
  numeric: '0.0', float4: '0.0', float8: '0.0', int2: '0', int4: '0', int8: '0',
  json: '{}', jsonb: '{}', xml: '', uuid: '00000000-0000-0000-0000-000000000000',
  date: '1970-01-01', time: '00:00:00', timestamp: '1970-01-01 00:00:00', timestamptz: '1970-01-01 00:00:00+00', interval: 'PT0S',
};

/** Types whose NULL default (`NULL::integer`) is recognised before parsing. */
const NULL_AWARE = new Set(['bool', 'numeric', 'float4', 'float8', 'int2', 'int4', 'int8']);

/**
 * The schema default for a column of `type` with default expression `expr`, converted by `convert`;
 * undefined when Debezium would set none. `type` is the column's declared type: a domain gets no
 * default (Debezium looks the parser up by the declared type name).
 */
export function columnDefault(expr: string | null | undefined, type: PgTypeInfo, convert: (text: string) => unknown): unknown {
  if (expr == null) return undefined;
  const isEnum = type.kind === 'enum';
  const placeholder = isEnum ? undefined : PLACEHOLDERS[type.name];
  if ((placeholder === undefined && !isEnum) || (type.schema !== 'pg_catalog' && !isEnum)) return undefined;
  if (NULL_AWARE.has(type.name) && expr.startsWith('NULL::')) return undefined;
  let text: string | null;
  if (isEnum) text = enumLiteral(expr, type.name);
  else if (FUNCTION_DEFAULT.test(expr) || CURRENT_DATE_TIMES.has(expr.toLowerCase())) text = placeholder!;
  else text = literal(expr);
  if (text === null) return undefined;
  try {
    if (type.name === 'bool') return text.toLowerCase() === 'true'; // Boolean.parseBoolean
    const value = convert(text);
    // a Struct (VariableScaleDecimal) cannot be a Connect default (KAFKA-12694)
    return value === null || value instanceof Struct ? undefined : value;
  } catch {
    return undefined;
  }
}

/** `'it''s'::text` → `it's`; an unquoted expression as it is; `NULL::x` → null. */
function literal(expr: string): string | null {
  if (!expr.includes("'")) return expr.startsWith('NULL::') ? null : expr;
  const m = LITERAL.exec(expr);
  return m ? m[1]!.replaceAll("''", "'") : null;
}

/** `'happy'::mood` (or `::public.mood`, quoted names) when the cast names the column's enum. */
function enumLiteral(expr: string, typeName: string): string | null {
  const cast = expr.lastIndexOf('::');
  if (cast < 0) return null;
  const target = expr.slice(cast + 2).split('.').pop()!.replace(/^"|"$/g, '');
  if (target !== typeName) return null;
  const value = expr.slice(0, cast);
  return value.length >= 2 && value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1) : null;
}
