/**
 * A batch of token sequences as models see it: right-padded rows of `prompt ++ response ++ EOS`.
 * Plain typed arrays, so that shards can travel between processes without tensors.
 */
export interface SequenceBatch {
  /** [rows, width] row-major token ids; positions past `lengths[b]` hold the pad id. */
  readonly ids: Int32Array;
  /** [rows] number of real tokens per row; the last real token is EOS. */
  readonly lengths: Int32Array;
  /** [rows] how many leading tokens of each row belong to the prompt. */
  readonly promptLengths: Int32Array;
  readonly rows: number;
  readonly width: number;
}

/** One tokenized pair: prompt and the two responses, each ending in EOS. */
export interface EncodedPair {
  readonly id: string;
  /** prompt ++ chosen ++ EOS */
  readonly chosen: Int32Array;
  /** prompt ++ rejected ++ EOS */
  readonly rejected: Int32Array;
  /** Tokens of the shared prompt at the start of both sequences. */
  readonly promptLength: number;
  readonly margin: number;
  /** An annotated tie: chosen/rejected are just A and B. */
  readonly tie?: boolean;
  /** Annotated preference strength (0 or absent where none). */
  readonly strength?: number;
  readonly category?: string;
}

/** One tokenized ranking: K responses to one prompt, each `prompt ++ response ++ EOS`. */
export interface EncodedRanking {
  readonly id: string;
  /** [K] prompt ++ response ++ EOS, in the record's order. */
  readonly responses: readonly Int32Array[];
  /** [K] rank of each response, 0 = best; equal ranks are tied. */
  readonly ranks: Int32Array;
  /** Tokens of the shared prompt at the start of every sequence. */
  readonly promptLength: number;
  readonly category?: string;
}

/** A tokenized record: the unit of batching and sharding (its responses stay on one worker). */
export type EncodedUnit = EncodedPair | EncodedRanking;

export function isEncodedRanking(u: EncodedUnit): u is EncodedRanking {
  return 'responses' in u;
}

/** A unit's sequences in scoring order (a pair: chosen, rejected) and their ranks (a tie: equal). */
export function unitSequences(u: EncodedUnit): { seqs: readonly Int32Array[]; ranks: ArrayLike<number> } {
  if (isEncodedRanking(u)) return { seqs: u.responses, ranks: u.ranks };
  return { seqs: [u.chosen, u.rejected], ranks: u.tie ? [0, 0] : [0, 1] };
}

/** Pads `seqs` into one batch of width max(length). */
export function packSequences(
  seqs: readonly Int32Array[],
  promptLengths: readonly number[],
  padId: number,
): SequenceBatch {
  const rows = seqs.length;
  let width = 1;
  for (const s of seqs) width = Math.max(width, s.length);
  const ids = new Int32Array(rows * width).fill(padId);
  const lengths = new Int32Array(rows);
  const prompts = new Int32Array(rows);
  for (let b = 0; b < rows; b++) {
    ids.set(seqs[b], b * width);
    lengths[b] = seqs[b].length;
    prompts[b] = promptLengths[b];
  }
  return { ids, lengths, promptLengths: prompts, rows, width };
}

/**
 * The batch a pair step scores: rows [0, n) are the chosen sequences, rows [n, 2n) the rejected
 * ones, so one forward pass scores both.
 */
export function packPairs(pairs: readonly EncodedPair[], padId: number): SequenceBatch {
  const seqs = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)];
  const prompts = [...pairs.map((p) => p.promptLength), ...pairs.map((p) => p.promptLength)];
  return packSequences(seqs, prompts, padId);
}

/** [n] the pairs' margins, in order: the loss input that travels beside `packPairs`. */
export function pairMargins(pairs: readonly EncodedPair[]): Float32Array {
  return Float32Array.from(pairs, (p) => p.margin);
}

/** Real tokens of one unit (all its sequences): its cost for sharding and length bucketing. */
export function pairLength(u: EncodedUnit): number {
  if (!isEncodedRanking(u)) return u.chosen.length + u.rejected.length;
  let n = 0;
  for (const s of u.responses) n += s.length;
  return n;
}

/** Real (non-pad) tokens in a set of units: the unit of work for sharding and throughput. */
export function pairTokens(units: readonly EncodedUnit[]): number {
  let n = 0;
  for (const u of units) n += pairLength(u);
  return n;
}
