import type { PluginRegistry } from '@rewardkit/core';
import { gpt2Bpe } from './gpt2-bpe.plugin';
import { huggingfaceTokenizer } from './huggingface.plugin';

/** Registers this package's plugins: tokenizer/gpt2-bpe and tokenizer/huggingface. */
export function register(registry: PluginRegistry): void {
  registry.register(gpt2Bpe);
  registry.register(huggingfaceTokenizer);
}
