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

  it('reports a pad = EOS tokenizer as it is, without a warning: the export adds a distinct pad (engine huggingface-export.ts)', () => {
    const lines: [LogLevel, string][] = [];
    setLogSink((level, line) => lines.push([level, line]));
    const model = tinyModel({ padId: EOS });
    try {
      expect(model.huggingFaceConfig()).toMatchObject({ pad_token_id: EOS, eos_token_id: EOS, vocab_size: 20 });
      expect(lines.filter(([level]) => level === 'warn')).toEqual([]);
    } finally {
      setLogSink(undefined);
      model.dispose();
    }
  });
});
