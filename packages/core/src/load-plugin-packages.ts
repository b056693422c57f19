import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AnyPlugin } from './contracts';
import { PLUGIN_KINDS } from './contracts';
import { PluginError } from './errors';
import { createLogger } from './logger';
import type { PluginRegistry } from './registry';

const log = createLogger('plugins');

function isPlugin(value: unknown): value is AnyPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === 'string' &&
    typeof v.create === 'function' &&
    typeof v.kind === 'string' &&
    (PLUGIN_KINDS as readonly string[]).includes(v.kind)
  );
}

/** A package named by path (`./my-plugin`, `/opt/rm-plugins/focal`) rather than by npm name. */
function isPath(name: string): boolean {
  return name.startsWith('.') || path.isAbsolute(name);
}

/** The first line of a `require` error: the module it could not find, without the require stack. */
function firstLine(err: Error): string {
  return err.message.split('\n')[0];
}

/**
 * Loads third-party plugin packages named in a run config (`plugins: ["@acme/rm-loss-focal"]`),
 * resolved from `fromDir` like `require` would, or given by path (`./rm-loss-focal`, relative to
 * `fromDir`, or absolute): a folder with a package.json whose `main` is JavaScript. A package
 * either exports `register(registry)` or exports plugin objects, which are all registered.
 */
export function loadPluginPackages(names: readonly string[], registry: PluginRegistry, fromDir = process.cwd()): string[] {
  const req = createRequire(path.join(path.resolve(fromDir), 'noop.js'));
  const registered: string[] = [];
  for (const name of names) {
    const target = isPath(name) ? path.resolve(fromDir, name) : name;
    if (isPath(name) && !fs.existsSync(target)) {
      throw new PluginError(`plugin package path "${name}" does not exist (resolved to ${target})`);
    }
    let mod: Record<string, unknown>;
    try {
      mod = req(target) as Record<string, unknown>;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const missing = e.code === 'MODULE_NOT_FOUND' ? firstLine(e) : '';
      if (missing.includes(`'${target}'`)) {
        throw new PluginError(
          isPath(name)
            ? `plugin package at ${target} has nothing to load: give it a package.json whose "main" is JavaScript, or an index.js`
            : `plugin package "${name}" not found from ${fromDir}; install it (npm install ${name}) or fix the name`,
        );
      }
      const hint = missing
        ? ' (its @rewardkit/* and @tensorflow/* imports must resolve from its own folder to the copies rewardkit runs: ' +
          'declare them as peerDependencies and install the plugin into the project that runs rewardkit)'
        : '';
      throw new PluginError(`plugin package "${name}" failed to load: ${firstLine(e)}${hint}`);
    }
    const before = new Set(PLUGIN_KINDS.flatMap((k) => registry.list(k).map((n) => `${k}/${n}`)));
    if (typeof mod.register === 'function') {
      (mod.register as (r: PluginRegistry) => void)(registry);
    } else {
      const found = Object.values(mod).filter(isPlugin);
      if (found.length === 0) {
        throw new PluginError(`plugin package "${name}" exports neither register(registry) nor any plugin object`);
      }
      for (const p of found) registry.register(p);
    }
    const added = PLUGIN_KINDS.flatMap((k) => registry.list(k).map((n) => `${k}/${n}`)).filter((k) => !before.has(k));
    log.info(`loaded plugin package ${name}: ${added.join(', ') || '(nothing new)'}`);
    registered.push(...added);
  }
  return registered;
}
