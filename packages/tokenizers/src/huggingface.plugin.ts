/**
 * A Hugging Face tokenizer from local files: `tokenizer.json` (any model @huggingface/tokenizers
 * runs: BPE, WordPiece, Unigram) plus, when present, `tokenizer_config.json` for the EOS/pad
 * tokens and the chat template (or `chat_template.jinja`, the newer home of the template).
 * Text is encoded without the post-processor's special tokens: a sequence's only special
 * token is the EOS `encodePair` appends (and whatever the chat template writes itself).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer, TokenizerPlugin } from '@rewardkit/core';
import { ConfigError } from '@rewardkit/core';
import { z } from 'zod';
import type { ChatTemplateTokens } from './render-pair';

export const huggingfaceConfigSchema = z
  .object({
    /** Default: the model dir from the context, so an exported model's own tokenizer is used. */
    path: z.string().min(1).optional(),
    /** Default: tokenizer_config.json's `eos_token`; set it for tokenizers that do not name one. */
    eosToken: z.string().min(1).optional(),
    /** Default: tokenizer_config.json's `pad_token`, else the EOS token (pads are masked anyway). */
    padToken: z.string().min(1).optional(),
  })
  .strict();

export type HuggingfaceConfig = z.infer<typeof huggingfaceConfigSchema>;

/** EOS candidates for tokenizers whose config names none, most common first. */
const EOS_GUESSES = ['<|endoftext|>', '</s>', '<|im_end|>', '<|eot_id|>', '<eos>', '[SEP]'];

export const huggingfaceTokenizer: TokenizerPlugin<HuggingfaceConfig> = {
  kind: 'tokenizer',
  name: 'huggingface',
  description: 'A Hugging Face tokenizer.json (+ tokenizer_config.json: EOS/pad tokens, chat template) from a local directory',
  configSchema: huggingfaceConfigSchema,
  create(config, context) {
    const dir = tokenizerDir(config.path ?? context?.modelDir);
    return openHuggingface(dir, config);
  },
};

/** A rewardkit Tokenizer that also hands its special-token strings to chat templates. */
export type HuggingfaceTokenizer = Tokenizer & ChatTemplateTokens & { readonly dir: string };

function tokenizerDir(p: string | undefined): string {
  if (!p) throw new ConfigError('tokenizer "huggingface" needs config.path: a directory holding tokenizer.json');
  const resolved = path.resolve(p);
  // Accept the tokenizer.json file itself too.
  return existsSync(resolved) && statSync(resolved).isFile() ? path.dirname(resolved) : resolved;
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot read the tokenizer file (tokenizer "huggingface" needs tokenizer.json in its dir)`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
}

/** Special tokens are written as a string or as an AddedToken object `{content, ...}`. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const content = v && typeof v === 'object' ? (v as { content?: unknown }).content : undefined;
  return typeof content === 'string' ? content : undefined;
}

/** `chat_template` is a string, or a list of named templates of which "default" is the one. */
function chatTemplateOf(dir: string, cfg: Record<string, unknown>): string | undefined {
  const jinja = path.join(dir, 'chat_template.jinja');
  if (existsSync(jinja)) return readFileSync(jinja, 'utf8');
  const t = cfg.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t as Array<{ name?: string; template?: string }>;
    return (named.find((x) => x.name === 'default') ?? named[0])?.template;
  }
  return undefined;
}

export function openHuggingface(dir: string, config: HuggingfaceConfig = {}): HuggingfaceTokenizer {
  const jsonFile = path.join(dir, 'tokenizer.json');
  const configFile = path.join(dir, 'tokenizer_config.json');
  const tokenizerJson = readJson(jsonFile);
  const tokenizerConfig = existsSync(configFile) ? readJson(configFile) : {};
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(tokenizerJson, tokenizerConfig);
  } catch (err) {
    throw new ConfigError(`${jsonFile}: @huggingface/tokenizers cannot build this tokenizer: ${(err as Error).message}`);
  }
  const { eosToken, padToken, eosId, padId, templateTokens } = specialTokens(hf, tokenizerConfig, config, jsonFile);
  let vocabSize = 0;
  for (const id of hf.get_vocab(true).values()) vocabSize = Math.max(vocabSize, id + 1);
  const chatTemplate = chatTemplateOf(dir, tokenizerConfig);
  const described: HuggingfaceConfig = { ...config, path: dir };

  return {
    name: 'huggingface',
    dir,
    vocabSize,
    eosId,
    padId,
    ...(chatTemplate !== undefined ? { chatTemplate } : {}),
    chatTemplateTokens: templateTokens,
    encode: (text) => hf.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => hf.decode([...ids], { skip_special_tokens: false }),
    save(out) {
      mkdirSync(out, { recursive: true });
      if (path.resolve(out) === path.resolve(dir)) return;
      copyFileSync(jsonFile, path.join(out, 'tokenizer.json'));
      // Record the tokens actually used, so a config override survives the export.
      const saved: Record<string, unknown> = { ...tokenizerConfig, eos_token: eosToken, pad_token: padToken };
      if (chatTemplate !== undefined) saved.chat_template = chatTemplate;
      writeFileSync(path.join(out, 'tokenizer_config.json'), JSON.stringify(saved, null, 2) + '\n');
    },
    describe: () => ({ name: 'huggingface', config: described }),
  };
}

/** EOS and pad: the plugin config's override, else tokenizer_config.json's, else a guess (EOS) or the EOS (pad). */
function specialTokens(hf: HfTokenizer, tokenizerConfig: Record<string, unknown>, config: HuggingfaceConfig, jsonFile: string) {
  const idOf = (token: string, what: string): number => {
    const id = hf.token_to_id(token);
    if (id === undefined) {
      throw new ConfigError(`${jsonFile}: the ${what} token ${JSON.stringify(token)} is not in the vocabulary`);
    }
    return id;
  };
  const eosToken =
    config.eosToken ?? tokenText(tokenizerConfig.eos_token) ?? EOS_GUESSES.find((t) => hf.token_to_id(t) !== undefined);
  if (eosToken === undefined) {
    throw new ConfigError(`${jsonFile}: cannot tell the EOS token; set eos_token in tokenizer_config.json or config.eosToken`);
  }
  const padToken = config.padToken ?? tokenText(tokenizerConfig.pad_token) ?? eosToken;
  // What chat templates read besides the messages.
  const templateTokens: Record<string, string> = { eos_token: eosToken, pad_token: padToken };
  for (const key of ['bos_token', 'unk_token'] as const) {
    const t = tokenText(tokenizerConfig[key]);
    if (t !== undefined) templateTokens[key] = t;
  }
  return { eosToken, padToken, eosId: idOf(eosToken, 'EOS'), padId: idOf(padToken, 'pad'), templateTokens };
}
