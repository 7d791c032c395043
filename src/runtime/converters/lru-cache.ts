/** A small least-recently-used cache (Kafka's `LRUCache`); capacity 0 caches nothing. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  private newest: K | undefined;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && key !== this.newest) {
      // Map keeps insertion order: re-inserting marks the entry most recently used. A run of hits
      // on one key (the common case: one schema per topic) skips the two extra look-ups.
      this.map.delete(key);
      this.map.set(key, v);
      this.newest = key;
    }
    return v;
  }

  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
}
