import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { packSequences, type SequenceBatch, type Tokenizer } from '@rewardkit/core';
import { exportModelDir } from '@rewardkit/engine';
import { loadHuggingFaceModel, TransformerModel, type Gpt2Architecture } from '@rewardkit/model-transformer';
import { readSafetensorsFile } from '@rewardkit/safetensors';
import { useBackend } from '@rewardkit/testing';

const ARCH: Gpt2Architecture = { vocabSize: 20, nPositions: 16, nEmbd: 8, nLayer: 2, nHead: 2, nInner: 32, layerNormEps: 1e-5, activation: 'gelu_new' };
const EOS = ARCH.vocabSize - 1;
/** exportModelDir asks a tokenizer to describe and save itself, and for its pad and EOS (here distinct: no pad is added). */
const tokenizer = { name: 'stub', vocabSize: 20, padId: 0, eosId: EOS, describe: () => ({ name: 'stub', config: {} }), save: () => undefined } as unknown as Tokenizer;

const batch: SequenceBatch = packSequences(
  [[4, 8, 15, 16, EOS], [2, EOS], [1, 2, 3, 4, 5, 6, 7, 8, 9, EOS]].map((s) => Int32Array.from(s)),
  [0, 0, 0],
  0,
);
const scoresOf = (model: { score(b: SequenceBatch): tf.Tensor1D }) => tf.tidy(() => Array.from(model.score(batch).dataSync()));

/**
 * The trainer's one export path (engine's exportModelDir) writes a transformer as Hugging Face's
 * GPT2ForSequenceClassification: the directory loads back, through the model plugin's own
 * Hugging Face reader, to bit-identical scores.
 */
describe('exportModelDir with a transformer', () => {
  useBackend('cpu');
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-export-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes a GPT2ForSequenceClassification directory that imports to bit-identical scores', async () => {
    const model = new TransformerModel(ARCH, { initStd: 0.3, dropout: 0, seed: 7, padId: 0, eosId: EOS });
    const dir = path.join(tmp, 'final');
    let loaded: TransformerModel | undefined;
    try {
      await exportModelDir(dir, model, tokenizer, { name: 'transformer', config: {} }, { steps: 3 });
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({
        architectures: ['GPT2ForSequenceClassification'],
        model_type: 'gpt2',
        num_labels: 1,
        pad_token_id: 0,
        eos_token_id: EOS,
        vocab_size: 20,
        n_layer: 2,
        n_embd: 8,
        rewardkit: { format: 'rewardkit-model', model: { name: 'transformer' }, info: { steps: 3 } },
      });
      const file = readSafetensorsFile(path.join(dir, 'model.safetensors'));
      expect(file.metadata).toEqual({ format: 'pt' });
      expect([...file.tensors.keys()]).toEqual(model.parameters.map((p) => p.name));
      expect(file.tensors.get('score.weight')!.shape).toEqual([1, 8]);

      loaded = loadHuggingFaceModel(dir, { vocabSize: 20, padId: 0, eosId: EOS, seed: 99 }, { dropout: 0, initStd: 0.02 });
      expect(scoresOf(loaded)).toEqual(scoresOf(model));
      const { rewardkit: _meta, ...hf } = config;
      expect(loaded.huggingFaceConfig()).toEqual({ ...hf, initializer_range: 0.02 });
    } finally {
      model.dispose();
      loaded?.dispose();
    }
  });
});
