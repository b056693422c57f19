import { PLUGIN_KINDS, PluginRegistry, type AnyPlugin } from '@rewardkit/core';

/** What every plugin must satisfy, whatever its kind. */
export function describePluginContract(plugin: AnyPlugin): void {
  describe(`plugin contract: ${plugin.kind}/${plugin.name}`, () => {
    it('has a known kind, a kebab-case name and a description', () => {
      expect(PLUGIN_KINDS).toContain(plugin.kind);
      expect(plugin.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(plugin.description.length).toBeGreaterThan(10);
    });

    it('fills every config field with a default', () => {
      expect(plugin.configSchema.safeParse({}).success).toBe(true);
    });

    it('rejects unknown config keys (typos must not pass silently)', () => {
      expect(plugin.configSchema.safeParse({ definitelyNotAField: 1 }).success).toBe(false);
    });

    it('registers once and refuses a different plugin under its name', () => {
      const registry = new PluginRegistry();
      registry.register(plugin);
      registry.register(plugin);
      expect(registry.get(plugin.kind, plugin.name)).toBe(plugin);
      expect(() => registry.register({ ...plugin } as AnyPlugin)).toThrow(/already registered/);
    });
  });
}
