/** The setting every converter shares (Kafka's `ConverterConfig`): how the converter is used. */
import { type ConfigKeyDef, oneOf } from '../../sdk/index.js';

export type ConverterRole = 'key' | 'value' | 'header';

export const CONVERTER_TYPE_CONFIG = 'converter.type';

export const converterTypeKey: ConfigKeyDef = {
  name: CONVERTER_TYPE_CONFIG,
  type: 'STRING',
  default: null,
  validator: oneOf(['key', 'value', 'header']),
  importance: 'LOW',
  documentation: 'How this converter will be used: key, value or header. Set by the worker from where the converter is configured.',
};

/** An explicit `converter.type` wins; otherwise `isKey` decides, and no `isKey` means a header converter. */
export function converterRole(setting: string | null, isKey: boolean | undefined): ConverterRole {
  if (setting === 'key' || setting === 'value' || setting === 'header') return setting;
  return isKey === undefined ? 'header' : isKey ? 'key' : 'value';
}
