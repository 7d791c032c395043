/**
 * Kafka Connect's `org.apache.kafka.connect.transforms.RegexRouter`: when `regex` (a Java regular
 * expression) matches the whole topic, the topic becomes the first match replaced by `replacement`
 * (Java's `Matcher.replaceFirst`: `$1`, `${name}`, `\$` for a dollar). Other records pass as they are.
 *
 * The regex is translated to a JavaScript RegExp at configure time (`support/java-pattern.ts` lists
 * what is translated and what is refused); a replacement naming a group the regex lacks is refused
 * then too, where Kafka fails at the first matching record. Results are remembered per topic.
 */
import { ConfigDef, ConfigError, type ConnectRecord, type Transformation } from '../../src/sdk/index.js';
import { compileJavaPattern, replaceFirstIfMatches, JavaPatternError, parseJavaReplacement, type JavaPattern, type ReplacementPart } from '../support/java-pattern.js';

/** Distinct topics remembered before the memo starts over. */
const MEMO_LIMIT = 1024;

const CONFIG_DEF = new ConfigDef()
  .define({
    name: 'regex', type: 'STRING', importance: 'HIGH', documentation: 'Regular expression to use for matching.',
    validator: Object.assign((name: string, v: unknown) => void compileRegex(name, String(v)), { description: 'valid regex' }),
  })
  .define({ name: 'replacement', type: 'STRING', importance: 'HIGH', documentation: 'Replacement string.' });

function compileRegex(key: string, regex: string): JavaPattern {
  try {
    return compileJavaPattern(regex);
  } catch (err) {
    if (!(err instanceof JavaPatternError)) throw err;
    throw new ConfigError(`Invalid value ${regex} for configuration ${key}: Invalid regex: ${err.message}`, { key, cause: err });
  }
}

export class RegexRouter implements Transformation {
  private pattern: JavaPattern | null = null;
  private parts: readonly ReplacementPart[] = [];
  /** Topic → new topic, or null when the regex does not match it. */
  private readonly memo = new Map<string, string | null>();

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = CONFIG_DEF.parse(props);
    const pattern = compileRegex('regex', cfg.getString('regex')!);
    const replacement = cfg.getString('replacement')!;
    try {
      this.parts = parseJavaReplacement(replacement, pattern);
    } catch (err) {
      if (!(err instanceof JavaPatternError)) throw err;
      throw new ConfigError(`Invalid value ${replacement} for configuration replacement: ${err.message}`, { key: 'replacement', cause: err });
    }
    this.pattern = pattern;
    this.memo.clear();
  }

  apply(record: ConnectRecord): ConnectRecord {
    let topic = this.memo.get(record.topic);
    if (topic === undefined) {
      topic = this.route(record.topic);
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(record.topic, topic);
    }
    return topic === null ? record : { ...record, topic };
  }

  close(): void {}

  private route(topic: string): string | null {
    return replaceFirstIfMatches(this.pattern!, this.parts, topic);
  }
}
