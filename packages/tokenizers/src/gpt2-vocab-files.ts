/**
 * GPT-2's vocabulary in Hugging Face's files (vocab.json, merges.txt, tokenizer.json), rebuilt
 * from the BPE ranks gpt-tokenizer bundles, so an exported gpt2-bpe model carries a tokenizer
 * Python loads with AutoTokenizer. r50k_base IS GPT-2's encoding: the rank of a token is its id.
 *
 * Merges are recovered as tiktoken-to-Hugging-Face converters do: a token's merge is the last step
 * of BPE on its own bytes using only lower-ranked tokens, which always ends in exactly two parts.
 * Token strings use GPT-2's byte-to-unicode map (printable bytes stand for themselves, the others
 * are shifted to U+0100 and up), as vocab.json spells them.
 */
import bpeRanks from 'gpt-tokenizer/cjs/bpeRanks/r50k_base';

export const GPT2_EOS_TEXT = '<|endoftext|>';

/** GPT-2's byte -> printable character map (bytes_to_unicode in its encoder.py). */
function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const out = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + shifted++);
  return out;
}

export interface Gpt2Vocabulary {
  /** Token string (byte-to-unicode spelling) -> id, ids 0..50256 in order. */
  readonly vocab: Map<string, number>;
  /** "left right" pairs in merge priority order. */
  readonly merges: string[];
}

let cached: Gpt2Vocabulary | undefined;

export function gpt2Vocabulary(): Gpt2Vocabulary {
  if (cached) return cached;
  const enc = new TextEncoder();
  const chars = byteToUnicode();
  const tokens: Uint8Array[] = (bpeRanks as (string | number[])[]).map((t) => (typeof t === 'string' ? enc.encode(t) : Uint8Array.from(t)));
  const key = (bytes: Uint8Array) => Array.from(bytes, (b) => chars[b]).join('');
  const rank = new Map<string, number>(tokens.map((t, i) => [key(t), i]));
  const vocab = new Map<string, number>(rank);
  vocab.set(GPT2_EOS_TEXT, tokens.length); // 50256: the one special token
  const merges: string[] = [];
  for (let id = 0; id < tokens.length; id++) {
    if (tokens[id].length < 2) continue;
    const parts = lowerRankBpe(Array.from(tokens[id], (b) => chars[b]), rank, id);
    if (parts.length !== 2) throw new Error(`gpt2 vocabulary: token ${id} does not split into two lower-ranked tokens`);
    merges.push(`${parts[0]} ${parts[1]}`);
  }
  cached = { vocab, merges };
  return cached;
}

/** BPE merging the lowest-ranked adjacent pair while its rank is below `maxRank`. */
function lowerRankBpe(parts: string[], rank: Map<string, number>, maxRank: number): string[] {
  for (;;) {
    let best = -1;
    let bestRank = maxRank;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = rank.get(parts[i] + parts[i + 1]);
      if (r !== undefined && r < bestRank) {
        best = i;
        bestRank = r;
      }
    }
    if (best < 0) return parts;
    parts.splice(best, 2, parts[best] + parts[best + 1]);
  }
}

/** tokenizer.json: byte-level BPE as GPT-2 ships it, with the EOS appended by the post-processor. */
export function gpt2TokenizerJson(v: Gpt2Vocabulary, eosId: number): Record<string, unknown> {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: eosId, content: GPT2_EOS_TEXT, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: byteLevel,
    // rewardkit's sequences end in the EOS (encodePair); the post-processor makes tokenizer(text) do the same.
    post_processor: eosPostProcessor(GPT2_EOS_TEXT, eosId),
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(v.vocab),
      merges: v.merges,
    },
  };
}

/** A TemplateProcessing that appends `eos` to every sequence (and to each of a pair). */
export function eosPostProcessor(eos: string, eosId: number): Record<string, unknown> {
  return {
    type: 'TemplateProcessing',
    single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: eos, type_id: 0 } }],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: eos, type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: eos, type_id: 1 } }],
    special_tokens: { [eos]: { id: eos, ids: [eosId], tokens: [eos] } },
  };
}
