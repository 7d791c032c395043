/** How appends are cut: per topic partition, in order, within a byte bound unless one record is bigger. */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/log.js';
import { AppendSplitter } from '../../src/runtime/append-splitter.js';

const rec = (v: string): LogRecord => ({ key: null, value: Buffer.from(v) });
const values = (rs: readonly LogRecord[]): string[] => rs.map((r) => r.value!.toString());

describe('AppendSplitter', () => {
  it('groups records by topic partition, keeping their order, across interleaving', () => {
    const s = new AppendSplitter();
    s.add('a', 0, rec('a0'), 10, 100);
    s.add('a', 1, rec('a1'), 10, 100);
    s.add('b', 0, rec('b0'), 10, 100);
    s.add('a', 0, rec('a0-2'), 10, 100);
    s.add('a', 1, rec('a1-2'), 10, 100);
    expect(s.groups.map((g) => [g.topic, g.partition, values(g.records), g.bytes])).toEqual([
      ['a', 0, ['a0', 'a0-2'], 20],
      ['a', 1, ['a1', 'a1-2'], 20],
      ['b', 0, ['b0'], 10],
    ]);
  });

  it('opens a new group when the next record would pass the bound; a record bigger than the bound goes alone', () => {
    const s = new AppendSplitter();
    for (const [v, size] of [['1', 40], ['2', 60], ['3', 1], ['big', 500], ['4', 10]] as const) s.add('t', 0, rec(v), size, 100);
    expect(s.groups.map((g) => values(g.records))).toEqual([['1', '2'], ['3'], ['big'], ['4']]);
    expect(s.groups.map((g) => g.bytes)).toEqual([100, 1, 500, 10]);
  });

  it('keeps each partition bound apart, and returns the group a record went to', () => {
    const s = new AppendSplitter();
    const first = s.add('t', 0, rec('x'), 80, 100);
    s.add('t', 1, rec('y'), 80, 100);
    const second = s.add('t', 0, rec('z'), 80, 100);
    expect(second).not.toBe(first);
    expect(second.records.at(-1)!.value!.toString()).toBe('z');
    expect(s.groups.map((g) => [g.partition, values(g.records)])).toEqual([[0, ['x']], [1, ['y']], [0, ['z']]]);
  });
});
