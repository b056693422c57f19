import type { TextOrChat, Tokenizer } from '@rewardkit/core';
import { encodePair } from '@rewardkit/tokenizers';

/** One response to a prompt, as token ids: `prompt ++ response ++ EOS`. */
export interface EncodedResponse {
  readonly ids: Int32Array;
  readonly promptLength: number;
}

/**
 * A single (prompt, response) goes through the same rendering and truncation as a training pair
 * (a pair of the response with itself), so the labeler and the scoring server see a text exactly
 * as the trainer did: chat templates, HH turns, prompt cut at its start, EOS kept.
 */
export function encodeResponse(prompt: TextOrChat, response: TextOrChat, tokenizer: Tokenizer, maxLength: number, id = 'response'): EncodedResponse {
  const { encoded } = encodePair({ id, prompt, chosen: response, rejected: response }, tokenizer, { maxLength });
  return { ids: encoded.chosen, promptLength: encoded.promptLength };
}
