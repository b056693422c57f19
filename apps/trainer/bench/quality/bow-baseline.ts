/**
 * Bag-of-words Bradley-Terry baselines: logistic regression on the difference of the two
 * responses' n-gram counts, P(chosen) = sigmoid(w . (f(chosen) - f(rejected))). No bias: the
 * model is antisymmetric in its two arguments, as a reward difference is. The prompt is shared by
 * both sides, so it cancels: these are the best a bag of the response's words can do.
 *
 * Fitted by full-batch Adam on the mean log-loss plus L2; the L2 strength is chosen on the last
 * fifth of the training pairs, then the model is refitted on all of them.
 */

export interface TextPair {
  readonly chosen: string;
  readonly rejected: string;
}

/** Lower-cased words; punctuation dropped. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z']+/g) ?? [];
}

/** n-gram counts of one text (n = 1, or 1 and 2). */
export function ngramCounts(text: string, maxN: 1 | 2): Map<string, number> {
  const w = words(text);
  const counts = new Map<string, number>();
  const add = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  for (let i = 0; i < w.length; i++) {
    add(w[i]);
    if (maxN === 2 && i + 1 < w.length) add(`${w[i]} ${w[i + 1]}`);
  }
  return counts;
}

/** Sparse feature-difference rows over a feature index built from the training pairs. */
interface SparseRows {
  readonly index: number[][];
  readonly value: number[][];
}

function featurize(pairs: readonly TextPair[], maxN: 1 | 2, vocab: Map<string, number>, grow: boolean): SparseRows {
  const index: number[][] = [];
  const value: number[][] = [];
  for (const p of pairs) {
    const diff = new Map<number, number>();
    const addAll = (text: string, sign: number) => {
      for (const [k, c] of ngramCounts(text, maxN)) {
        let id = vocab.get(k);
        if (id === undefined) {
          if (!grow) continue; // unseen at training: weight 0
          id = vocab.size;
          vocab.set(k, id);
        }
        diff.set(id, (diff.get(id) ?? 0) + sign * c);
      }
    };
    addAll(p.chosen, 1);
    addAll(p.rejected, -1);
    const nz = [...diff.entries()].filter(([, v]) => v !== 0);
    index.push(nz.map(([i]) => i));
    value.push(nz.map(([, v]) => v));
  }
  return { index, value };
}

function fit(rows: SparseRows, dims: number, l2: number, epochs: number): Float64Array {
  const w = new Float64Array(dims);
  const m = new Float64Array(dims);
  const v = new Float64Array(dims);
  const g = new Float64Array(dims);
  const lr = 0.05;
  const n = rows.index.length;
  for (let t = 1; t <= epochs; t++) {
    g.fill(0);
    for (let r = 0; r < n; r++) {
      const idx = rows.index[r];
      const val = rows.value[r];
      let z = 0;
      for (let j = 0; j < idx.length; j++) z += w[idx[j]] * val[j];
      const coef = -1 / (1 + Math.exp(z)) / n; // d/dz of -log sigmoid(z), averaged
      for (let j = 0; j < idx.length; j++) g[idx[j]] += coef * val[j];
    }
    for (let k = 0; k < dims; k++) {
      const gk = g[k] + l2 * w[k];
      m[k] = 0.9 * m[k] + 0.1 * gk;
      v[k] = 0.999 * v[k] + 0.001 * gk * gk;
      w[k] -= (lr * (m[k] / (1 - 0.9 ** t))) / (Math.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  return w;
}

/** Share of rows with w . x > 0, a tie (0) counting half. */
function accuracyOf(w: Float64Array, rows: SparseRows): number[] {
  return rows.index.map((idx, r) => {
    let z = 0;
    for (let j = 0; j < idx.length; j++) z += w[idx[j]] * rows.value[r][j];
    return z > 0 ? 1 : z === 0 ? 0.5 : 0;
  });
}

export interface BaselineResult {
  readonly l2: number;
  readonly features: number;
  /** Per test pair: 1 correct, 0.5 tie, 0 wrong. */
  readonly correct: number[];
}

const L2_GRID = [1e-4, 1e-3, 1e-2];

/** Trains on `train`, scores `test`. */
export function bowBaseline(train: readonly TextPair[], test: readonly TextPair[], maxN: 1 | 2, epochs = 300): BaselineResult {
  const cut = Math.floor(train.length * 0.8);
  let best = { l2: L2_GRID[0], acc: -1 };
  for (const l2 of L2_GRID) {
    const vocab = new Map<string, number>();
    const fitRows = featurize(train.slice(0, cut), maxN, vocab, true);
    const valRows = featurize(train.slice(cut), maxN, vocab, false);
    const c = accuracyOf(fit(fitRows, vocab.size, l2, epochs), valRows);
    const acc = c.reduce((a, b) => a + b, 0) / c.length;
    if (acc > best.acc) best = { l2, acc };
  }
  const vocab = new Map<string, number>();
  const rows = featurize(train, maxN, vocab, true);
  const w = fit(rows, vocab.size, best.l2, epochs);
  return { l2: best.l2, features: vocab.size, correct: accuracyOf(w, featurize(test, maxN, vocab, false)) };
}
