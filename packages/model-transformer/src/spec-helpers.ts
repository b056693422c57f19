/** Shared by the spec files (not exported from the package). */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { packSequences, type SequenceBatch } from '@rewardkit/core';
import { useBackend } from '@rewardkit/testing';
import type { Gpt2Architecture } from './gpt2-architecture';
import { TransformerModel, type TransformerOptions } from './transformer-model';

export const FIXTURE_DIR = path.join(__dirname, '..', 'fixtures', 'tiny-gpt2');

/**
 * For a describe block (or a whole file): run on `name` through the backend package, which also
 * registers op gradients and, for wasm, its kernel fixes. cpu is the reference numerics.
 */
export function useTestBackend(name: 'cpu' | 'wasm'): void {
  tf.env().set('IS_TEST', true); // quiets tfjs's "install tfjs-node" banner; kernels also check for leaks
  useBackend(name);
}

export function batchOf(seqs: readonly (readonly number[])[], padId = 0): SequenceBatch {
  return packSequences(
    seqs.map((s) => Int32Array.from(s)),
    seqs.map(() => 0),
    padId,
  );
}

export const TINY_ARCH: Gpt2Architecture = {
  vocabSize: 20,
  nPositions: 16,
  nEmbd: 8,
  nLayer: 2,
  nHead: 2,
  nInner: 32,
  layerNormEps: 1e-5,
  activation: 'gelu_new',
};

/** initStd 0.3, not 0.02: large enough that every layer's nonlinearity matters to the score. */
export function tinyModel(overrides: Partial<TransformerOptions> = {}, arch: Gpt2Architecture = TINY_ARCH): TransformerModel {
  return new TransformerModel(arch, { initStd: 0.3, dropout: 0, seed: 7, padId: 0, eosId: arch.vocabSize - 1, ...overrides });
}

/** Scores as plain numbers, disposing every tensor. */
export function scoresOf(model: { score(b: SequenceBatch): tf.Tensor1D }, batch: SequenceBatch): number[] {
  return tf.tidy(() => Array.from(model.score(batch).dataSync()));
}
