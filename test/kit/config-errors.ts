/**
 * The config-errors case, shared by the source and sink kits: an invalid connector config is refused
 * with CONFIG_INVALID (HTTP 400) listing every error, `validate()` reports the same errors on the
 * keys at fault, nothing is created, and a running connector keeps its config when an update is bad.
 */
import { expect } from 'vitest';
import { isTributaryError } from '../../src/errors/codes.js';
import type { ConfigInfos, ConnectorConfig } from '../../src/runtime/herder/herder.js';
import { waitForState } from './checks.js';
import type { RunningWorker } from './worker-harness.js';

export interface ConfigErrorCase {
  /** A valid config (with `connector.class`). */
  readonly valid: ConnectorConfig;
  /** Keys required besides those the connector declares required (a sink's `topics`). */
  readonly alsoRequired?: readonly string[];
  /** Invalid values, key → value: each key must be reported in error. */
  readonly invalidValues: Readonly<Record<string, string>>;
}

/** Common keys the kit always breaks too: they are the runtime's, not the connector's. */
const COMMON_INVALID: Readonly<Record<string, string>> = { 'tasks.max': '0', 'errors.tolerance': 'sometimes' };

function errorsOf(infos: ConfigInfos): Map<string, readonly string[]> {
  return new Map(infos.configs.map((c) => [c.value.name, c.value.errors]));
}

/** Asserts `config` is refused as a whole, reporting an error on each of `badKeys`. */
async function expectRefused(worker: RunningWorker, name: string, config: ConnectorConfig, badKeys: readonly string[], allowReplace: boolean): Promise<void> {
  const infos = await worker.herder.validateConnectorConfig({ ...config, name });
  const errors = errorsOf(infos);
  for (const key of badKeys) expect(errors.get(key) ?? [], `validate() reports an error on ${key}`).not.toEqual([]);
  const all = infos.configs.flatMap((c) => c.value.errors);
  expect(infos.error_count).toBe(all.length);
  let refused: unknown;
  try {
    await worker.herder.putConnectorConfig(name, config, { allowReplace });
  } catch (err) {
    refused = err;
  }
  expect(isTributaryError(refused, 'CONFIG_INVALID'), `PUT of an invalid config is refused with CONFIG_INVALID, got ${String(refused)}`).toBe(true);
  const err = refused as { status: number; message: string };
  expect(err.status).toBe(400);
  expect(err.message).toContain(`contains the following ${all.length} error(s)`);
  for (const e of all) expect(err.message, 'the 400 message lists every error validate() reports').toContain(e);
}

export async function checkConfigErrors(worker: RunningWorker, name: string, spec: ConfigErrorCase): Promise<void> {
  const { herder } = worker;
  const cls = spec.valid['connector.class']!;
  expect((await herder.validateConnectorConfig({ ...spec.valid, name })).error_count, 'the valid config validates').toBe(0);

  // Every required key missing at once: each is reported, in one answer.
  const required = [...(await herder.pluginConfig(cls)).filter((k) => k.required).map((k) => k.name), ...(spec.alsoRequired ?? [])];
  const withoutRequired: ConnectorConfig = { ...spec.valid, ...COMMON_INVALID };
  for (const k of required) delete withoutRequired[k];
  await expectRefused(worker, name, withoutRequired, [...required, ...Object.keys(COMMON_INVALID)], false);

  // Every invalid value at once.
  const invalid: ConnectorConfig = { ...spec.valid, ...spec.invalidValues, ...COMMON_INVALID };
  const invalidKeys = [...Object.keys(spec.invalidValues), ...Object.keys(COMMON_INVALID)];
  await expectRefused(worker, name, invalid, invalidKeys, false);
  expect(await herder.connectors(), 'a refused config creates nothing').not.toContain(name);

  // A bad update leaves the running connector as it was.
  await herder.putConnectorConfig(name, spec.valid, { allowReplace: false });
  await waitForState(worker, name, 'RUNNING');
  const before = await herder.connectorConfig(name);
  await expectRefused(worker, name, invalid, invalidKeys, true);
  expect(await herder.connectorConfig(name), 'a refused update keeps the stored config').toEqual(before);
  const status = await herder.connectorStatus(name);
  expect(status.connector.state).toBe('RUNNING');
  expect(status.tasks.every((t) => t.state === 'RUNNING')).toBe(true);
}
