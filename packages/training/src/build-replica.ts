import type { PluginRegistry, RunConfig, Tokenizer } from '@rewardkit/core';
import { Replica } from '@rewardkit/engine';

/**
 * The model, loss and optimizer of one replica, built from the run config. Every rank calls this
 * with the same config, so every rank starts from identical weights (seeded init).
 */
export function buildReplica(cfg: RunConfig, registry: PluginRegistry, tokenizer: Tokenizer): Replica {
  const model = registry.create('model', cfg.model.name, cfg.model.config, {
    vocabSize: tokenizer.vocabSize,
    padId: tokenizer.padId,
    eosId: tokenizer.eosId,
    seed: cfg.train.seed,
  });
  const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
  const { beta1, beta2, eps, weightDecay, clipNorm, sparseEmbedding, precision } = cfg.train;
  // precision 'f16' adds the dynamic loss scale; the caller has turned the backend's f16 kernels on
  return new Replica(model, loss, { beta1, beta2, eps, weightDecay, clipNorm, sparseEmbedding, precision });
}
