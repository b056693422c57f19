/**
 * What makes an exported directory score in Python exactly as rewardkit scores it, with the
 * library's default code (AutoTokenizer + AutoModelForSequenceClassification, padding=True):
 *
 * - A pad token distinct from the EOS. GPT2ForSequenceClassification reads the reward at the last
 *   token that is not `pad_token_id`; with pad = EOS (GPT-2's own tokenizer) that is the token
 *   BEFORE the EOS rewardkit reads. When the tokenizer's pad is its EOS, the export adds
 *   `<|pad|>` at the tokenizer's next id (Hugging Face assigns an added token exactly that id)
 *   and, when that id is past the embedding, one zero row to `transformer.wte.weight`. The row is
 *   never read for a score: right padding sits after the EOS, and attention is causal. rewardkit
 *   itself keeps scoring with the tokenizer it trained with; `loadModelDir` drops the row again.
 * - A tokenizer whose `tokenizer(text)` gives rewardkit's ids: its post-processor appends the EOS
 *   (encodePair's `prompt ++ response ++ EOS`), pads on the right, and knows the maximum length.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CheckpointError, type Tokenizer } from '@rewardkit/core';
import type { SafeTensor } from '@rewardkit/safetensors';

export const ADDED_PAD_TOKEN = '<|pad|>';

/** The token embedding of each Hugging Face model_type we export. */
const EMBEDDING_BY_MODEL_TYPE: Record<string, string> = { gpt2: 'transformer.wte.weight' };

/** How the export's pad differs from the tokenizer rewardkit trains with; recorded in config.json. */
export interface ExportedPad {
  readonly padId: number;
  /** `<|pad|>` was added to the exported tokenizer. */
  readonly addedToken: boolean;
  /** Rows appended to the embedding (0 or 1), dropped again by loadModelDir. */
  readonly addedRows: number;
  readonly embedding?: string;
}

/**
 * Chooses the export's pad; grows the embedding in `tensors` and patches `hfConfig` to match.
 * `savedDir` holds what `tokenizer.save()` wrote: a `<|pad|>` already in its tokenizer.json (a
 * model exported before and trained again) is reused.
 */
export function distinctPad(tokenizer: Tokenizer, hfConfig: Record<string, unknown>, tensors: Map<string, SafeTensor>, savedDir: string): ExportedPad {
  if (tokenizer.padId !== tokenizer.eosId) {
    hfConfig.pad_token_id = tokenizer.padId;
    return { padId: tokenizer.padId, addedToken: false, addedRows: 0 };
  }
  const jsonFile = path.join(savedDir, 'tokenizer.json');
  const existing = fs.existsSync(jsonFile) ? tokenId(readJson(jsonFile), ADDED_PAD_TOKEN) : undefined;
  const padId = existing ?? tokenizer.vocabSize; // Hugging Face gives an added token the next id
  const embedding = EMBEDDING_BY_MODEL_TYPE[String(hfConfig.model_type)];
  const wte = embedding ? tensors.get(embedding) : undefined;
  if (!embedding || !wte) throw new CheckpointError(`export: cannot add a pad row: no token embedding known for model_type ${JSON.stringify(hfConfig.model_type)}`);
  const [rows, width] = wte.shape;
  let addedRows = 0;
  if (padId >= rows) {
    addedRows = padId + 1 - rows;
    const grown = new Float32Array((padId + 1) * width); // new rows: zeros
    grown.set(wte.data as Float32Array);
    tensors.set(embedding, { dtype: 'F32', shape: [padId + 1, width], data: grown });
  }
  hfConfig.vocab_size = Math.max(rows, padId + 1);
  hfConfig.pad_token_id = padId;
  return { padId, addedToken: true, addedRows, embedding };
}

type Json = Record<string, unknown>;

function readJson(file: string): Json {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Json) : {};
}

/** The id of token `text` in a tokenizer.json (an added token or the model's vocabulary). */
function tokenId(tj: Json, text: string): number | undefined {
  const added = (tj.added_tokens as Array<{ id: number; content: string }> | undefined)?.find((t) => t.content === text);
  if (added) return added.id;
  const vocab = (tj.model as { vocab?: unknown } | undefined)?.vocab;
  return vocab && !Array.isArray(vocab) ? (vocab as Record<string, number>)[text] : undefined;
}

/** The string of token `id` in a tokenizer.json (an added token or the model's vocabulary). */
function tokenString(tj: Json, id: number): string | undefined {
  const added = (tj.added_tokens as Array<{ id: number; content: string }> | undefined)?.find((t) => t.id === id);
  if (added) return added.content;
  const vocab = (tj.model as { vocab?: unknown } | undefined)?.vocab;
  if (vocab && !Array.isArray(vocab)) return Object.entries(vocab as Record<string, number>).find(([, v]) => v === id)?.[0];
  if (Array.isArray(vocab)) return (vocab[id] as [string, number] | undefined)?.[0]; // Unigram: [piece, score]
  return undefined;
}

/**
 * Rewrites the tokenizer files `tokenizer.save()` wrote into `dir` for AutoTokenizer: EOS appended by
 * the post-processor, the pad token, right padding, left truncation, `model_max_length`. Does
 * nothing for tokenizers that wrote no tokenizer.json (they have no Hugging Face counterpart).
 */
export function completeTokenizerFiles(dir: string, tokenizer: Tokenizer, pad: ExportedPad, maxLength: number | undefined): void {
  const jsonFile = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(jsonFile)) return;
  const tj = readJson(jsonFile);
  const eos = tokenString(tj, tokenizer.eosId);
  if (eos === undefined) throw new CheckpointError(`${jsonFile}: the EOS id ${tokenizer.eosId} is not in the vocabulary`);
  const added = (tj.added_tokens as Json[] | undefined) ?? [];
  if (pad.addedToken && !added.some((t) => t.content === ADDED_PAD_TOKEN)) {
    added.push({ id: pad.padId, content: ADDED_PAD_TOKEN, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  }
  const padText = pad.addedToken ? ADDED_PAD_TOKEN : tokenString(tj, pad.padId);
  tj.added_tokens = added;
  tj.post_processor = {
    type: 'TemplateProcessing',
    single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: eos, type_id: 0 } }],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: eos, type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: eos, type_id: 1 } }],
    special_tokens: { [eos]: { id: eos, ids: [tokenizer.eosId], tokens: [eos] } },
  };
  tj.truncation = null; // set per call in Python; model_max_length below is the default
  tj.padding = null;
  fs.writeFileSync(jsonFile, JSON.stringify(tj));

  const configFile = path.join(dir, 'tokenizer_config.json');
  const cfg = readJson(configFile);
  // Classes such as LlamaTokenizer rebuild the post-processor from these flags; the file's own is the truth.
  delete cfg.add_bos_token;
  delete cfg.add_eos_token;
  const decoder = cfg.added_tokens_decoder as Record<string, Json> | undefined;
  if (decoder && pad.addedToken) decoder[String(pad.padId)] = { content: ADDED_PAD_TOKEN, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
  Object.assign(cfg, {
    tokenizer_class: 'PreTrainedTokenizerFast', // tokenizer.json exactly as written, post-processor included
    eos_token: eos,
    pad_token: padText,
    padding_side: 'right', // positions count from the first token: left padding would shift them
    truncation_side: 'left', // the prompt's beginning goes first, as in rewardkit (see the model card for the full policy)
    ...(maxLength !== undefined ? { model_max_length: maxLength } : {}),
  });
  fs.writeFileSync(configFile, JSON.stringify(cfg, null, 2) + '\n');
}
