/** The connector SDK: everything a connector, converter or transformation may import. */
export * from './civil-date.js';
export * from './config-def.js';
export type * from './connector.js';
export type * from './converter.js';
export * from './errors.js';
export * from './java-number-text.js';
export type * from './logger.js';
export * from './lru-cache.js';
export type * from './plugin.js';
export * from './records.js';
export * from './schema.js';
export type * from './sink-task.js';
export type * from './source-task.js';
export type * from './transformation.js';
export * from './values-parse.js';
