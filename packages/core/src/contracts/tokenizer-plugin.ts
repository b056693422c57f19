import type { PluginBase } from './plugin';

/** Turns text into token ids. Sequences end in `eosId`, where sequence-level scores are read. */
export interface Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly eosId: number;
  readonly padId: number;
  /** A Jinja chat template, when the tokenizer ships one (Hugging Face `chat_template`). */
  readonly chatTemplate?: string;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Writes the files that let `loadTokenizer` rebuild this tokenizer from an exported model dir. */
  save(dir: string): void;
  /** The plugin name and config that recreate this tokenizer. */
  describe(): { readonly name: string; readonly config: unknown };
}

export interface TokenizerContext {
  /** A model directory whose own tokenizer files take precedence, if any. */
  readonly modelDir?: string;
}

export type TokenizerPlugin<C = unknown> = PluginBase<'tokenizer', C, TokenizerContext, Tokenizer>;
