/** Structural schema equality, as Kafka Connect's `ConnectSchema.equals` (the SDK has none yet). */
import { type Schema, valuesEqual } from '../../sdk/index.js';

export function schemasEqual(a: Schema | null | undefined, b: Schema | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (
    a.type !== b.type ||
    a.optional !== b.optional ||
    a.name !== b.name ||
    a.version !== b.version ||
    a.doc !== b.doc ||
    !paramsEqual(a.parameters, b.parameters) ||
    !defaultsEqual(a.defaultValue, b.defaultValue) ||
    !schemasEqual(a.keySchema, b.keySchema) ||
    !schemasEqual(a.valueSchema, b.valueSchema)
  ) {
    return false;
  }
  const fa = a.fields ?? [];
  const fb = b.fields ?? [];
  return fa.length === fb.length && fa.every((f, i) => f.name === fb[i]!.name && f.index === fb[i]!.index && schemasEqual(f.schema, fb[i]!.schema));
}

function paramsEqual(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => a![k] === b?.[k]);
}

/** `undefined` (no default) and `null` mean the same in Kafka Connect. */
function defaultsEqual(a: unknown, b: unknown): boolean {
  return (a ?? null) === null ? (b ?? null) === null : valuesEqual(a, b);
}
