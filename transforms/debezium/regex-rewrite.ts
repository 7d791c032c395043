/**
 * `Matcher.matches()` then `replaceFirst(replacement)`, as Debezium's routers rewrite a topic name:
 * the Java pattern must match the whole input, the replacement uses Java's syntax (`$1`, `${name}`,
 * backslash escapes). Pattern and replacement are compiled once; what Java would refuse (at
 * configure time, or at the first record for a reference to a missing group) is a ConfigError here.
 */
import { ConfigError } from '../../src/sdk/index.js';
import { compileJavaPattern, expandReplacement, parseJavaReplacement, type ReplacementPart } from '../support/java-pattern.js';

export class RegexRewrite {
  private readonly whole: RegExp;
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
    this.whole = compiled.whole;
  }

  /** The rewritten text when `input` matches entirely, else null. */
  apply(input: string): string | null {
    const m = this.whole.exec(input);
    return m === null ? null : expandReplacement(this.parts, m);
  }
}
