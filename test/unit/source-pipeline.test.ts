/**
 * The stages a source record goes through before the log — transformations, then key, value and
 * header converters — and how a failure in each is named (what the runner and the DLQ replay report).
 */
import { describe, expect, it } from 'vitest';
import { SimpleHeaderConverter } from '../../src/runtime/converters/simple-header-converter.js';
import { StringConverter } from '../../src/runtime/converters/string-converter.js';
import { failureContext, rootError } from '../../src/runtime/errors/failure.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { SourcePipeline } from '../../src/runtime/source-pipeline.js';
import { TransformChain, TransformationError, type TaskConverters } from '../../src/runtime/task-plugins.js';
import { ConfigDef, DataError, Schemas, sourceRecord, type PredicatePlugin, type Schema, type SourceRecord, type TransformationPlugin } from '../../src/sdk/index.js';

/** Routes value 'x' to topic 'routed', partition 2; drops 'drop'; refuses 'boom'. */
const routePlugin: TransformationPlugin = {
  type: 'transformation', className: 'test.Route', aliases: [], version: '1',
  create: () => ({
    configure() {},
    config: () => new ConfigDef(),
    apply(r) {
      if (r.value === 'boom') throw new DataError('boom refused');
      if (r.value === 'drop') return null;
      return r.value === 'x' ? { ...r, topic: 'routed', kafkaPartition: 2 } : r;
    },
    close() {},
  }),
};

/** A predicate that throws on value 'odd': the failure is its transformation step's. */
const oddPredicate: PredicatePlugin = {
  type: 'predicate', className: 'test.Odd', aliases: [], version: '1',
  create: () => ({
    configure() {},
    config: () => new ConfigDef(),
    test(r) {
      if (r.value === 'odd') throw new Error('odd predicate');
      return true;
    },
    close() {},
  }),
};

const registry = new PluginRegistry([routePlugin, oddPredicate]);
const chain = TransformChain.build<SourceRecord>(registry, {
  transforms: 'route', 'transforms.route.type': 'test.Route', 'transforms.route.predicate': 'odd',
  predicates: 'odd', 'predicates.odd.type': 'test.Odd',
});

function converters(): TaskConverters {
  const key = new StringConverter();
  key.configure({}, true);
  const value = new StringConverter();
  value.configure({}, false);
  const fromConnectData = value.fromConnectData.bind(value);
  value.fromConnectData = (topic: string, schema: Schema | null, v: unknown) => {
    if (v === 'unwritable') throw new DataError('cannot write value');
    return fromConnectData(topic, schema, v);
  };
  const header = new SimpleHeaderConverter();
  header.configure({});
  const fromConnectHeader = header.fromConnectHeader.bind(header);
  header.fromConnectHeader = (topic, key, schema, v) => {
    if (key === 'bad') throw new DataError('cannot write header');
    return fromConnectHeader(topic, key, schema, v);
  };
  return { key, value, header, classNames: { key: 'K', value: 'V', header: 'H' } };
}

const pipeline = new SourcePipeline(converters(), chain, 'test.Connector');
const rec = (value: string, headers: SourceRecord['headers'] = []): SourceRecord =>
  sourceRecord({ topic: 't', keySchema: Schemas.OPTIONAL_STRING, key: 'k', valueSchema: Schemas.OPTIONAL_STRING, value, timestamp: 5, headers });

function failureOf(r: SourceRecord): ReturnType<SourcePipeline['failure']> {
  try {
    pipeline.convert(r);
  } catch (err) {
    return pipeline.failure(err);
  }
  throw new Error('expected a failure');
}

describe('SourcePipeline', () => {
  it('transforms then converts, telling where the record goes', () => {
    const out = pipeline.convert(rec('x', [{ key: 'h', schema: Schemas.STRING, value: 'hv' }]))!;
    expect([out.key!.toString(), out.value!.toString(), out.timestamp, out.headers!.map((x) => [x.key, x.value!.toString()])]).toEqual(['k', 'x', 5, [['h', 'hv']]]);
    expect([pipeline.topic, pipeline.kafkaPartition]).toEqual(['routed', 2]);
    const plain = pipeline.convert(rec('y'))!;
    expect([plain.headers, pipeline.topic, pipeline.kafkaPartition]).toEqual([undefined, 't', null]);
    expect(pipeline.convert(rec('drop'))).toBeNull();
  });

  it('names the stage and class of a failure, and the error the class threw', () => {
    const t = failureOf(rec('boom'));
    expect([t.stage, t.className, t.error instanceof TransformationError, (rootError(t.error) as Error).message]).toEqual(['TRANSFORMATION', 'test.Route', true, 'boom refused']);
    const v = failureOf(rec('unwritable'));
    expect([v.stage, v.className]).toEqual(['VALUE_CONVERTER', 'V']);
    const hdr = failureOf(rec('y', [{ key: 'bad', schema: Schemas.STRING, value: 'v' }]));
    expect([hdr.stage, hdr.className]).toEqual(['HEADER_CONVERTER', 'H']);
    // A predicate's failure is the step's it guards, as in Kafka Connect's TransformationStage.
    const p = failureOf(rec('odd'));
    expect([p.stage, p.className, (rootError(p.error) as Error).message]).toEqual(['TRANSFORMATION', 'test.Route', 'odd predicate']);
  });

  it("builds the dead letter context from a failure: the transformation's own error, the origin given", () => {
    const ctx = failureContext(failureOf(rec('boom')), { topic: null, partition: null, offset: null, connector: 'c', task: 3 });
    expect(ctx).toMatchObject({ topic: null, connector: 'c', task: 3, stage: 'TRANSFORMATION', className: 'test.Route', exceptionClass: 'org.apache.kafka.connect.errors.DataException', message: 'boom refused' });
    expect(ctx.stacktrace).toContain('boom refused');
  });
});
