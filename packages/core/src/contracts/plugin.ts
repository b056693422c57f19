import type { z } from 'zod';

/** The five kinds of plugin; a run config names each plugin as `kind/name`. */
export const PLUGIN_KINDS = ['data', 'tokenizer', 'model', 'loss', 'eval'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/**
 * What every plugin is: a plain object with a kind, a name, a schema for its config and a
 * factory. `create` receives the config already parsed by `configSchema` (see `instantiate`).
 */
export interface PluginBase<K extends PluginKind, C, Ctx, T> {
  readonly kind: K;
  /** Unique within its kind, kebab-case: `bradley-terry`, `bag-of-embeddings`. */
  readonly name: string;
  /** One line for `--help` listings and error messages. */
  readonly description: string;
  /** Validates and fills defaults for the plugin's config. */
  readonly configSchema: z.ZodType<C>;
  create(config: C, context: Ctx): T;
  /**
   * Run settings this plugin works best with (e.g. a transformer's shorter sequences and stronger
   * regularisation), as a partial run config. The trainer layers them above its own defaults and
   * below the config file and command line, and logs that it did.
   */
  readonly recommendedRunConfig?: Readonly<Record<string, unknown>>;
}
