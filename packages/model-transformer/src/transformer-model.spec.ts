import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@rewardkit/core';
import { batchOf, scoresOf, TINY_ARCH, tinyModel, useTestBackend } from './spec-helpers';

const EOS = TINY_ARCH.vocabSize - 1;
/** Deterministic token rows of the given lengths, ending in EOS, avoiding the pad id 0. */
const rows = (lengths: readonly number[]) => lengths.map((n, r) => [...Array.from({ length: n - 1 }, (_, i) => 1 + ((i * 7 + r * 3) % 17)), EOS]);

useTestBackend('cpu');

describe('TransformerModel', () => {
  it('scores a sequence alone and inside a padded batch the same, to 1e-5', () => {
    const model = tinyModel();
    try {
      const seqs = rows([1, 3, 6, 11, 16]);
      const batch = scoresOf(model, batchOf(seqs));
      const alone = seqs.map((s) => scoresOf(model, batchOf([s]))[0]);
      batch.forEach((s, i) => expect(Math.abs(s - alone[i])).toBeLessThan(1e-5));
      // The pad id is irrelevant: padding is found from lengths.
      const otherPad = scoresOf(model, batchOf(seqs, 5));
      otherPad.forEach((s, i) => expect(Math.abs(s - batch[i])).toBeLessThan(1e-6));
    } finally {
      model.dispose();
    }
  });

  it('is causal: changing tokens after position t leaves hidden states up to t unchanged', () => {
    const model = tinyModel();
    try {
      const a = rows([12])[0];
      const b = [...a.slice(0, 5), 3, 9, 9, 2, 4, 8, EOS]; // same first 5 tokens
      const h = tf.tidy(() => model.hiddenStates(batchOf([a, b])).arraySync());
      for (let t = 0; t < 5; t++) h[0][t].forEach((x, c) => expect(Math.abs(x - h[1][t][c])).toBeLessThan(1e-6));
      expect(Math.abs(h[0][5][0] - h[1][5][0])).toBeGreaterThan(1e-4);
    } finally {
      model.dispose();
    }
  });

  it('depends on word order, unlike a bag of words', () => {
    const model = tinyModel();
    try {
      const seq = rows([9])[0];
      const reversed = [...seq.slice(0, -1).reverse(), EOS];
      const rotated = [...seq.slice(1, -1), seq[0], EOS];
      const [s, r, o] = scoresOf(model, batchOf([seq, reversed, rotated]));
      expect(Math.abs(s - r)).toBeGreaterThan(1e-3);
      expect(Math.abs(s - o)).toBeGreaterThan(1e-3);
    } finally {
      model.dispose();
    }
  });

  it('builds equal models from equal seeds and different ones otherwise', () => {
    const [a, b, c] = [tinyModel({ seed: 11 }), tinyModel({ seed: 11 }), tinyModel({ seed: 12 })];
    try {
      const values = (m: typeof a) => m.parameters.map((p) => Array.from(p.variable.dataSync()));
      expect(values(a)).toEqual(values(b));
      expect(values(a)[0]).not.toEqual(values(c)[0]);
      expect(a.parameters.map((p) => p.name)).toEqual(c.parameters.map((p) => p.name));
    } finally {
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  it('applies seeded dropout only when training', () => {
    const model = tinyModel({ dropout: 0.3 });
    const twin = tinyModel({ dropout: 0.3 });
    try {
      const batch = batchOf(rows([4, 8]));
      const evalA = scoresOf(model, batch);
      expect(scoresOf(model, batch)).toEqual(evalA);
      const trainA = tf.tidy(() => Array.from(model.score(batch, { training: true }).dataSync()));
      const trainB = tf.tidy(() => Array.from(model.score(batch, { training: true }).dataSync()));
      const twinA = tf.tidy(() => Array.from(twin.score(batch, { training: true }).dataSync()));
      expect(trainA).not.toEqual(evalA);
      expect(trainB).not.toEqual(trainA); // fresh masks each step
      expect(twinA).toEqual(trainA); // same seed, same masks
    } finally {
      model.dispose();
      twin.dispose();
    }
  });

  it('leaks no tensors: score() inside tidy, and dispose() frees every variable', () => {
    const before = tf.memory().numTensors;
    const model = tinyModel();
    const created = tf.memory().numTensors;
    expect(created - before).toBe(model.parameters.length);
    const batch = batchOf(rows([3, 7]));
    tf.tidy(() => {
      model.score(batch);
      model.hiddenStates(batch);
    });
    expect(tf.memory().numTensors).toBe(created);
    model.dispose();
    model.dispose(); // idempotent
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects batches wider than nPositions and token ids outside the embedding', () => {
    const model = tinyModel();
    try {
      expect(() => model.score(batchOf(rows([17])))).toThrow(ConfigError);
      expect(() => model.score(batchOf(rows([17])))).toThrow(/batch width 17 exceeds the transformer's nPositions 16/);
      expect(() => model.score(batchOf([[3, 20, EOS]]))).toThrow(/token id 20 at row 0, position 1 is outside the model's embedding \(20 rows\)/);
    } finally {
      model.dispose();
    }
  });

  it('counts forward FLOPs per token from the weights and the attended width', () => {
    const model = tinyModel();
    try {
      const { nEmbd: d, nLayer: L, nInner } = TINY_ARCH;
      const weights = 2 * L * (3 * d * d + d * d + 2 * d * nInner) + 2 * d;
      expect(model.flopsPerToken()).toBe(weights + 4 * L * d * TINY_ARCH.nPositions);
      scoresOf(model, batchOf(rows([5])));
      expect(model.flopsPerToken()).toBe(weights + 4 * L * d * 5);
      // at a given width (the automatic worker count's estimate), no wider than the model reads
      expect(model.flopsPerToken(3)).toBe(weights + 4 * L * d * 3);
      expect(model.flopsPerToken(10 * TINY_ARCH.nPositions)).toBe(weights + 4 * L * d * TINY_ARCH.nPositions);
    } finally {
      model.dispose();
    }
  });
});
