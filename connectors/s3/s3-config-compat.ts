/**
 * The Confluent S3 sink keys Tributary does not implement, each with what we do with it and why,
 * and the small validator helpers the S3 sink's config declaration shares.
 */
import { atLeast, ConfigError, Password, type ConfigKeyDef, type ConfigType, type Validator } from '../../src/sdk/index.js';

export function fail(name: string, value: unknown, why: string): never {
  throw new ConfigError(`Invalid value ${String(value)} for configuration ${name}: ${why}`, { key: name });
}

export function validator(description: string, check: (name: string, value: unknown) => void): Validator {
  return Object.assign(check, { description });
}

export function lowerOneOf(values: readonly string[]): Validator {
  return validator(`[${values.join(', ')}]`, (name, v) => {
    if (!values.includes(String(v).trim().toLowerCase())) fail(name, v, `Value must be one of: ${values.join(', ')}`);
  });
}

/**
 * A Confluent key Tributary's S3 sink does not implement. `default-only`: accepted at Confluent's
 * default (or another value in `accepted`, all changing nothing), refused otherwise, naming the key;
 * `ignored`: any value Confluent accepts is accepted and changes nothing, for `reason`.
 */
export interface UnimplementedKey {
  readonly name: string;
  readonly handling: 'default-only' | 'ignored';
  /** Values accepted with `default-only` (compared trimmed, ignoring case); empty: any set value is refused. */
  readonly accepted: readonly string[];
  readonly reason: string;
  /** The declaration (Confluent's type and default), so `validate` reports and masks it. */
  readonly key: ConfigKeyDef;
}

function unimplemented(name: string, type: ConfigType, def: string | number | boolean | null, handling: UnimplementedKey['handling'], reason: string, extra: { accepted?: readonly string[]; check?: Validator } = {}): UnimplementedKey {
  const accepted = extra.accepted ?? (def === null ? [] : [String(def)]);
  const refuse = validator(handling === 'ignored' ? 'any value (ignored)' : accepted.length ? `only ${accepted.join(' or ')}` : 'not supported', (n, v) => {
    const s = (v instanceof Password ? v.value : String(v)).trim();
    if (handling === 'ignored') return extra.check?.(n, v);
    if (accepted.some((a) => a.toLowerCase() === s.toLowerCase()) || (def === null && s === '')) return;
    fail(n, v instanceof Password ? Password.HIDDEN : s, `${n} is not supported by Tributary's S3 sink (${reason}); ${accepted.length ? `remove it or set it to ${accepted[0] === '' ? 'an empty string' : accepted[0]}` : 'remove it'}`);
  });
  const documentation = `Confluent key not implemented by Tributary: ${reason}. ${handling === 'ignored' ? 'Accepted and ignored.' : accepted.length ? `Only ${accepted.map((a) => (a === '' ? '""' : a)).join(' or ')} is accepted.` : 'Any value is refused.'}`;
  return Object.freeze({ name, handling, accepted, reason, key: { name, type, default: def, importance: 'LOW' as const, group: 'Not implemented', documentation, validator: refuse } });
}

const AVRO_ONLY = 'it configures Avro data conversion, and AvroFormat is not supported yet';

/** The Confluent S3 sink keys we do not implement, with what we do with each and why. */
export const UNIMPLEMENTED_KEYS: readonly UnimplementedKey[] = Object.freeze([
  unimplemented('schema.compatibility', 'STRING', 'NONE', 'default-only', 'records are written with their own schema; projecting them to a compatible schema (BACKWARD, FORWARD, FULL) is not implemented'),
  unimplemented('storage.class', 'CLASS', null, 'default-only', 'the storage is always S3', { accepted: ['io.confluent.connect.s3.storage.S3Storage'] }),
  unimplemented('s3.credentials.provider.class', 'CLASS', null, 'default-only', "Java credential providers cannot be loaded; without aws.access.key.id the AWS SDK for JavaScript's default chain is used", { accepted: ['software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider', 'com.amazonaws.auth.DefaultAWSCredentialsProviderChain'] }),
  unimplemented('s3.retry.backoff.ms', 'LONG', 200, 'ignored', "the AWS SDK for JavaScript's standard retry mode keeps its own jittered backoff; s3.part.retries sets the attempts, retry.backoff.ms the wait before a batch is redelivered"),
  unimplemented('s3.ssea.name', 'STRING', '', 'default-only', 'server-side encryption headers are not sent, and objects must not silently go unencrypted (the bucket default encryption still applies)'),
  unimplemented('s3.sse.customer.key', 'PASSWORD', null, 'default-only', 'SSE-C encryption is not implemented'),
  unimplemented('s3.sse.kms.key.id', 'STRING', '', 'default-only', 'SSE-KMS encryption is not implemented'),
  unimplemented('s3.acl.canned', 'STRING', null, 'default-only', 'canned ACLs are not sent'),
  unimplemented('s3.object.tagging', 'BOOLEAN', false, 'default-only', 'objects are not tagged'),
  unimplemented('s3.object.tagging.key.value.pairs', 'LIST', '', 'default-only', 'objects are not tagged'),
  unimplemented('s3.wan.mode', 'BOOLEAN', false, 'default-only', 'the S3 accelerated endpoint is not supported'),
  unimplemented('s3.proxy.url', 'STRING', '', 'default-only', 'HTTP proxies are not supported'),
  unimplemented('s3.proxy.user', 'STRING', null, 'default-only', 'HTTP proxies are not supported'),
  unimplemented('s3.proxy.password', 'PASSWORD', null, 'default-only', 'HTTP proxies are not supported'),
  unimplemented('s3.schema.partition.affix.type', 'STRING', 'NONE', 'default-only', 'schema names are not added to the path'),
  unimplemented('avro.codec', 'STRING', 'null', 'ignored', 'only AvroFormat reads it, and AvroFormat is not supported yet', { check: lowerOneOf(['null', 'deflate', 'snappy', 'bzip2']) }),
  unimplemented('enhanced.avro.schema.support', 'BOOLEAN', true, 'ignored', AVRO_ONLY),
  unimplemented('connect.meta.data', 'BOOLEAN', true, 'ignored', AVRO_ONLY),
  unimplemented('allow.optional.map.keys', 'BOOLEAN', false, 'ignored', AVRO_ONLY),
  unimplemented('schemas.cache.config', 'INT', 1000, 'ignored', 'converter schema caches are sized by the runtime'),
  unimplemented('s3.object.behavior.on.tagging.error', 'STRING', 'ignore', 'ignored', 'it only matters with s3.object.tagging, which is not supported', { check: lowerOneOf(['ignore', 'fail']) }),
  unimplemented('enable.conditional.writes', 'BOOLEAN', true, 'ignored', 'exactly-once does not rest on conditional writes here: files are cut at the same records on a replay (cut journal) and overwritten with the same rows'),
  unimplemented('max.write.duration.ms', 'STRING', '9223372036854775807', 'ignored', 'put() handles the batch the runtime gives it; the runtime bounds the time between polls', { check: validator('ms', (n, v) => { if (!/^\d+$/.test(String(v).trim())) fail(n, v, 'Not a number of type LONG'); }) }),
  unimplemented('rotate.file.on.partition.change', 'BOOLEAN', true, 'ignored', 'files are kept open per encoded partition and rotated by flush.size, flush.size.bytes, rotate.interval.ms, the schedule and the memory budget'),
  unimplemented('partitioner.max.open.files', 'INT', -1, 'ignored', 'open files are bounded by memory.budget.bytes'),
  unimplemented('max.files.scan.limit', 'INT', 100, 'ignored', "it bounds Confluent's probing for files after a conditional-write conflict"),
  unimplemented('s3.elastic.buffer.enable', 'BOOLEAN', false, 'ignored', 'part buffers grow as data arrives and are bounded by memory.budget.bytes'),
  unimplemented('s3.elastic.buffer.init.capacity', 'INT', 131072, 'ignored', 'part buffers grow as data arrives and are bounded by memory.budget.bytes', { check: atLeast(4096) }),
  unimplemented('s3.http.send.expect.continue', 'BOOLEAN', true, 'ignored', 'the AWS SDK for JavaScript decides when to send Expect: 100-continue'),
  unimplemented('s3.send.digest', 'BOOLEAN', false, 'ignored', 'the AWS SDK for JavaScript sends its own checksums'),
  unimplemented('report.null.values.to.dlq', 'BOOLEAN', true, 'ignored', "the runtime's errors.tolerance and dead letter queue settings apply"),
  unimplemented('shutdown.timeout.ms', 'LONG', 3000, 'ignored', 'it bounds Hive metastore updates, which the S3 sink does not make'),
]);

