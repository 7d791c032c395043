/**
 * Kafka Connect's predicates (`org.apache.kafka.connect.transforms.predicates.*`), which gate a
 * transformation through its `predicate` / `negate` settings (the runtime's chain applies `negate`):
 *
 * - `TopicNameMatches`: the topic fully matches `pattern`, a Java regular expression.
 * - `HasHeaderKey`: the record has at least one header called `name`.
 * - `RecordIsTombstone`: the value is null.
 */
import { ConfigDef, ConfigError, type ConnectRecord, type Predicate } from '../../src/sdk/index.js';
import { compileJavaPattern } from '../support/java-pattern.js';
import { nonEmptyString } from '../support/struct-values.js';

const PATTERN = 'pattern';
const NAME = 'name';

function regexError(value: unknown, err: unknown): ConfigError {
  return new ConfigError(`Invalid value ${String(value)} for configuration ${PATTERN}: Invalid regex: ${(err as Error).message}`, { key: PATTERN });
}

const nonEmpty = nonEmptyString();

/** Kafka's `CompositeValidator.of(NonEmptyString, RegexValidator)`. */
const patternValidator = Object.assign(
  (name: string, v: unknown) => {
    nonEmpty(name, v);
    try {
      compileJavaPattern(String(v));
    } catch (err) {
      throw regexError(v, err);
    }
  },
  { description: 'non-empty string, valid regex' },
);

const TOPIC_NAME_MATCHES_DEF = new ConfigDef().define({
  name: PATTERN,
  type: 'STRING',
  validator: patternValidator,
  importance: 'MEDIUM',
  documentation: "A Java regular expression for matching against the name of a record's topic.",
});

export class TopicNameMatches implements Predicate {
  private pattern: RegExp = /$^/;

  config(): ConfigDef {
    return TOPIC_NAME_MATCHES_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const value = TOPIC_NAME_MATCHES_DEF.parse(props).getString(PATTERN)!;
    this.pattern = compileJavaPattern(value).whole;
  }

  test(record: ConnectRecord): boolean {
    return typeof record.topic === 'string' && this.pattern.test(record.topic);
  }

  close(): void {}
}

const HAS_HEADER_KEY_DEF = new ConfigDef().define({ name: NAME, type: 'STRING', validator: nonEmpty, importance: 'MEDIUM', documentation: 'The header name.' });

export class HasHeaderKey implements Predicate {
  private name = '';

  config(): ConfigDef {
    return HAS_HEADER_KEY_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.name = HAS_HEADER_KEY_DEF.parse(props).getString(NAME)!;
  }

  test(record: ConnectRecord): boolean {
    const headers = record.headers;
    if (!headers) return false;
    for (let i = 0; i < headers.length; i++) if (headers[i]!.key === this.name) return true;
    return false;
  }

  close(): void {}
}

const RECORD_IS_TOMBSTONE_DEF = new ConfigDef();

export class RecordIsTombstone implements Predicate {
  config(): ConfigDef {
    return RECORD_IS_TOMBSTONE_DEF;
  }

  configure(): void {}

  test(record: ConnectRecord): boolean {
    return record.value === null || record.value === undefined;
  }

  close(): void {}
}
