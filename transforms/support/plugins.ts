/**
 * Plugin descriptors for the built-in transformations: a `$Key`/`$Value` pair registered under
 * Kafka Connect's class names (`org.apache.kafka.connect.transforms.InsertField$Value`) and the
 * short names `InsertField$Value`; single ones under their class name and simple name.
 */
import type { PredicatePlugin, Transformation, TransformationPlugin } from '../../src/sdk/index.js';
import { KEY, VALUE, type RecordPart } from './record-part.js';

const KAFKA_PACKAGE = 'org.apache.kafka.connect.transforms';
export const TRANSFORMS_VERSION = '1.0.0';

function simpleName(className: string): string {
  return className.slice(className.lastIndexOf('.') + 1);
}

/** `<package>.<name>$Key` and `$Value`, each made by `create(part)`. */
export function keyValuePlugins(name: string, create: (part: RecordPart) => Transformation, pkg = KAFKA_PACKAGE): TransformationPlugin[] {
  return ([['Key', KEY], ['Value', VALUE]] as const).map(([suffix, part]) => ({
    type: 'transformation' as const,
    className: `${pkg}.${name}$${suffix}`,
    aliases: [`${name}$${suffix}`],
    version: TRANSFORMS_VERSION,
    create: () => create(part),
  }));
}

/** A transformation without key/value variants, e.g. `org.apache.kafka.connect.transforms.RegexRouter`. */
export function singlePlugin(className: string, create: () => Transformation): TransformationPlugin {
  return { type: 'transformation', className, aliases: [simpleName(className)], version: TRANSFORMS_VERSION, create };
}

export function predicatePlugin(className: string, create: PredicatePlugin['create']): PredicatePlugin {
  return { type: 'predicate', className, aliases: [simpleName(className)], version: TRANSFORMS_VERSION, create };
}

export const kafkaClass = (name: string): string => `${KAFKA_PACKAGE}.${name}`;
