/**
 * A least-recently-used map of at most `capacity` entries (Kafka's `LRUCache`, which the JSON
 * converter sizes with `schemas.cache.size` and Debezium's routers with `logical.table.cache.size`);
 * capacity 0 caches nothing. `undefined` values cannot be told from a miss, so do not store them.
 *
 * @example
 * ```ts
 * const topics = new LruCache<string, string | null>(16);
 * let routed = topics.get(topic);
 * if (routed === undefined) topics.set(topic, (routed = route(topic)));
 * ```
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  private newest: K | undefined;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The value for `key`, marking it most recently used; undefined on a miss. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && key !== this.newest) {
      // Map keeps insertion order: re-inserting marks the entry most recently used. A run of hits
      // on one key (the common case: one schema or topic per batch) skips the two extra look-ups.
      this.map.delete(key);
      this.map.set(key, v);
      this.newest = key;
    }
    return v;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used past capacity. */
  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
}
