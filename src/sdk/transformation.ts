/**
 * Single message transformations and predicates (Kafka Connect's `Transformation` and
 * `Predicate`). Configured from a connector's `transforms.<alias>.*` / `predicates.<alias>.*` keys;
 * the runtime creates one instance per task and alias.
 *
 * `apply` is synchronous and called once per record on the task's hot path. It returns a new record
 * (records are immutable) or `null` to drop the record. A record it cannot handle throws `DataError`.
 *
 * @example
 * ```ts
 * class Uppercase implements Transformation<ConnectRecord> {
 *   configure() {}
 *   config() { return new ConfigDef(); }
 *   apply(r) { return { ...r, value: String(r.value).toUpperCase() }; }
 *   close() {}
 * }
 * ```
 */
import type { ConfigDef } from './config-def.js';
import type { ConnectRecord } from './records.js';

export interface Transformation<R extends ConnectRecord = ConnectRecord> {
  /** Settings with `transforms.<alias>.` removed (`type`, `predicate`, `negate` excluded). Throws ConfigError. */
  configure(configs: Readonly<Record<string, string>>): void;
  config(): ConfigDef;
  apply(record: R): R | null;
  close(): void;
}

export interface Predicate<R extends ConnectRecord = ConnectRecord> {
  configure(configs: Readonly<Record<string, string>>): void;
  config(): ConfigDef;
  test(record: R): boolean;
  close(): void;
}
