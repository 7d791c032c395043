import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConnectorFile } from '../../src/config/connector-file.js';
import { isTributaryError } from '../../src/errors/codes.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('tributary-connector-file-');

async function file(name: string, content: string | object): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

async function loadError(path: string): Promise<string> {
  const err = await loadConnectorFile(path).then(
    () => {
      throw new Error('expected loadConnectorFile to fail');
    },
    (e: unknown) => e,
  );
  expect(isTributaryError(err, 'CONFIG_INVALID')).toBe(true);
  return (err as Error).message;
}

// Apache Kafka's config/connect-file-source.properties (no newline at the end, as in Kafka).
const CONNECT_FILE_SOURCE = `# Licensed to the Apache Software Foundation (ASF) under one or more
# contributor license agreements.  See the NOTICE file distributed with
# this work for additional information regarding copyright ownership.

name=local-file-source
connector.class=FileStreamSource
tasks.max=1
file=test.txt
topic=connect-test`;

const FILE_SOURCE_CONFIG = {
  name: 'local-file-source',
  'connector.class': 'FileStreamSource',
  'tasks.max': '1',
  file: 'test.txt',
  topic: 'connect-test',
};

describe('loadConnectorFile accepts what ConnectStandalone accepts', () => {
  it('reads Kafka\'s connect-file-source.properties', async () => {
    const loaded = await loadConnectorFile(await file('connect-file-source.properties', CONNECT_FILE_SOURCE));
    expect(loaded).toEqual({ name: 'local-file-source', config: FILE_SOURCE_CONFIG });
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.config)).toBe(true);
  });

  it('reads a flat JSON map, taking numbers and booleans as their text', async () => {
    const path = await file('fs.json', {
      name: 'local-file-source',
      'connector.class': 'FileStreamSource',
      'tasks.max': 1,
      file: 'test.txt',
      topic: 'connect-test',
      'errors.log.enable': true,
      'batch.size': 2.5,
    });
    expect(await loadConnectorFile(path)).toEqual({
      name: 'local-file-source',
      config: { ...FILE_SOURCE_CONFIG, 'errors.log.enable': 'true', 'batch.size': '2.5' },
    });
  });

  it('reads the POST /connectors shape and adds the name to the config', async () => {
    const path = await file('fs.json', {
      name: 'local-file-source',
      config: { 'connector.class': 'FileStreamSource', 'tasks.max': 1, file: 'test.txt', topic: 'connect-test' },
    });
    expect(await loadConnectorFile(path)).toEqual({ name: 'local-file-source', config: FILE_SOURCE_CONFIG });
  });

  it('accepts a matching name inside config, or a name only inside config', async () => {
    const both = await file('both.json', { name: 'a', config: { name: 'a', topic: 't' } });
    expect(await loadConnectorFile(both)).toEqual({ name: 'a', config: { name: 'a', topic: 't' } });
    const inner = await file('inner.json', { config: { name: 'b', topic: 't' } });
    expect(await loadConnectorFile(inner)).toEqual({ name: 'b', config: { name: 'b', topic: 't' } });
  });

  it('returns initial_state from the POST /connectors shape', async () => {
    const path = await file('paused.json', { name: 'a', config: {}, initial_state: 'PAUSED' });
    expect(await loadConnectorFile(path)).toEqual({ name: 'a', config: { name: 'a' }, initialState: 'PAUSED' });
  });

  it('reads a flat map whose "config" key is a plain string as flat', async () => {
    const path = await file('flat.json', { name: 'a', config: 'x' });
    expect(await loadConnectorFile(path)).toEqual({ name: 'a', config: { name: 'a', config: 'x' } });
  });

  it('decodes properties escapes and continuations', async () => {
    const path = await file('c.properties', 'name=caf\\u00e9\ntopics=a,\\\n  b\n');
    expect(await loadConnectorFile(path)).toEqual({ name: 'café', config: { name: 'café', topics: 'a,b' } });
  });
});

describe('loadConnectorFile errors', () => {
  it('needs a name in a properties file', async () => {
    const path = await file('c.properties', 'connector.class=FileStreamSource\n');
    expect(await loadError(path)).toBe(`${path}: invalid connector config file: missing the mandatory "name"`);
  });

  it('needs a name in a flat JSON map', async () => {
    const path = await file('c.json', { 'connector.class': 'FileStreamSource' });
    expect(await loadError(path)).toBe(`${path}: invalid connector config file: missing the mandatory "name"`);
  });

  it('needs a name in the POST /connectors shape', async () => {
    const path = await file('c.json', { config: { topic: 't' } });
    expect(await loadError(path)).toBe(`${path}: invalid connector config file: missing the mandatory "name"`);
  });

  it('refuses an empty name or one with control characters', async () => {
    const empty = await file('e.properties', 'name=  \n');
    expect(await loadError(empty)).toBe(`${empty}: invalid connector config file: "name" must not be empty`);
    const control = await file('c.json', { name: 'a\u0007b' });
    expect(await loadError(control)).toBe(`${control}: invalid connector config file: "name" must not contain control characters`);
  });

  it('refuses a name in config that differs from the outer one', async () => {
    const path = await file('c.json', { name: 'a', config: { name: 'b' } });
    expect(await loadError(path)).toBe(
      `${path}: invalid connector config file: "config" has name "b", which does not match "name" "a"`,
    );
  });

  it('refuses nested values, naming each key', async () => {
    const path = await file('c.json', { name: 'a', 'transforms.x': { type: 'Y' }, topics: ['a', 'b'], file: null });
    expect(await loadError(path)).toBe(
      `${path}: invalid connector config file: 3 problems:\n` +
        '- key "transforms.x" must be a string, number or boolean, found an object\n' +
        '- key "topics" must be a string, number or boolean, found an array (write a list as one comma-separated string)\n' +
        '- key "file" must be a string, number or boolean, found null',
    );
  });

  it('refuses nested values inside config, and unexpected top-level keys', async () => {
    const path = await file('c.json', { name: 'a', config: { x: { y: 1 } }, configs: {}, initial_state: 'RUNNING' });
    expect(await loadError(path)).toBe(
      `${path}: invalid connector config file: 2 problems:\n` +
        '- unexpected top-level key "configs" (expected name, config, initial_state)\n' +
        '- config key "x" must be a string, number or boolean, found an object',
    );
  });

  it('refuses an unknown initial_state and a non-scalar name', async () => {
    const path = await file('c.json', { name: ['a'], config: { name: 'a' }, initial_state: 'DELETED' });
    expect(await loadError(path)).toBe(
      `${path}: invalid connector config file: 2 problems:\n` +
        '- "name" must be a string, number or boolean, found an array (write a list as one comma-separated string)\n' +
        '- "initial_state" must be one of RUNNING, PAUSED, STOPPED, found "DELETED"',
    );
  });

  it('refuses integers too large to keep their text', async () => {
    const path = await file('c.json', '{"name": "a", "offset": 12345678901234567890}');
    expect(await loadError(path)).toBe(
      `${path}: invalid connector config file: key "offset" is a number too large to be represented exactly; quote it as a string`,
    );
  });

  it('reports malformed JSON with line and column', async () => {
    const trailingComma = await file('a.json', '{\n  "name": "a",\n  "tasks.max": 1,\n}\n');
    expect(await loadError(trailingComma)).toBe(
      `${trailingComma}: malformed JSON at line 4, column 1: Expected double-quoted property name`,
    );
    const badToken = await file('b.json', '{\n  "name": "a",\n  "x": tru\n}');
    expect(await loadError(badToken)).toBe(`${badToken}: malformed JSON at line 3, column 11: Unexpected token '\\n'`);
    const badValue = await file('e.json', '{"name": "a", "x": @}');
    expect(await loadError(badValue)).toBe(`${badValue}: malformed JSON at line 1, column 20: Unexpected token '@'`);
    const long = await file('f.json', `{"name": "a",${' "k": 1,'.repeat(50)}\n "x": @${', "k": 1'.repeat(50)}}`);
    expect(await loadError(long)).toBe(`${long}: malformed JSON at line 2, column 7: Unexpected token '@'`);
    const truncated = await file('c.json', '{"name": "a"');
    expect(await loadError(truncated)).toBe(
      `${truncated}: malformed JSON at line 1, column 13: Expected ',' or '}' after property value`,
    );
    const empty = await file('d.json', '');
    expect(await loadError(empty)).toBe(`${empty}: malformed JSON at line 1, column 1: Unexpected end of JSON input`);
  });

  it('refuses JSON that is not an object', async () => {
    const array = await file('a.json', '[{"name": "a"}]');
    expect(await loadError(array)).toBe(`${array}: expected a JSON object, found an array`);
    const str = await file('s.json', '"name"');
    expect(await loadError(str)).toBe(`${str}: expected a JSON object, found a string`);
  });

  it('reports a malformed \\u escape with its line', async () => {
    const path = await file('c.properties', 'name=a\ntopic=\\uXYZW\n');
    expect(await loadError(path)).toBe(`${path}:2: malformed \\uXXXX escape "\\uXYZW" (expected four hex digits)`);
  });

  it('refuses other file types and missing files', async () => {
    const yaml = await file('c.yaml', 'name: a\n');
    expect(await loadError(yaml)).toBe(`${yaml}: invalid connector config file: unsupported file type ".yaml" (expected .properties or .json)`);
    const missing = join(await tempDir(), 'missing.json');
    expect(await loadError(missing)).toMatch(
      new RegExp(`^${missing}: invalid connector config file: cannot read the file: ENOENT`),
    );
  });
});
