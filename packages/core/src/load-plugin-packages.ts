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

/**
 * Loads third-party plugin packages named in a run config (`plugins: ["@acme/rm-loss-focal"]`),
 * resolved from `fromDir` like `require` would. A package either exports `register(registry)`
 * or exports plugin objects, which are all registered.
 */
export function loadPluginPackages(names: readonly string[], registry: PluginRegistry, fromDir = process.cwd()): string[] {
  const req = createRequire(path.join(path.resolve(fromDir), 'noop.js'));
  const registered: string[] = [];
  for (const name of names) {
    let mod: Record<string, unknown>;
    try {
      mod = req(name) as Record<string, unknown>;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(name)) {
        throw new PluginError(`plugin package "${name}" not found from ${fromDir}; install it (npm install ${name}) or fix the name`);
      }
      throw new PluginError(`plugin package "${name}" failed to load: ${e.message}`);
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
