/** Debezium's transformations (`io.debezium.transforms.*`), for the plugin registry. */
import type { TransformationPlugin } from '../../src/sdk/index.js';
import { singlePlugin } from '../support/plugins.js';
import { ExtractNewRecordState } from './extract-new-record-state.js';
import { BY_LOGICAL_TABLE, LogicalTopicRouter, TO_LOGICAL_TOPIC } from './logical-topic-router.js';

const DEBEZIUM_PACKAGE = 'io.debezium.transforms';

export const debeziumTransformPlugins: readonly TransformationPlugin[] = [
  singlePlugin(`${DEBEZIUM_PACKAGE}.ExtractNewRecordState`, () => new ExtractNewRecordState()),
  singlePlugin(`${DEBEZIUM_PACKAGE}.ByLogicalTableRouter`, () => new LogicalTopicRouter(BY_LOGICAL_TABLE)),
  singlePlugin(`${DEBEZIUM_PACKAGE}.ToLogicalTopicRouter`, () => new LogicalTopicRouter(TO_LOGICAL_TOPIC)),
];
