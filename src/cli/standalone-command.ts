/**
 * `tributary standalone [worker.properties|worker.json] [connector.json|connector.properties ...]`:
 * runs one worker on the embedded log until SIGTERM/SIGINT, then stops gracefully and exits 0
 * (Kafka Connect's connect-standalone). The first file is the worker config unless it is a
 * connector file (it has `connector.class`).
 */
import { Command } from 'commander';
import { loadConnectorFile, type ConnectorFile } from '../config/connector-file.js';
import { loadWorkerConfig } from '../config/worker-config.js';
import type { CommandContext } from './command-context.js';
import { StandaloneApp, type SourcedConnectorFile } from './standalone-app.js';
import { packageVersion } from './version.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function asConnectorFile(path: string): Promise<ConnectorFile | null> {
  try {
    const f = await loadConnectorFile(path);
    return f.config['connector.class'] !== undefined ? f : null;
  } catch {
    return null;
  }
}

export function standaloneCommand(ctx: CommandContext): Command {
  return new Command('standalone')
    .description('run a worker on the embedded log with the REST API; connector files are applied at start')
    .argument('[files...]', 'worker config (.properties or .json) first, then connector configs (.json or .properties)')
    .option('--set <key=value>', 'override a worker config key, repeatable (after the file and TRIBUTARY_* variables)', collect)
    .action(async (files: string[], opts: { set?: string[] }) => {
      let workerFile: string | undefined;
      let connectorPaths = files;
      if (files.length > 0 && !(await asConnectorFile(files[0]!))) {
        workerFile = files[0];
        connectorPaths = files.slice(1);
      }
      const config = loadWorkerConfig({ file: workerFile, env: process.env, overrides: opts.set ?? [] });
      const connectors: SourcedConnectorFile[] = [];
      for (const p of connectorPaths) connectors.push({ ...(await loadConnectorFile(p)), path: p });
      const names = new Set<string>();
      for (const c of connectors) {
        if (names.has(c.name)) throw new Error(`connector ${c.name} is defined by more than one file`);
        names.add(c.name);
      }
      const app = new StandaloneApp({ config, connectors, version: packageVersion(), logDestination: ctx.io.stdout });
      let signalled!: () => void;
      const stopRequested = new Promise<void>((resolve) => (signalled = resolve));
      const release = ctx.io.onStopSignal(() => signalled());
      try {
        await app.start();
        await stopRequested;
      } finally {
        // The handlers stay until the stop is done: a second Ctrl-C must not kill a graceful stop.
        try {
          await app.stop();
        } finally {
          release();
        }
      }
    });
}
