/**
 * The settings of the FileStream source and sink, declared once each (Kafka's
 * `FileStreamSourceConnector.CONFIG_DEF` / `FileStreamSinkConnector.CONFIG_DEF`), and their typed,
 * parsed form shared by the connectors and their tasks.
 */
import { atLeast, ConfigDef, ConfigError, type Validator } from '../../src/sdk/index.js';

/** The version both file connectors report. */
export const FILE_CONNECTOR_VERSION = '0.1.0';

export const FILE_CONFIG = 'file';
export const TOPIC_CONFIG = 'topic';
export const BATCH_SIZE_CONFIG = 'batch.size';
export const DEFAULT_BATCH_SIZE = 2000;

/** Key of the source partition (`{"filename": <file as configured>}`), as in Kafka. */
export const FILENAME_FIELD = 'filename';
/** Key of the byte position in the source offset, as in Kafka (which counts characters instead). */
export const POSITION_FIELD = 'position';
/** Key of the file's inode (a decimal string) in the source offset: ours, absent in offsets Kafka wrote. */
export const INODE_FIELD = 'inode';

/** Parsed source settings. `file` null means standard input (no offsets are tracked). */
export interface FileSourceSettings {
  readonly file: string | null;
  readonly topic: string;
  readonly batchSize: number;
}

/** Parsed sink settings. `file` null means standard output. */
export interface FileSinkSettings {
  readonly file: string | null;
}

/** A non-empty topic name that is not a comma-separated list (Kafka refuses a list here too). */
function singleTopic(): Validator {
  const check = (name: string, value: unknown): void => {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ConfigError(`Invalid value ${String(value)} for configuration ${name}: String may not be empty`, { key: name });
    }
    if (value.includes(',')) {
      throw new ConfigError(`Invalid value ${value} for configuration ${name}: '${name}' must be a single topic, not a list`, { key: name });
    }
  };
  return Object.assign(check, { description: 'a single topic name' });
}

/** A fresh declaration of the source's settings. */
export function fileSourceConfigDef(): ConfigDef {
  return new ConfigDef()
    .define({
      name: FILE_CONFIG,
      type: 'STRING',
      default: null,
      importance: 'HIGH',
      documentation: 'Source filename. If not specified (or empty), standard input is read and no offsets are tracked.',
    })
    .define({
      name: TOPIC_CONFIG,
      type: 'STRING',
      importance: 'HIGH',
      documentation: 'The topic to publish data to (a single topic).',
      validator: singleTopic(),
    })
    .define({
      name: BATCH_SIZE_CONFIG,
      type: 'INT',
      default: DEFAULT_BATCH_SIZE,
      importance: 'LOW',
      documentation: 'The maximum number of records the source task returns from one poll.',
      validator: atLeast(1),
    });
}

/** A fresh declaration of the sink's settings (the runtime handles `topics` / `topics.regex`). */
export function fileSinkConfigDef(): ConfigDef {
  return new ConfigDef().define({
    name: FILE_CONFIG,
    type: 'STRING',
    default: null,
    importance: 'HIGH',
    documentation: 'Destination filename, appended to. If not specified (or empty), standard output is used.',
  });
}

/** Missing, empty and blank all mean "no file"; values are trimmed as Kafka's ConfigDef trims strings. */
function fileOrNull(value: string | null): string | null {
  const v = value?.trim() ?? '';
  return v === '' ? null : v;
}

/** Parses and validates source settings; throws ConfigError listing every problem. */
export function parseFileSourceSettings(props: Readonly<Record<string, string>>): FileSourceSettings {
  const cfg = fileSourceConfigDef().parse(props);
  return Object.freeze({
    file: fileOrNull(cfg.getString(FILE_CONFIG)),
    topic: cfg.getString(TOPIC_CONFIG)!.trim(),
    batchSize: cfg.getInt(BATCH_SIZE_CONFIG),
  });
}

/** Parses and validates sink settings; throws ConfigError listing every problem. */
export function parseFileSinkSettings(props: Readonly<Record<string, string>>): FileSinkSettings {
  const cfg = fileSinkConfigDef().parse(props);
  return Object.freeze({ file: fileOrNull(cfg.getString(FILE_CONFIG)) });
}
