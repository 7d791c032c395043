/** Whole-connector validation: common keys, the connector's own check, converters. */
import { describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../src/runtime/builtin-plugins.js';
import { validateConnector } from '../../src/runtime/connector-config.js';
import { PluginRegistry } from '../../src/runtime/plugins.js';
import { ConfigDef, type ConnectorPlugin, type SourceConnector } from '../../src/sdk/index.js';

const throwing: ConnectorPlugin = {
  type: 'source',
  className: 'test.ThrowingValidateSource',
  aliases: [],
  version: 't',
  create: (): SourceConnector => ({
    type: 'source',
    version: () => 't',
    config: () => new ConfigDef(),
    validate: async () => {
      throw new Error('database unreachable');
    },
    start() {},
    taskConfigs: () => [],
    stop() {},
    createTask: () => {
      throw new Error('not used');
    },
  }),
};
const registry = new PluginRegistry([...builtinPlugins, throwing]);

describe('validateConnector', () => {
  it('reports a validate() that throws as an error, even for a connector without settings of its own', async () => {
    const { infos } = await validateConnector(registry, { name: 'x', 'connector.class': 'test.ThrowingValidateSource' });
    expect(infos.error_count).toBe(1);
    expect(infos.configs.find((c) => c.value.name === 'connector.class')!.value.errors).toEqual(["The connector's validation failed: database unreachable"]);
  });

  it('accepts a converter that also converts headers as header.converter, and names an unknown one', async () => {
    const base = { name: 'x', 'connector.class': 'FileStreamSource', topic: 't', file: '/tmp/x' };
    expect((await validateConnector(registry, { ...base, 'header.converter': 'StringConverter' })).infos.error_count).toBe(0);
    const { infos } = await validateConnector(registry, { ...base, 'header.converter': 'Nope' });
    expect(infos.configs.find((c) => c.value.name === 'header.converter')!.value.errors).toEqual(['Invalid value Nope for configuration header.converter: Class Nope could not be found.']);
  });
});
