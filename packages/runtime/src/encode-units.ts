/**
 * Records -> token ids for training (units) and evaluation (pairs), with the one truncation policy
 * of `encodePair`. A ranking's K responses share one prompt: each is encoded as the "chosen" side
 * of a pair whose other side is the ranking's longest response, which makes encodePair keep the
 * same prompt tokens for all K (its prompt room is set by the longer response of a pair). The
 * pairs a ranking expands to share their responses' arrays, so scoring dedupes them.
 */
import { isRanking, type EncodedPair, type EncodedRanking, type EncodedUnit, type PreferenceRanking, type PreferenceUnit } from '@rewardkit/core';
import { encodePair, renderPair, type EncodeOptions } from '@rewardkit/tokenizers';

/** What encoding needs of a tokenizer (encodePair's own requirement). */
type EncodingTokenizer = Parameters<typeof encodePair>[1];

export interface EncodedUnits {
  /** One per record: what training batches. */
  readonly units: EncodedUnit[];
  /** Every pair in `unitPairs` order (rankings expanded): what evaluation scores. */
  readonly pairs: EncodedPair[];
  /** Per pair: truncation cut its record. */
  readonly truncatedPairs: boolean[];
  /** Records truncation cut. */
  readonly truncated: number;
  /** Records where truncation made two responses identical. */
  readonly madeIdentical: number;
}

export function encodeUnits(records: readonly PreferenceUnit[], tokenizer: EncodingTokenizer, options: EncodeOptions): EncodedUnits {
  const units: EncodedUnit[] = [];
  const pairs: EncodedPair[] = [];
  const truncatedPairs: boolean[] = [];
  let truncated = 0;
  let madeIdentical = 0;
  for (const record of records) {
    if (isRanking(record)) {
      const r = encodeRanking(record, tokenizer, options);
      units.push(r.encoded);
      const expanded = rankingEncodedPairs(r.encoded);
      pairs.push(...expanded);
      for (let i = 0; i < expanded.length; i++) truncatedPairs.push(r.truncated);
      if (r.truncated) truncated++;
      if (r.truncated && r.identical) madeIdentical++;
    } else {
      const r = encodePair(record, tokenizer, options);
      const encoded: EncodedPair = {
        ...r.encoded,
        ...(record.tie ? { tie: true } : {}),
        ...(record.strength !== undefined ? { strength: record.strength } : {}),
      };
      units.push(encoded);
      pairs.push(encoded);
      truncatedPairs.push(r.truncated);
      if (r.truncated) truncated++;
      if (r.truncated && r.identical) madeIdentical++;
    }
  }
  return { units, pairs, truncatedPairs, truncated, madeIdentical };
}

function encodeRanking(
  r: PreferenceRanking,
  tokenizer: EncodingTokenizer,
  options: EncodeOptions,
): { encoded: EncodedRanking; truncated: boolean; identical: boolean } {
  const asPair = (k: number, other: number) => ({ id: r.id, prompt: r.prompt, chosen: r.responses[k], rejected: r.responses[other], ...(r.origin ? { origin: r.origin } : {}) });
  // the longest response (in tokens, as rendered) sets the prompt room for all
  const lengths = r.responses.map((_, k) => tokenizer.encode(renderPair(asPair(k, k === 0 ? 1 : 0), tokenizer).chosen).length);
  const longest = lengths.indexOf(Math.max(...lengths));
  const encoded = r.responses.map((_, k) => encodePair(asPair(k, longest), tokenizer, options));
  const responses = encoded.map((e) => e.encoded.chosen);
  const identical = responses.some((a, i) => responses.some((b, j) => j > i && a.length === b.length && a.every((x, t) => x === b[t])));
  return {
    encoded: {
      id: r.id,
      responses,
      ranks: Int32Array.from(r.ranking),
      promptLength: encoded[0].encoded.promptLength,
      ...(r.category !== undefined ? { category: r.category } : {}),
    },
    truncated: encoded.some((e) => e.truncated),
    identical,
  };
}

/** The pairs of an encoded ranking in `rankingPairs` order, sharing its response arrays. */
function rankingEncodedPairs(u: EncodedRanking): EncodedPair[] {
  const out: EncodedPair[] = [];
  const K = u.responses.length;
  for (let i = 0; i < K; i++) {
    for (let j = i + 1; j < K; j++) {
      const tie = u.ranks[i] === u.ranks[j];
      const [a, b] = u.ranks[j] < u.ranks[i] ? [j, i] : [i, j];
      out.push({
        id: `${u.id}#${a}>${b}`,
        chosen: u.responses[a],
        rejected: u.responses[b],
        promptLength: u.promptLength,
        margin: 0,
        ...(tie ? { tie: true } : {}),
        ...(u.category !== undefined ? { category: u.category } : {}),
      });
    }
  }
  return out;
}
