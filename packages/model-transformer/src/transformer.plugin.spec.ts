import { parseRunConfig, PluginRegistry } from '@rewardkit/core';
import { register } from './register';
import { useTestBackend } from './spec-helpers';
import { transformerModel } from './transformer.plugin';
import { TransformerConfigSchema } from './transformer-config';
import type { TransformerModel } from './transformer-model';

const ctx = { vocabSize: 30, padId: 0, eosId: 29, seed: 1 };

useTestBackend('cpu');

describe('transformer plugin', () => {
  it('fills defaults and rejects impossible sizes', () => {
    expect(TransformerConfigSchema.parse({})).toEqual({
      nLayer: 2,
      nHead: 2,
      nEmbd: 64,
      nPositions: 512,
      dropout: 0,
      layerNormEps: 1e-5,
      pool: 'last',
      initStd: 0.02,
    });
    expect(TransformerConfigSchema.safeParse({ nEmbd: 30, nHead: 4 }).success).toBe(false);
    expect(TransformerConfigSchema.safeParse({ dropout: 1 }).success).toBe(false);
    expect(TransformerConfigSchema.safeParse({ nLayers: 2 }).success).toBe(false); // strict: typos fail
  });

  it('registers as model/transformer and builds a model with Hugging Face GPT-2 names', () => {
    const registry = new PluginRegistry();
    register(registry);
    register(registry); // the same object twice is harmless
    expect(registry.list('model')).toEqual(['transformer']);
    const model = registry.create('model', 'transformer', { nLayer: 1, nHead: 2, nEmbd: 8, nPositions: 16 }, ctx) as TransformerModel;
    try {
      expect(model.parameters.map((p) => `${p.name} [${p.variable.shape.join(', ')}]`)).toEqual([
        'transformer.wte.weight [30, 8]',
        'transformer.wpe.weight [16, 8]',
        'transformer.h.0.ln_1.weight [8]',
        'transformer.h.0.ln_1.bias [8]',
        'transformer.h.0.attn.c_attn.weight [8, 24]',
        'transformer.h.0.attn.c_attn.bias [24]',
        'transformer.h.0.attn.c_proj.weight [8, 8]',
        'transformer.h.0.attn.c_proj.bias [8]',
        'transformer.h.0.ln_2.weight [8]',
        'transformer.h.0.ln_2.bias [8]',
        'transformer.h.0.mlp.c_fc.weight [8, 32]',
        'transformer.h.0.mlp.c_fc.bias [32]',
        'transformer.h.0.mlp.c_proj.weight [32, 8]',
        'transformer.h.0.mlp.c_proj.bias [8]',
        'transformer.ln_f.weight [8]',
        'transformer.ln_f.bias [8]',
        'score.weight [1, 8]',
      ]);
      expect(model.huggingFaceConfig()).toMatchObject({ pad_token_id: 0, eos_token_id: 29, vocab_size: 30 });
    } finally {
      model.dispose();
    }
  });

  it('recommends a valid run config: evaluated and exported from a moving average of the weights', () => {
    // the run config schema is strict: a misspelt recommended field would fail every transformer run
    const cfg = parseRunConfig(transformerModel.recommendedRunConfig);
    expect(cfg.train.ema).toBe(0.995);
    expect(cfg.train.epochs).toBe(4.57);
    expect(cfg.loss.config).toEqual({ labelSmoothing: 0.1 });
  });

  it('initialises like GPT-2: unit LayerNorm gains, zero biases, scaled residual projections', () => {
    const model = transformerModel.create(TransformerConfigSchema.parse({ nLayer: 2, nEmbd: 64, nHead: 4, nPositions: 8 }), ctx);
    try {
      const get = (name: string) => Array.from(model.parameters.find((p) => p.name === name)!.variable.dataSync());
      const std = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);
      expect(new Set(get('transformer.h.1.ln_2.weight'))).toEqual(new Set([1]));
      expect(new Set(get('transformer.h.0.attn.c_attn.bias'))).toEqual(new Set([0]));
      expect(std(get('transformer.h.0.mlp.c_fc.weight'))).toBeCloseTo(0.02, 2);
      expect(std(get('transformer.h.0.mlp.c_proj.weight'))).toBeCloseTo(0.02 / Math.sqrt(4), 2);
    } finally {
      model.dispose();
    }
  });
});
