/**
 * Test fixture: a tiny but valid Hugging Face byte-level BPE tokenizer (the GPT-2 scheme: 256
 * byte symbols, a handful of merges, ChatML special tokens) written as `tokenizer.json` and
 * `tokenizer_config.json`. Small enough to build in a test, real enough for
 * @huggingface/tokenizers to load like a Hub tokenizer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** ChatML, the template of Qwen and many others: `<|im_start|>role\ncontent<|im_end|>\n`. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const MERGES: Array<[string, string]> = [
  ['h', 'e'],
  ['l', 'l'],
  ['he', 'll'],
  ['hell', 'o'],
  ['Ġ', 'w'],
  ['o', 'r'],
  ['Ġw', 'or'],
  ['Ġwor', 'l'],
  ['Ġworl', 'd'],
];

export const TINY_SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|pad|>'] as const;

/** GPT-2's reversible byte -> printable character map (`bytes_to_unicode`). */
function byteSymbols(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCharCode(printable(b) ? b : 256 + n++));
  return out;
}

export function tinyTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  for (const s of byteSymbols()) vocab[s] = Object.keys(vocab).length;
  for (const [a, b] of MERGES) vocab[a + b] = Object.keys(vocab).length;
  const added_tokens = TINY_SPECIAL_TOKENS.map((content, i) => ({
    id: Object.keys(vocab).length + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: MERGES,
    },
  };
}

/** Writes the tiny tokenizer into `dir`; `config` overrides fields of tokenizer_config.json. */
export function writeTinyTokenizer(dir: string, config: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson()));
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    eos_token: '<|endoftext|>',
    pad_token: { content: '<|pad|>', special: true },
    chat_template: CHATML_TEMPLATE,
    ...config,
  };
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  return dir;
}
