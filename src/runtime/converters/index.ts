/** The built-in converters, under Kafka Connect's class names and short aliases. */
import type { ConverterPlugin, HeaderConverterPlugin } from '../../sdk/index.js';
import { ByteArrayConverter } from './byte-array-converter.js';
import { JsonConverter } from './json-converter.js';
import { SimpleHeaderConverter } from './simple-header-converter.js';
import { StringConverter } from './string-converter.js';

export { ByteArrayConverter } from './byte-array-converter.js';
export { JsonConverter, ENVELOPE_REQUIRED_MESSAGE } from './json-converter.js';
export { SimpleHeaderConverter } from './simple-header-converter.js';
export { StringConverter } from './string-converter.js';

const VERSION = '1.0.0';

export const builtinConverterPlugins: readonly (ConverterPlugin | HeaderConverterPlugin)[] = Object.freeze([
  {
    type: 'converter',
    className: 'org.apache.kafka.connect.json.JsonConverter',
    aliases: ['JsonConverter'],
    version: VERSION,
    create: () => new JsonConverter(),
  },
  {
    type: 'converter',
    className: 'org.apache.kafka.connect.storage.StringConverter',
    aliases: ['StringConverter'],
    version: VERSION,
    create: () => new StringConverter(),
  },
  {
    type: 'converter',
    className: 'org.apache.kafka.connect.converters.ByteArrayConverter',
    aliases: ['ByteArrayConverter'],
    version: VERSION,
    create: () => new ByteArrayConverter(),
  },
  {
    type: 'header_converter',
    className: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    aliases: ['SimpleHeaderConverter'],
    version: VERSION,
    create: () => new SimpleHeaderConverter(),
  },
] satisfies (ConverterPlugin | HeaderConverterPlugin)[]);
