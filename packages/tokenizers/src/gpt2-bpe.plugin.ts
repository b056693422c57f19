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
import { gpt2TokenizerJson, gpt2Vocabulary } from './gpt2-vocab-files';

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
      // The vocabulary is bundled here; the files are for Python (AutoTokenizer). tokenizer_config's
      // rewardkit section names the plugin, so loadTokenizer picks gpt2-bpe over tokenizer.json.
      mkdirSync(dir, { recursive: true });
      writeGpt2VocabFiles(dir);
      const config = {
        tokenizer_class: 'PreTrainedTokenizerFast', // tokenizer.json as written, post-processor included
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

/** vocab.json + merges.txt (GPT2Tokenizer's files) and tokenizer.json (the fast tokenizer's). */
function writeGpt2VocabFiles(dir: string): void {
  const v = gpt2Vocabulary();
  writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(Object.fromEntries(v.vocab)));
  writeFileSync(path.join(dir, 'merges.txt'), `#version: 0.2\n${v.merges.join('\n')}\n`);
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(gpt2TokenizerJson(v, GPT2_EOS_ID)));
}
