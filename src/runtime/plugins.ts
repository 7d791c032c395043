/**
 * The plugin registry: every connector, converter, transformation and predicate the worker knows,
 * indexed by class name and by each alias. Built-ins are registered explicitly at start-up; more
 * come from `plugin.path` (ESM modules exporting `plugins`, an array of SDK plugin descriptors).
 * A name registered twice fails start-up.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TributaryError } from '../errors/codes.js';
import type { HeaderConverter } from '../sdk/converter.js';
import type { Plugin, PluginType } from '../sdk/plugin.js';

export class PluginRegistry {
  private readonly byName = new Map<string, Plugin>();
  private readonly all: Plugin[] = [];

  constructor(plugins: readonly Plugin[] = []) {
    for (const p of plugins) this.register(p);
  }

  register(plugin: Plugin): void {
    for (const name of [plugin.className, ...plugin.aliases]) {
      const other = this.byName.get(name);
      if (other) throw new TributaryError('CONFIG_INVALID', `plugin name ${name} is registered twice (${other.className} and ${plugin.className})`);
    }
    for (const name of [plugin.className, ...plugin.aliases]) this.byName.set(name, plugin);
    this.all.push(plugin);
  }

  /** The plugin of the given type called `name` (class name or alias), or undefined. */
  find<T extends PluginType>(name: string, ...types: T[]): Extract<Plugin, { type: T }> | undefined {
    const p = this.byName.get(name.trim());
    return p && (types.length === 0 || types.includes(p.type as T)) ? (p as Extract<Plugin, { type: T }>) : undefined;
  }

  /**
   * A new header converter called `name`: a header_converter plugin, or (as Kafka Connect allows) a
   * converter that also implements HeaderConverter, such as StringConverter. Undefined otherwise.
   */
  createHeaderConverter(name: string): HeaderConverter | undefined {
    const p = this.find(name, 'header_converter', 'converter');
    const c = p?.create() as Partial<HeaderConverter> | undefined;
    return typeof c?.toConnectHeader === 'function' && typeof c.fromConnectHeader === 'function' ? (c as HeaderConverter) : undefined;
  }

  list(types?: readonly PluginType[]): readonly Plugin[] {
    return types ? this.all.filter((p) => types.includes(p.type)) : this.all;
  }

  /**
   * Loads plugins from `plugin.path` entries: each entry is a module file (.js/.mjs) or a directory
   * whose .js/.mjs files (one level) and subdirectories with a package.json are imported.
   */
  async loadPluginPath(paths: readonly string[]): Promise<void> {
    for (const entry of paths) {
      const full = resolve(entry);
      let info;
      try {
        info = await stat(full);
      } catch {
        throw new TributaryError('CONFIG_INVALID', `plugin.path entry ${entry} does not exist`);
      }
      const modules: string[] = [];
      if (info.isFile()) modules.push(full);
      else {
        for (const d of await readdir(full, { withFileTypes: true })) {
          if (d.isFile() && ['.js', '.mjs'].includes(extname(d.name))) modules.push(join(full, d.name));
          else if (d.isDirectory()) {
            const pkg = join(full, d.name, 'package.json');
            if (await stat(pkg).then(() => true, () => false)) modules.push(join(full, d.name));
          }
        }
      }
      for (const m of modules.sort()) await this.importModule(m);
    }
  }

  private async importModule(path: string): Promise<void> {
    let mod: { plugins?: unknown; default?: unknown };
    try {
      mod = (await import(pathToFileURL(path).href)) as typeof mod;
    } catch (err) {
      throw new TributaryError('CONFIG_INVALID', `plugin module ${path} failed to load: ${(err as Error).message}`, { cause: err });
    }
    const list = mod.plugins ?? (mod.default as { plugins?: unknown } | undefined)?.plugins ?? mod.default;
    if (!Array.isArray(list)) throw new TributaryError('CONFIG_INVALID', `plugin module ${path} exports no "plugins" array`);
    for (const p of list as Plugin[]) {
      if (!p || typeof p.className !== 'string' || typeof p.create !== 'function') {
        throw new TributaryError('CONFIG_INVALID', `plugin module ${path} exports an entry that is not a plugin descriptor`);
      }
      this.register(p);
    }
  }
}
