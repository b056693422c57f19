import type { PluginRegistry, RunConfig, Tokenizer } from '@rewardkit/core';
import { loadTokenizer } from '@rewardkit/tokenizers';

/** The run's tokenizer; a pretrained model directory's own tokenizer takes precedence. */
export function buildTokenizer(cfg: RunConfig, registry: PluginRegistry): Tokenizer {
  const pretrained = (cfg.model.config as { pretrained?: unknown }).pretrained;
  return loadTokenizer(registry, { modelDir: typeof pretrained === 'string' ? pretrained : undefined, fallback: cfg.tokenizer });
}
