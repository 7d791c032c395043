/** Kafka Connect's type, routing and header transformations, for the plugin registry. */
import type { TransformationPlugin } from '../../src/sdk/index.js';
import { keyValuePlugins, kafkaClass, singlePlugin } from '../support/plugins.js';
import { Cast } from './cast.js';
import { DropHeaders } from './drop-headers.js';
import { Flatten } from './flatten.js';
import { HeaderFrom } from './header-from.js';
import { InsertHeader } from './insert-header.js';
import { RegexRouter } from './regex-router.js';
import { TimestampConverter } from './timestamp-converter.js';
import { TimestampRouter } from './timestamp-router.js';

export const routingTransformPlugins: readonly TransformationPlugin[] = Object.freeze([
  ...keyValuePlugins('Cast', (part) => new Cast(part)),
  ...keyValuePlugins('TimestampConverter', (part) => new TimestampConverter(part)),
  ...keyValuePlugins('Flatten', (part) => new Flatten(part)),
  ...keyValuePlugins('HeaderFrom', (part) => new HeaderFrom(part)),
  singlePlugin(kafkaClass('RegexRouter'), () => new RegexRouter()),
  singlePlugin(kafkaClass('TimestampRouter'), () => new TimestampRouter()),
  singlePlugin(kafkaClass('InsertHeader'), () => new InsertHeader()),
  singlePlugin(kafkaClass('DropHeaders'), () => new DropHeaders()),
]);
