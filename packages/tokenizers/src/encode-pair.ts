/**
 * Pairs -> token ids, with the one truncation policy every use shares.
 *
 * Each sequence is `prompt ++ response ++ EOS`, at most `maxLength` tokens. When that is too long:
 * - the EOS always stays (the model reads the sequence's score there);
 * - the prompt loses its BEGINNING (the latest turns matter most to the response);
 * - a response is cut on the right, but keeps at least `minResponseTokens` (default
 *   min(64, half the room)) however long the prompt, so it is never cut away entirely;
 * - both sequences keep the same prompt tokens, so `promptLength` holds for both.
 * Pairs are never dropped; the stats count how many were truncated and how many truncation made
 * identical (chosen ids == rejected ids), which then teach the model nothing.
 */
import type { EncodedPair, PreferencePair, Tokenizer } from '@rewardkit/core';
import { ConfigError } from '@rewardkit/core';
import { type RenderingTokenizer, renderPair } from './render-pair';

export interface EncodeOptions {
  /** Longest sequence, in tokens, EOS included. */
  readonly maxLength: number;
  /** Response tokens kept however long the prompt; default min(64, floor((maxLength - 1) / 2)), at least 1. */
  readonly minResponseTokens?: number;
}

export interface EncodePairResult {
  readonly encoded: EncodedPair;
  /** The prompt or a response lost tokens. */
  readonly truncated: boolean;
  /** The chosen and rejected ids are the same. */
  readonly identical: boolean;
}

export interface EncodeStats {
  readonly pairs: number;
  readonly truncated: number;
  /** Pairs whose ids are identical (normally only ever because of truncation). */
  readonly identical: number;
  /** Pairs that truncation made identical. */
  readonly madeIdentical: number;
  /** Prompt tokens kept, counted once per pair. */
  readonly promptTokens: number;
  /** Response tokens kept, chosen and rejected together (EOS not counted). */
  readonly responseTokens: number;
  /** Mean sequence length over all 2 * pairs sequences, EOS included. */
  readonly meanLength: number;
  /** Longest sequence produced (<= the maxLength option). */
  readonly maxLength: number;
  /** Wall time spent rendering and tokenizing. */
  readonly elapsedMs: number;
}

type EncodingTokenizer = Pick<Tokenizer, 'encode' | 'eosId'> & RenderingTokenizer;

export function encodePair(pair: PreferencePair, tokenizer: EncodingTokenizer, options: EncodeOptions): EncodePairResult {
  const { budget, minResponse } = checkOptions(options);
  const text = renderPair(pair, tokenizer);
  const prompt = tokenizer.encode(text.prompt); // once, shared by both sequences
  const chosen = tokenizer.encode(text.chosen);
  const rejected = tokenizer.encode(text.rejected);

  // Room the prompt may use: what is left after the longer of the two response reserves.
  const reserve = Math.max(Math.min(chosen.length, minResponse), Math.min(rejected.length, minResponse));
  const promptKeep = Math.max(0, Math.min(prompt.length, budget - reserve));
  const chosenKeep = Math.min(chosen.length, budget - promptKeep);
  const rejectedKeep = Math.min(rejected.length, budget - promptKeep);

  const promptIds = prompt.slice(prompt.length - promptKeep);
  const c = sequence(promptIds, chosen, chosenKeep, tokenizer.eosId);
  const r = sequence(promptIds, rejected, rejectedKeep, tokenizer.eosId);
  return {
    encoded: {
      id: pair.id,
      chosen: c,
      rejected: r,
      promptLength: promptKeep,
      margin: pair.margin ?? 0,
      ...(pair.category !== undefined ? { category: pair.category } : {}),
    },
    truncated: promptKeep < prompt.length || chosenKeep < chosen.length || rejectedKeep < rejected.length,
    identical: sameIds(c, r),
  };
}

export function encodePairs(
  pairs: readonly PreferencePair[],
  tokenizer: EncodingTokenizer,
  options: EncodeOptions,
): { encoded: EncodedPair[]; stats: EncodeStats; truncatedPairs: boolean[] } {
  checkOptions(options);
  const t0 = performance.now();
  const encoded: EncodedPair[] = [];
  const truncatedPairs: boolean[] = []; // per pair, for evaluators and per-pair output
  let truncated = 0;
  let identical = 0;
  let madeIdentical = 0;
  let promptTokens = 0;
  let sequenceTokens = 0;
  let longest = 0;
  for (const pair of pairs) {
    const r = encodePair(pair, tokenizer, options);
    encoded.push(r.encoded);
    truncatedPairs.push(r.truncated);
    if (r.truncated) truncated++;
    if (r.identical) identical++;
    if (r.identical && r.truncated) madeIdentical++;
    promptTokens += r.encoded.promptLength;
    sequenceTokens += r.encoded.chosen.length + r.encoded.rejected.length;
    longest = Math.max(longest, r.encoded.chosen.length, r.encoded.rejected.length);
  }
  const n = pairs.length;
  return {
    encoded,
    truncatedPairs,
    stats: {
      pairs: n,
      truncated,
      identical,
      madeIdentical,
      promptTokens,
      // Each sequence is prompt + response + EOS.
      responseTokens: sequenceTokens - 2 * promptTokens - 2 * n,
      meanLength: n ? sequenceTokens / (2 * n) : 0,
      maxLength: longest,
      elapsedMs: performance.now() - t0,
    },
  };
}

function checkOptions(options: EncodeOptions): { budget: number; minResponse: number } {
  const { maxLength } = options;
  if (!Number.isInteger(maxLength) || maxLength < 2) {
    throw new ConfigError(`maxLength must be an integer >= 2 (room for one response token and EOS), got ${maxLength}`);
  }
  const budget = maxLength - 1; // the EOS always takes one
  const wanted = options.minResponseTokens ?? Math.min(64, Math.max(1, Math.floor(budget / 2)));
  if (!Number.isInteger(wanted) || wanted < 0) {
    throw new ConfigError(`minResponseTokens must be a non-negative integer, got ${wanted}`);
  }
  return { budget, minResponse: Math.min(wanted, budget) };
}

/** [promptIds ++ response[0, keep) ++ eos] */
function sequence(promptIds: readonly number[], response: readonly number[], keep: number, eos: number): Int32Array {
  const out = new Int32Array(promptIds.length + keep + 1);
  out.set(promptIds, 0);
  for (let i = 0; i < keep; i++) out[promptIds.length + i] = response[i];
  out[promptIds.length + keep] = eos;
  return out;
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
