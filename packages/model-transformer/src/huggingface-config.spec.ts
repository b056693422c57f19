import { type LogLevel, setLogSink } from '@rewardkit/core';
import { TINY_ARCH, tinyModel, useTestBackend } from './spec-helpers';

const EOS = TINY_ARCH.vocabSize - 1;
useTestBackend('cpu');

/** The export itself (engine's exportModelDir) is tested in packages/training/src/huggingface-export.spec.ts. */
describe('huggingFaceConfig', () => {
  it('describes a GPT2ForSequenceClassification with one label', () => {
    const model = tinyModel({ padId: 0 });
    try {
      expect(model.huggingFaceConfig()).toMatchObject({
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
      });
    } finally {
      model.dispose();
    }
  });

  it('warns when pad and EOS share an id, since Hugging Face would then read the token before EOS', () => {
    const lines: [LogLevel, string][] = [];
    setLogSink((level, line) => lines.push([level, line]));
    const model = tinyModel({ padId: EOS });
    try {
      model.huggingFaceConfig();
      expect(lines.filter(([level, l]) => level === 'warn' && l.includes('pad_token_id == eos_token_id'))).toHaveLength(1);
      model.huggingFaceConfig(); // once per model
      expect(lines).toHaveLength(1);
    } finally {
      setLogSink(undefined);
      model.dispose();
    }
  });
});
