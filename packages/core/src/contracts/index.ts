export * from './plugin';
export * from './data-plugin';
export * from './tokenizer-plugin';
export * from './model-plugin';
export * from './loss-plugin';
export * from './eval-plugin';

import type { DataPlugin } from './data-plugin';
import type { EvalPlugin } from './eval-plugin';
import type { LossPlugin } from './loss-plugin';
import type { ModelPlugin } from './model-plugin';
import type { TokenizerPlugin } from './tokenizer-plugin';

/** Any plugin, discriminated by `kind`. */
export type AnyPlugin = DataPlugin | TokenizerPlugin | ModelPlugin | LossPlugin | EvalPlugin;

/** The plugin type of one kind. */
export interface PluginsByKind {
  data: DataPlugin;
  tokenizer: TokenizerPlugin;
  model: ModelPlugin;
  loss: LossPlugin;
  eval: EvalPlugin;
}
