/**
 * Test-only connector plugins for REST tests, registered beside the built-ins:
 *
 * - `SecretSource`: a source with a PASSWORD setting, to check that secrets never leave the REST API.
 *   It fails to start when handed the mask `[hidden]` instead of the secret.
 * - `GatedSource`: a source whose `validate()` waits on a `Gate` the test opens, to hold a request
 *   in validation for as long as the test needs.
 * - `BuggySource`: a source whose `config()` throws a plain Error, as a plugin with a bug would.
 *
 * Their tasks produce nothing: each poll waits until the runtime aborts it or a second passes.
 */
import { ConfigDef, Password, type ConfigValueReport } from '../../src/sdk/config-def.js';
import type { ConnectorContext, SourceConnector } from '../../src/sdk/connector.js';
import { ConnectError } from '../../src/sdk/errors.js';
import type { ConnectorPlugin } from '../../src/sdk/plugin.js';
import type { SourceRecord } from '../../src/sdk/records.js';
import type { SourceTask } from '../../src/sdk/source-task.js';

export const SECRET_SOURCE_CLASS = 'test.tributary.SecretSourceConnector';
export const GATED_SOURCE_CLASS = 'test.tributary.GatedSourceConnector';
export const TEST_PLUGIN_VERSION = '9.9.9-test';

class IdleSourceTask implements SourceTask {
  version(): string {
    return TEST_PLUGIN_VERSION;
  }
  start(): void {}
  async poll(signal: AbortSignal): Promise<readonly SourceRecord[]> {
    if (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
    return [];
  }
  stop(): void {}
}

/** A source connector with the given settings and one task per `tasks.max`. */
abstract class IdleSourceConnector implements SourceConnector {
  readonly type = 'source';
  private props: Readonly<Record<string, string>> = {};
  abstract config(): ConfigDef;
  version(): string {
    return TEST_PLUGIN_VERSION;
  }
  start(props: Readonly<Record<string, string>>, _context: ConnectorContext): void {
    this.config().parse(props);
    this.props = { ...props };
  }
  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }
  stop(): void {}
  createTask(): SourceTask {
    return new IdleSourceTask();
  }
}

class SecretSourceConnector extends IdleSourceConnector {
  override start(props: Readonly<Record<string, string>>, context: ConnectorContext): void {
    if (props['db.password'] === Password.HIDDEN) throw new ConnectError('SecretSource was given the masked password');
    super.start(props, context);
  }
  config(): ConfigDef {
    return new ConfigDef()
      .define({ name: 'db.user', type: 'STRING', default: 'admin', importance: 'HIGH', documentation: 'Database user.' })
      .define({ name: 'db.password', type: 'PASSWORD', importance: 'HIGH', documentation: 'Database password.' });
  }
}

export const secretSourcePlugin: ConnectorPlugin = {
  type: 'source',
  className: SECRET_SOURCE_CLASS,
  aliases: ['SecretSource'],
  version: TEST_PLUGIN_VERSION,
  create: () => new SecretSourceConnector(),
};

/** A door validations wait at until the test opens it. */
export class Gate {
  /** Validations that have reached the gate. */
  entered = 0;
  private opened = false;
  private readonly waiting: Array<() => void> = [];
  private readonly arrivals: Array<() => void> = [];

  /** Resolves once some validation is waiting at (or has passed) the gate. */
  reached(): Promise<void> {
    return this.entered > 0 ? Promise.resolve() : new Promise((resolve) => this.arrivals.push(resolve));
  }

  open(): void {
    this.opened = true;
    for (const w of this.waiting.splice(0)) w();
  }

  async pass(): Promise<void> {
    this.entered++;
    for (const a of this.arrivals.splice(0)) a();
    if (!this.opened) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
}

class GatedSourceConnector extends IdleSourceConnector {
  constructor(private readonly gate: Gate) {
    super();
  }
  config(): ConfigDef {
    return new ConfigDef().define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'Unused.' });
  }
  async validate(props: Readonly<Record<string, string>>): Promise<ConfigValueReport[]> {
    await this.gate.pass();
    return this.config().validate(props);
  }
}

class BuggySourceConnector extends IdleSourceConnector {
  config(): ConfigDef {
    throw new Error('BuggySource: config() is broken');
  }
}

export const buggySourcePlugin: ConnectorPlugin = {
  type: 'source',
  className: 'test.tributary.BuggySourceConnector',
  aliases: ['BuggySource'],
  version: TEST_PLUGIN_VERSION,
  create: () => new BuggySourceConnector(),
};

/** A `GatedSource` plugin whose validations wait at `gate`. */
export function gatedSourcePlugin(gate: Gate): ConnectorPlugin {
  return {
    type: 'source',
    className: GATED_SOURCE_CLASS,
    aliases: ['GatedSource'],
    version: TEST_PLUGIN_VERSION,
    create: () => new GatedSourceConnector(gate),
  };
}
