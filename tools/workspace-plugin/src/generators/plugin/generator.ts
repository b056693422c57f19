/**
 * `npx nx g @rewardkit/workspace-plugin:plugin --kind=loss --name=focal [--dry-run]`
 *
 * Scaffolds packages/<kind>-<name>/, a plugin package that already passes its kind's contract
 * suite: a working minimal implementation (not a stub) with the places to change marked.
 */
import { logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { ConfigError } from '@rewardkit/core';
import { KINDS, NAME_PATTERN, type PluginKind } from './names';
import { pluginFiles } from './plugin-files';

export interface PluginGeneratorOptions {
  readonly kind: PluginKind;
  readonly name: string;
}

/** Writes the package into the tree (nothing reaches disk under --dry-run); refuses to overwrite. */
export function pluginGenerator(tree: Tree, opts: PluginGeneratorOptions): GeneratorCallback {
  if (!KINDS.includes(opts.kind)) throw new ConfigError(`--kind must be one of ${KINDS.join(', ')}, got "${opts.kind}"`);
  if (!NAME_PATTERN.test(opts.name)) throw new ConfigError(`--name must be kebab-case (e.g. focal), got "${opts.name}"`);
  const pkg = `${opts.kind}-${opts.name}`;
  if (tree.exists(`packages/${pkg}`)) throw new ConfigError(`packages/${pkg} already exists; pick another --name`);
  for (const [file, text] of Object.entries(pluginFiles(opts.kind, opts.name))) tree.write(file, text);
  return () => {
    logger.info(
      [
        `Next: npm install (links @rewardkit/${pkg}), then npx jest packages/${pkg} (the contract suite).`,
        `To ship it, register it in packages/runtime/src/shipped-registry.ts; to publish it, see docs/plugins.md.`,
      ].join('\n'),
    );
  };
}

export default pluginGenerator;
