/** The SDK's LruCache: least recently used out first, reads count as use, capacity 0 keeps nothing. */
import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/sdk/index.js';

describe('LruCache', () => {
  it('evicts the least recently used entry past capacity', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now newer than b
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c'), c.size]).toEqual([1, undefined, 3, 2]);
  });

  it('keeps recency right across repeated hits on the newest key', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.get('b');
    c.get('b');
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('replaces a value and caches null', () => {
    const c = new LruCache<string, string | null>(1);
    c.set('a', 'x');
    c.set('a', null);
    expect([c.get('a'), c.size]).toEqual([null, 1]);
  });

  it('caches nothing at capacity 0', () => {
    const c = new LruCache<string, number>(0);
    c.set('a', 1);
    expect([c.get('a'), c.size, c.capacity]).toEqual([undefined, 0, 0]);
  });
});
