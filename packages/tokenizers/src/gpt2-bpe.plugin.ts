/**
 * GPT-2's byte-level BPE (the `r50k_base` encoding of gpt-tokenizer, pure JS and bundled, so it
 * needs no files): 50,257 tokens, `<|endoftext|>` = 50256 as both EOS and pad. Special-token
 * text inside the data (a literal "<|endoftext|>") is encoded as plain text, so data can never
 * place an EOS where the model reads sequence scores.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Tokenizer, TokenizerPlugin } from '@rewardkit/core';
// The CJS subpath: it type-checks under moduleResolution "node" (which ignores package exports).
import { decode, encode } from 'gpt-tokenizer/cjs/encoding/r50k_base';
import { z } from 'zod';

export const GPT2_VOCAB_SIZE = 50257;
export const GPT2_EOS_ID = 50256;
const EOS_TEXT = '<|endoftext|>';

export const gpt2BpeConfigSchema = z.object({}).strict();
export type Gpt2BpeConfig = z.infer<typeof gpt2BpeConfigSchema>;

/** Nothing is disallowed, nothing is special: every input string is plain text. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export const gpt2Bpe: TokenizerPlugin<Gpt2BpeConfig> = {
  kind: 'tokenizer',
  name: 'gpt2-bpe',
  description: "GPT-2 byte-level BPE (gpt-tokenizer r50k_base): 50,257 tokens, EOS = pad = <|endoftext|> (50256)",
  configSchema: gpt2BpeConfigSchema,
  create: () => createGpt2Bpe(),
};

export function createGpt2Bpe(): Tokenizer {
  return {
    name: 'gpt2-bpe',
    vocabSize: GPT2_VOCAB_SIZE,
    eosId: GPT2_EOS_ID,
    padId: GPT2_EOS_ID,
    encode: (text) => encode(text, PLAIN_TEXT),
    decode: (ids) => decode(ids),
    save(dir) {
      // GPT-2 needs no vocabulary files here (it is bundled); this names the plugin for
      // loadTokenizer and carries the usual Hugging Face fields for other readers.
      mkdirSync(dir, { recursive: true });
      const config = {
        tokenizer_class: 'GPT2Tokenizer',
        bos_token: EOS_TEXT,
        eos_token: EOS_TEXT,
        unk_token: EOS_TEXT,
        pad_token: EOS_TEXT,
        add_prefix_space: false,
        rewardkit: { name: 'gpt2-bpe', config: {}, vocabSize: GPT2_VOCAB_SIZE, eosId: GPT2_EOS_ID, padId: GPT2_EOS_ID },
      };
      writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2) + '\n');
    },
    describe: () => ({ name: 'gpt2-bpe', config: {} }),
  };
}
