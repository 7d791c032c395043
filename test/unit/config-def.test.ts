/** ConfigDef.parse: the one ConfigError it throws, and the key it names. */
import { describe, expect, it } from 'vitest';
import { ConfigDef, ConfigError, atLeast } from '../../src/sdk/index.js';

const def = new ConfigDef()
  .define({ name: 'file', type: 'STRING', importance: 'HIGH', documentation: 'Path to read' })
  .define({ name: 'batch.size', type: 'INT', default: 2000, importance: 'LOW', documentation: 'Lines per poll', validator: atLeast(1) });

function parseError(props: Record<string, string>): ConfigError {
  try {
    def.parse(props);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('ConfigDef.parse', () => {
  it('names the key when exactly one key fails', () => {
    const missing = parseError({});
    expect(missing.message).toBe('Missing required configuration "file" which has no default value.');
    expect(missing.key).toBe('file');
    const invalid = parseError({ file: '/tmp/in.txt', 'batch.size': '0' });
    expect(invalid.message).toBe('Invalid value 0 for configuration batch.size: Value must be at least 1');
    expect(invalid.key).toBe('batch.size');
  });

  it('lists every problem without a key when two keys fail', () => {
    const err = parseError({ 'batch.size': 'x' });
    expect(err.message).toBe('Missing required configuration "file" which has no default value.\nInvalid value x for configuration batch.size: Not a number of type INT');
    expect(err.key).toBeUndefined();
  });

  it('returns the typed values when nothing fails', () => {
    expect(def.parse({ file: '/tmp/in.txt' }).getInt('batch.size')).toBe(2000);
  });
});
