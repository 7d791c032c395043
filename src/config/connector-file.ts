/**
 * Connector config files, as Kafka Connect's `ConnectStandalone` reads them: a `.properties` file
 * or a flat JSON map, both holding `name`, or a JSON body of `POST /connectors`
 * (`{"name": …, "config": {…}, "initial_state": …}`).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { TributaryError } from '../errors/codes.js';
import { parseJsonObject, scalarToString } from './json-text.js';
import { parseProperties } from './properties.js';

/** The state a connector starts in (KIP-980), when a `POST /connectors` shaped file gives one. */
export type InitialState = 'RUNNING' | 'PAUSED' | 'STOPPED';

/** A connector file's content. */
export interface ConnectorFile {
  readonly name: string;
  /** The flat config; always holds `name` too, as Kafka Connect's does. */
  readonly config: Readonly<Record<string, string>>;
  /** Only from the `POST /connectors` shape, and only when the file sets it. */
  readonly initialState?: InitialState;
}

const REQUEST_KEYS = new Set(['name', 'config', 'initial_state']);
const INITIAL_STATES: readonly string[] = ['RUNNING', 'PAUSED', 'STOPPED'];
// Kafka's REST layer refuses connector names with ISO control characters.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function fail(file: string, problems: string[]): never {
  const body = problems.length === 1 ? problems[0]! : `${problems.length} problems:\n${problems.map((p) => `- ${p}`).join('\n')}`;
  throw new TributaryError('CONFIG_INVALID', `${file}: invalid connector config file: ${body}`);
}

/** Flattens a JSON object of scalars to strings (Jackson's `Map<String, String>`); lists bad keys. */
function flatConfig(obj: Record<string, unknown>, where: string, problems: string[]): Record<string, string> {
  const map = new Map<string, string>();
  for (const [key, v] of Object.entries(obj)) {
    const s = scalarToString(v);
    if ('error' in s) problems.push(`${where}"${key}" ${s.error}`);
    else map.set(key, s.value);
  }
  return Object.fromEntries(map);
}

function checkName(name: string | undefined, problems: string[]): void {
  if (name === undefined) problems.push('missing the mandatory "name"');
  else if (name.trim() === '') problems.push('"name" must not be empty');
  else if (CONTROL.test(name)) problems.push('"name" must not contain control characters');
}

function fromRequest(obj: Record<string, unknown>, problems: string[]): Omit<ConnectorFile, 'name'> & { name?: string } {
  for (const key of Object.keys(obj)) {
    if (!REQUEST_KEYS.has(key)) problems.push(`unexpected top-level key "${key}" (expected name, config, initial_state)`);
  }
  const config = flatConfig(obj['config'] as Record<string, unknown>, 'config key ', problems);
  let name: string | undefined;
  if (obj['name'] !== undefined) {
    const s = scalarToString(obj['name']);
    if ('error' in s) problems.push(`"name" ${s.error}`);
    else name = s.value;
  }
  if (name !== undefined && config['name'] !== undefined && config['name'] !== name) {
    problems.push(`"config" has name ${JSON.stringify(config['name'])}, which does not match "name" ${JSON.stringify(name)}`);
  }
  name ??= config['name'];
  const state = obj['initial_state'];
  let initialState: InitialState | undefined;
  if (state !== undefined && state !== null) {
    if (typeof state === 'string' && INITIAL_STATES.includes(state)) initialState = state as InitialState;
    else problems.push(`"initial_state" must be one of ${INITIAL_STATES.join(', ')}, found ${JSON.stringify(state)}`);
  }
  return { ...(name === undefined ? {} : { name }), config, ...(initialState ? { initialState } : {}) };
}

/**
 * Reads a connector config file.
 *
 * - `.properties`: a flat map that must hold `name`.
 * - `.json`, flat: `{"name": "fs", "connector.class": "FileStreamSource", "tasks.max": 1}`. Numbers
 *   and booleans become their text, as in Kafka Connect; objects, arrays and null are errors.
 * - `.json`, `POST /connectors` shape, recognised by an object-valued `config`:
 *   `{"name": "fs", "config": {…}, "initial_state": "PAUSED"}`. A `name` inside `config` must equal
 *   the outer one; when only one of the two is given it is used for both.
 *
 * @returns the name and the flat config, which always holds `name`.
 * @throws TributaryError `CONFIG_INVALID` naming the file and every problem: unreadable file,
 *   unsupported extension, malformed JSON (with line and column), not an object, missing or
 *   mismatched name, non-scalar values (naming the key), bad `\uXXXX` escapes (with the line).
 */
export async function loadConnectorFile(path: string): Promise<ConnectorFile> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.properties' && ext !== '.json') {
    fail(path, [`unsupported file type "${ext}" (expected .properties or .json)`]);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    fail(path, [`cannot read the file: ${(err as Error).message}`]);
  }

  const problems: string[] = [];
  let result: Omit<ConnectorFile, 'name'> & { name?: string };
  if (ext === '.properties') {
    const config = parseProperties(text, path);
    result = { ...(config['name'] === undefined ? {} : { name: config['name'] }), config };
  } else {
    const obj = parseJsonObject(text, path);
    const nested = obj['config'];
    if (typeof nested === 'object' && nested !== null && !Array.isArray(nested)) {
      result = fromRequest(obj, problems);
    } else {
      const config = flatConfig(obj, 'key ', problems);
      result = { ...(config['name'] === undefined ? {} : { name: config['name'] }), config };
    }
  }
  checkName(result.name, problems);
  if (problems.length > 0) fail(path, problems);
  const name = result.name!;
  const config = Object.freeze({ ...result.config, name });
  return Object.freeze({ ...result, name, config });
}
