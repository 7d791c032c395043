/**
 * `Matcher.matches()` then `replaceFirst(replacement)`, as Debezium's routers rewrite a topic name:
 * the Java pattern must match the whole input, the replacement uses Java's syntax (`$1`, `${name}`,
 * backslash escapes). Pattern and replacement are compiled once; what Java would refuse (at
 * configure time, or at the first record for a reference to a missing group) is a ConfigError here.
 */
import { ConfigError } from '../../src/sdk/index.js';
import { compileJavaPattern, parseJavaReplacement, replaceFirstIfMatches, type JavaPattern, type ReplacementPart } from '../support/java-pattern.js';

export class RegexRewrite {
  private readonly pattern: JavaPattern;
  private readonly parts: readonly ReplacementPart[];

  constructor(pattern: string, replacement: string, patternKey: string, replacementKey: string) {
    const fail = (key: string, value: string, err: unknown): ConfigError =>
      new ConfigError(`Invalid value ${value} for configuration ${key}: ${(err as Error).message}`, { key });
    let compiled: ReturnType<typeof compileJavaPattern>;
    try {
      compiled = compileJavaPattern(pattern);
    } catch (err) {
      throw fail(patternKey, pattern, err);
    }
    try {
      this.parts = parseJavaReplacement(replacement, compiled);
    } catch (err) {
      throw fail(replacementKey, replacement, err);
    }
    this.pattern = compiled;
  }

  /** The rewritten text when `input` matches entirely, else null (the first match replaced, as Java's replaceFirst). */
  apply(input: string): string | null {
    return replaceFirstIfMatches(this.pattern, this.parts, input);
  }
}
