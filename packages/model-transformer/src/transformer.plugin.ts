import type { ModelContext, ModelPlugin } from '@rewardkit/core';
import { loadHuggingFaceModel } from './huggingface-checkpoint';
import { type TransformerConfig, TransformerConfigSchema } from './transformer-config';
import { TransformerModel } from './transformer-model';

/** A fresh model from the config's sizes, or a pretrained one from `config.pretrained`. */
export function createTransformerModel(config: TransformerConfig, ctx: ModelContext): TransformerModel {
  if (config.pretrained) return loadHuggingFaceModel(config.pretrained, ctx, { dropout: config.dropout, initStd: config.initStd, pool: config.pool });
  return new TransformerModel(
    {
      vocabSize: ctx.vocabSize,
      nPositions: config.nPositions,
      nEmbd: config.nEmbd,
      nLayer: config.nLayer,
      nHead: config.nHead,
      nInner: 4 * config.nEmbd,
      layerNormEps: config.layerNormEps,
      activation: 'gelu_new',
    },
    { initStd: config.initStd, dropout: config.dropout, seed: ctx.seed, padId: ctx.padId, eosId: ctx.eosId, pool: config.pool },
  );
}

export const transformerModel: ModelPlugin<TransformerConfig> = {
  kind: 'model',
  name: 'transformer',
  description: 'GPT-2-style causal transformer, reward read at the EOS token (Hugging Face GPT-2 weights in and out)',
  configSchema: TransformerConfigSchema,
  create: createTransformerModel,
};
