/**
 * The constant inputs of one forward pass, built in plain typed arrays from a SequenceBatch: ids,
 * the additive attention mask and the one-hot pooling mask. They are made outside any gradient
 * tape (no `where`/gather/stridedSlice on taped values), so nothing here needs a gradient.
 */
import { ConfigError, type SequenceBatch } from '@rewardkit/core';

/** Added to masked attention logits: exp underflows to exactly 0, and unlike -Infinity never makes NaN. */
export const MASKED_LOGIT = -1e9;

export interface BatchInputs {
  readonly rows: number;
  readonly width: number;
  /** [rows * width] token ids; padding positions hold 0, a valid row of any embedding. */
  readonly ids: Int32Array;
  /** [rows * width * width] 0 where query i may see key j (j <= i and j < length), else MASKED_LOGIT. */
  readonly attentionBias: Float32Array;
  /** [rows * width] 1 at each row's last real token (the EOS, index lengths[b] - 1), else 0. */
  readonly lastToken: Float32Array;
}

/** Checks a batch against the model's sizes and builds its constant inputs. */
export function buildBatchInputs(batch: SequenceBatch, vocabSize: number, nPositions: number): BatchInputs {
  const { rows, width } = batch;
  if (width > nPositions) {
    throw new ConfigError(
      `batch width ${width} exceeds the transformer's nPositions ${nPositions}: set data.maxLength <= ${nPositions} or raise nPositions`,
    );
  }
  if (batch.ids.length !== rows * width || batch.lengths.length !== rows) {
    throw new ConfigError(`malformed SequenceBatch: ${batch.ids.length} ids and ${batch.lengths.length} lengths for ${rows} x ${width}`);
  }
  const ids = new Int32Array(rows * width);
  const attentionBias = new Float32Array(rows * width * width).fill(MASKED_LOGIT);
  const lastToken = new Float32Array(rows * width);
  for (let b = 0; b < rows; b++) {
    const len = batch.lengths[b];
    if (len < 1 || len > width) throw new ConfigError(`SequenceBatch row ${b} has length ${len}; expected 1..${width}`);
    for (let t = 0; t < len; t++) {
      const id = batch.ids[b * width + t];
      if (id < 0 || id >= vocabSize) {
        throw new ConfigError(`token id ${id} at row ${b}, position ${t} is outside the model's embedding (${vocabSize} rows)`);
      }
      ids[b * width + t] = id;
    }
    // Causal and key padding: query i sees keys 0..min(i, len - 1). Every query keeps key 0, so no
    // softmax row is fully masked; real queries never see padding, so padding cannot change them.
    for (let i = 0; i < width; i++) {
      const row = (b * width + i) * width;
      attentionBias.fill(0, row, row + Math.min(i, len - 1) + 1);
    }
    lastToken[b * width + len - 1] = 1;
  }
  return { rows, width, ids, attentionBias, lastToken };
}

/**
 * [rows * width] 1/sqrt(n) at each row's n response tokens (from promptLengths[b] to the EOS), 0
 * elsewhere: per-token rewards summed with these weights grow with sqrt(length), like the bag model.
 */
export function responsePoolWeights(batch: SequenceBatch): Float32Array {
  const out = new Float32Array(batch.rows * batch.width);
  for (let b = 0; b < batch.rows; b++) {
    const start = Math.min(batch.promptLengths[b], batch.lengths[b] - 1); // the EOS always counts
    const w = 1 / Math.sqrt(batch.lengths[b] - start);
    out.fill(w, b * batch.width + start, b * batch.width + batch.lengths[b]);
  }
  return out;
}

/**
 * The token ids a batch's real positions look up (padding excluded), ascending and distinct: the
 * rows of wte whose gradient can be nonzero. Ids outside the vocabulary are left out, not checked
 * here: the same step's score (buildBatchInputs) refuses the batch with the row and position, and
 * one check a step is enough.
 */
export function usedTokenIds(batch: SequenceBatch, vocabSize: number): Int32Array {
  const seen = new Uint8Array(vocabSize);
  let n = 0;
  for (let b = 0; b < batch.rows; b++) {
    for (let t = 0; t < batch.lengths[b]; t++) {
      const id = batch.ids[b * batch.width + t];
      if (id >= 0 && id < vocabSize && !seen[id]) {
        seen[id] = 1;
        n++;
      }
    }
  }
  const out = new Int32Array(n);
  for (let id = 0, k = 0; k < n; id++) if (seen[id]) out[k++] = id;
  return out;
}

/**
 * `ids` ([B*T], from buildBatchInputs) as indices into the gathered rows `rows` (ascending). A
 * position whose id is not among them (padding, which looks up id 0) gets row 0: padding cannot
 * change a real position's output, so its gradient there is exactly zero and adds nothing.
 */
export function localRowIds(ids: Int32Array, rows: Int32Array): Int32Array {
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    out[i] = rows[lo] === id ? lo : 0;
  }
  return out;
}
