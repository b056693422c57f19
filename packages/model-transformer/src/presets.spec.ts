import { transformerModel } from './transformer.plugin';
import { TransformerConfigSchema } from './transformer-config';
import { TRANSFORMER_PRESETS, transformerParamCount } from './presets';
import { useTestBackend } from './spec-helpers';

useTestBackend('cpu');

const sizeOf = (m: { parameters: readonly { variable: { size: number } }[] }) => m.parameters.reduce((a, p) => a + p.variable.size, 0);

describe('transformer presets', () => {
  it('fill the sizes; explicit fields win; unknown names fail', () => {
    const mid = TransformerConfigSchema.parse({ preset: 'mid' });
    expect(mid).toMatchObject({ preset: 'mid', nLayer: 6, nHead: 8, nEmbd: 512, nPositions: 256, dropout: 0 });
    const over = TransformerConfigSchema.parse({ preset: 'gpt2-small', nLayer: 2, dropout: 0.1 });
    expect(over).toMatchObject({ nLayer: 2, nHead: 12, nEmbd: 768, nPositions: 512, dropout: 0.1 });
    expect(TransformerConfigSchema.safeParse({ preset: 'huge' }).success).toBe(false);
    expect(TransformerConfigSchema.parse({})).not.toHaveProperty('preset');
  });

  it('count parameters as Hugging Face GPT-2 does (124,439,808 for GPT2Model at 1,024 positions)', () => {
    // GPT2Model (no head) has our count minus the [1, d] score row; the figure is HF's published one.
    const g = TRANSFORMER_PRESETS['gpt2-small'];
    expect(transformerParamCount({ ...g, nPositions: 1024 }, 50257) - g.nEmbd).toBe(124_439_808);
    // the sizes the issue names: ~124M, ~45M, ~3.7M (at the PyTorch reference's vocabularies)
    const count = (n: keyof typeof TRANSFORMER_PRESETS) => transformerParamCount(TRANSFORMER_PRESETS[n], TRANSFORMER_PRESETS[n].reference.vocabSize);
    expect(count('gpt2-small')).toBe(124_047_360);
    expect(count('mid')).toBe(44_778_496);
    // torch_gpu_rm.py reports 3,710,209 for small: ours + 1, its head nn.Linear(D, 1) has a bias
    expect(count('small')).toBe(3_710_208);
  });

  it.each(['tiny', 'small'] as const)('%s builds a model with exactly the formula\'s parameters', (name) => {
    const p = TRANSFORMER_PRESETS[name];
    const ctx = { vocabSize: p.reference.vocabSize, padId: 0, eosId: 1, seed: 1 };
    const model = transformerModel.create(TransformerConfigSchema.parse({ preset: name }), ctx);
    try {
      expect(sizeOf(model)).toBe(transformerParamCount(p, ctx.vocabSize));
    } finally {
      model.dispose();
    }
  });
});
