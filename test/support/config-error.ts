/** The ConfigError `fn` throws (the test fails when it throws something else, or nothing). */
import { expect } from 'vitest';
import { ConfigError } from '../../src/sdk/index.js';

export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
