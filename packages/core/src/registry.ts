import type { AnyPlugin, PluginKind, PluginsByKind } from './contracts';
import { PLUGIN_KINDS } from './contracts';
import { ConfigError, PluginError } from './errors';
import { formatZodError } from './format-zod-error';

/**
 * Plugins by `kind/name`. Registration is explicit (each package's `register.ts`), never an import
 * side effect, so what a run can use is visible in the app that builds it.
 */
export class PluginRegistry {
  private readonly plugins = new Map<string, AnyPlugin>();

  register(plugin: AnyPlugin): void {
    if (!PLUGIN_KINDS.includes(plugin.kind)) {
      throw new PluginError(
        `plugin "${plugin.name}" has unknown kind "${String(plugin.kind)}" (expected one of ${PLUGIN_KINDS.join(', ')})`,
      );
    }
    const key = `${plugin.kind}/${plugin.name}`;
    const taken = this.plugins.get(key);
    if (taken === plugin) return; // registering the same object twice is harmless
    if (taken) throw new PluginError(`a different ${plugin.kind} plugin is already registered as "${key}"`);
    this.plugins.set(key, plugin);
  }

  get<K extends PluginKind>(kind: K, name: string): PluginsByKind[K] {
    const plugin = this.plugins.get(`${kind}/${name}`);
    if (!plugin) {
      const known = this.list(kind);
      throw new PluginError(
        `unknown ${kind} plugin "${name}"; known: ${known.length ? known.join(', ') : '(none registered)'}`,
      );
    }
    return plugin as PluginsByKind[K];
  }

  has(kind: PluginKind, name: string): boolean {
    return this.plugins.has(`${kind}/${name}`);
  }

  /** Names of one kind, sorted. */
  list(kind: PluginKind): string[] {
    return [...this.plugins.values()]
      .filter((p) => p.kind === kind)
      .map((p) => p.name)
      .sort();
  }

  unregister(kind: PluginKind, name: string): boolean {
    return this.plugins.delete(`${kind}/${name}`);
  }

  /** Validates `rawConfig` against the plugin's schema (once, here) and builds the instance. */
  create<K extends PluginKind>(
    kind: K,
    name: string,
    rawConfig: unknown,
    context: Parameters<PluginsByKind[K]['create']>[1],
  ): ReturnType<PluginsByKind[K]['create']> {
    const plugin = this.get(kind, name);
    const config = parsePluginConfig(plugin, rawConfig);
    return (plugin.create as (c: unknown, ctx: unknown) => ReturnType<PluginsByKind[K]['create']>)(config, context);
  }
}

export function parsePluginConfig<P extends AnyPlugin>(plugin: P, rawConfig: unknown): unknown {
  const parsed = plugin.configSchema.safeParse(rawConfig ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      `invalid config for ${plugin.kind} plugin "${plugin.name}":\n${formatZodError(parsed.error, `${plugin.kind}.config`)}`,
    );
  }
  return parsed.data;
}
