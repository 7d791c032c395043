import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../src/errors/codes.js';
import { LoggerRegistry, parseLogLevel } from '../../src/runtime/logging.js';
import { ManualClock } from '../../src/util/clock.js';

function registry(level?: string) {
  const lines: Record<string, unknown>[] = [];
  const clock = new ManualClock(1_700_000_000_000);
  const loggers = new LoggerRegistry({ clock, destination: { write: (s: string) => void lines.push(JSON.parse(s)) }, ...(level ? { level } : {}) });
  return { loggers, lines, clock };
}

describe('parseLogLevel', () => {
  it('accepts the log4j levels in any case and nothing else', () => {
    expect(['trace', 'Debug', 'INFO', 'warn', 'error', 'fatal', 'off'].map(parseLogLevel)).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'OFF']);
    expect(parseLogLevel('LOUD')).toBeUndefined();
    expect(parseLogLevel('silent')).toBeUndefined();
    expect(parseLogLevel('constructor')).toBeUndefined();
  });
});

describe('LoggerRegistry', () => {
  it('starts with root at INFO (or the configured level), never modified', () => {
    expect(registry().loggers.levels()).toEqual({ root: { level: 'INFO', last_modified: null } });
    expect(registry('warn').loggers.level('ROOT')).toEqual({ level: 'WARN', last_modified: null });
    expect(() => registry('loud')).toThrow(/Invalid log level/);
  });

  it('hands out one named child per name, inheriting the root level, writing its name and the clock time', () => {
    const { loggers, lines, clock } = registry();
    const log = loggers.logger('tributary.runtime.worker');
    expect(loggers.logger('tributary.runtime.worker')).toBe(log);
    expect(loggers.logger('root')).toBe(loggers.root);
    log.info('hello');
    log.debug('hidden');
    expect(lines).toEqual([{ level: 30, time: clock.now(), name: 'tributary.runtime.worker', msg: 'hello' }]);
    expect(loggers.levels()).toEqual({
      root: { level: 'INFO', last_modified: null },
      'tributary.runtime.worker': { level: 'INFO', last_modified: null },
    });
  });

  it('sets a namespace and its descendants only, returning the sorted names, stamped by the clock', () => {
    const { loggers, lines, clock } = registry();
    const worker = loggers.logger('tributary.runtime.worker');
    const herder = loggers.logger('tributary.runtime.herder');
    const sibling = loggers.logger('tributary.runtimeish');
    loggers.logger('tributary.rest');
    clock.set(1_700_000_500_000);
    expect(loggers.setLevel('tributary.runtime', 'debug')).toEqual(['tributary.runtime', 'tributary.runtime.herder', 'tributary.runtime.worker']);
    worker.debug('shown');
    herder.debug('shown too');
    sibling.debug('hidden');
    expect(lines.map((l) => l['msg'])).toEqual(['shown', 'shown too']);
    expect(loggers.level('tributary.runtime.worker')).toEqual({ level: 'DEBUG', last_modified: 1_700_000_500_000 });
    expect(loggers.level('tributary.runtimeish')).toEqual({ level: 'INFO', last_modified: null });
    expect(loggers.level('tributary.rest')?.level).toBe('INFO');
    expect(loggers.level('root')?.level).toBe('INFO');
  });

  it('creates an absent namespace, and loggers created later take the nearest ancestor level', () => {
    const { loggers, lines } = registry();
    expect(loggers.level('tributary.connector')).toBeUndefined();
    expect(loggers.setLevel('tributary.connector', 'TRACE')).toEqual(['tributary.connector']);
    loggers.setLevel('tributary.connector.quiet', 'ERROR');
    expect(loggers.level('tributary.connector')).toMatchObject({ level: 'TRACE' });
    const fs = loggers.logger('tributary.connector.fs');
    expect(loggers.level('tributary.connector.fs')).toEqual({ level: 'TRACE', last_modified: null });
    expect(loggers.logger('tributary.connector.quiet.task-0').level).toBe('error');
    expect(loggers.logger('elsewhere').level).toBe('info');
    fs.trace('traced');
    expect(lines.map((l) => l['msg'])).toEqual(['traced']);
  });

  it('root sets every logger; OFF silences', () => {
    const { loggers, lines } = registry();
    const a = loggers.logger('a');
    loggers.logger('a.b');
    expect(loggers.setLevel('Root', 'off')).toEqual(['a', 'a.b', 'root']);
    a.fatal('nothing');
    loggers.root.error('nothing either');
    expect(lines).toEqual([]);
    expect(Object.values(loggers.levels()).map((l) => l.level)).toEqual(['OFF', 'OFF', 'OFF']);
    expect(loggers.logger('new.one').level).toBe('silent');
  });

  it('rejects an unknown level and an empty name without changing anything', () => {
    const { loggers } = registry();
    loggers.logger('a');
    let caught: unknown;
    try {
      loggers.setLevel('a', 'LOUD');
    } catch (err) {
      caught = err;
    }
    expect(isTributaryError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect(loggers.level('a')).toEqual({ level: 'INFO', last_modified: null });
    expect(() => loggers.logger('')).toThrow(/must not be empty/);
  });
});
