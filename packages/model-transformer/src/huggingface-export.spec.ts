import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointError, type LogLevel, type RewardModel, setLogSink } from '@rewardkit/core';
import { readSafetensorsFile } from '@rewardkit/safetensors';
import { loadHuggingFaceModel } from './huggingface-checkpoint';
import { exportHuggingFace } from './huggingface-export';
import { batchOf, scoresOf, TINY_ARCH, tinyModel, useTestBackend } from './spec-helpers';

let tmp: string;
useTestBackend('cpu');
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-export-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const EOS = TINY_ARCH.vocabSize - 1;
const seqs = [[4, 8, 15, 16, EOS], [2, EOS], [1, 2, 3, 4, 5, 6, 7, 8, 9, EOS]];

describe('exportHuggingFace', () => {
  it('writes a GPT2ForSequenceClassification directory that imports to bit-identical scores', () => {
    const model = tinyModel({ padId: 0 });
    let loaded: RewardModel | undefined;
    try {
      exportHuggingFace(model, tmp, { rewardkit_version: '0.1.0' });
      const config = JSON.parse(fs.readFileSync(path.join(tmp, 'config.json'), 'utf8'));
      expect(config).toMatchObject({
        architectures: ['GPT2ForSequenceClassification'],
        model_type: 'gpt2',
        num_labels: 1,
        id2label: { '0': 'LABEL_0' },
        label2id: { LABEL_0: 0 },
        pad_token_id: 0,
        eos_token_id: EOS,
        bos_token_id: EOS,
        vocab_size: 20,
        n_layer: 2,
        n_head: 2,
        n_embd: 8,
        n_positions: 16,
        n_inner: null,
        activation_function: 'gelu_new',
        rewardkit_version: '0.1.0',
      });
      const file = readSafetensorsFile(path.join(tmp, 'model.safetensors'));
      expect(file.metadata).toEqual({ format: 'pt' });
      expect([...file.tensors.keys()]).toEqual(model.parameters.map((p) => p.name));
      expect(file.tensors.get('transformer.h.1.attn.c_attn.weight')!.shape).toEqual([8, 24]);
      expect(file.tensors.get('score.weight')!.shape).toEqual([1, 8]);

      loaded = loadHuggingFaceModel(tmp, { vocabSize: 20, padId: 0, eosId: EOS, seed: 99 }, { dropout: 0, initStd: 0.02 });
      const batch = batchOf(seqs);
      expect(scoresOf(loaded, batch)).toEqual(scoresOf(model, batch));
      expect(loaded.huggingFaceConfig!()).toEqual({ ...config, rewardkit_version: undefined, initializer_range: 0.02 });
    } finally {
      model.dispose();
      loaded?.dispose();
    }
  });

  it('warns when pad and EOS share an id, since Hugging Face would then read the token before EOS', () => {
    const lines: [LogLevel, string][] = [];
    setLogSink((level, line) => lines.push([level, line]));
    const model = tinyModel({ padId: EOS });
    try {
      exportHuggingFace(model, tmp);
      expect(lines.filter(([level, l]) => level === 'warn' && l.includes('pad_token_id == eos_token_id'))).toHaveLength(1);
      model.huggingFaceConfig(); // once per model
      expect(lines).toHaveLength(1);
    } finally {
      setLogSink(undefined);
      model.dispose();
    }
  });

  it('refuses a model without a Hugging Face counterpart', () => {
    const model = tinyModel();
    try {
      const plain: RewardModel = { parameters: model.parameters, score: (b) => model.score(b), flopsPerToken: () => 1, dispose: () => {} };
      expect(() => exportHuggingFace(plain, tmp)).toThrow(CheckpointError);
    } finally {
      model.dispose();
    }
  });
});
