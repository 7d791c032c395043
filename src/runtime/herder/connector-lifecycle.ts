/**
 * Running one connector as its stored state says: the Connector instance in its target state, its
 * task configs regenerated when it runs, and one task per stored task config. The herder calls
 * these from its serial queue only.
 */
import type { TaskLogger } from '../../sdk/logger.js';
import type { ConfigStore } from '../stores/config-store.js';
import type { Worker } from '../worker.js';
import type { TargetState } from './herder.js';

const sameConfigs = (a: readonly Record<string, string>[], b: readonly Record<string, string>[]): boolean =>
  a.length === b.length && a.every((x, i) => JSON.stringify(Object.entries(x).sort()) === JSON.stringify(Object.entries(b[i]!).sort()));

/** Two connector configs hold the same keys and values. */
export function sameConfig(a: Record<string, string>, b: Record<string, string>): boolean {
  return sameConfigs([a], [b]);
}

export class ConnectorLifecycle {
  constructor(
    private readonly configs: ConfigStore,
    private readonly worker: Worker,
    /** Called when a running connector asks for new task configs. */
    private readonly onReconfigure: (name: string) => void,
    private readonly log: TaskLogger,
  ) {}

  private target(name: string): TargetState {
    return this.configs.targetState(name) ?? 'STARTED';
  }

  /** Starts the connector and its tasks as stored (a STOPPED connector gets an empty task set). */
  async start(name: string): Promise<void> {
    const config = this.configs.connectorConfig(name);
    if (!config) return;
    const target = this.target(name);
    const ok = await this.worker.startConnector(name, config, target, () => this.onReconfigure(name));
    if (target === 'STOPPED') {
      if (this.configs.tasks(name).length > 0) await this.configs.putTaskConfigs(name, []);
      return;
    }
    if (ok && target === 'STARTED') await this.regenerate(name);
    this.startTasks(name);
  }

  async stop(name: string): Promise<void> {
    await this.worker.stopTasks(name);
    await this.worker.stopConnector(name);
  }

  /** Restarts the Connector instance; its tasks restart only if their configs changed. */
  async restartInstance(name: string): Promise<void> {
    const config = this.configs.connectorConfig(name);
    if (!config) return;
    await this.worker.stopConnector(name);
    const target = this.target(name);
    const ok = await this.worker.startConnector(name, config, target, () => this.onReconfigure(name));
    if (ok && target === 'STARTED') await this.refreshTasks(name);
  }

  /** Asks the running connector for task configs; when they changed, stores them and restarts the tasks. */
  async refreshTasks(name: string): Promise<boolean> {
    if (!(await this.regenerate(name))) return false;
    await this.worker.stopTasks(name);
    this.startTasks(name);
    return true;
  }

  /** Starts the stored tasks (all, or only those given) that are not running. */
  startTasks(name: string, only?: readonly number[]): void {
    const config = this.configs.connectorConfig(name);
    if (!config) return;
    const target = this.target(name);
    const configs = this.configs.tasks(name);
    configs.forEach((taskConfig, i) => {
      if (!only || only.includes(i)) this.worker.startTask(name, i, configs.length, config, taskConfig, target);
    });
  }

  /** Stores the running connector's task configs when they changed; false when unchanged or it failed. */
  private async regenerate(name: string): Promise<boolean> {
    let generated: Record<string, string>[];
    try {
      generated = await this.worker.connectorTaskConfigs(name);
    } catch (err) {
      this.log.warn(`connector ${name} could not generate task configs: ${(err as Error).message}`);
      return false; // the connector is now FAILED
    }
    if (sameConfigs(generated, this.configs.tasks(name))) return false;
    await this.configs.putTaskConfigs(name, generated);
    return true;
  }
}
