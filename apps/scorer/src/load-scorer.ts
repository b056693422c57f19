/**
 * An exported model directory -> what the server needs: the encoder (training's rendering and
 * truncation), the batch scorer (the engine's scoreSequences), the saved reward statistics and
 * the /info fields. Any model plugin, any backend.
 */
import path from 'node:path';
import { initBackend } from '@rewardkit/backend';
import { createLogger, type BackendPreference, type RewardModel } from '@rewardkit/core';
import { loadModelDir, scoreSequences } from '@rewardkit/engine';
import { createShippedRegistry, encodeResponse } from '@rewardkit/runtime';
import type { RewardStats, ScorerOptions } from './server';

const log = createLogger('scorer');

export interface LoadScorerOptions {
  readonly model: string;
  readonly backend: BackendPreference;
  readonly plugin?: readonly string[];
  readonly maxLength?: number;
  readonly maxBatch: number;
}

export interface LoadedScorer {
  readonly options: Pick<ScorerOptions, 'encode' | 'score' | 'info' | 'stats' | 'specialTexts'>;
  readonly model: RewardModel;
}

export async function loadScorer(o: LoadScorerOptions): Promise<LoadedScorer> {
  const backend = await initBackend({ prefer: o.backend, gpu: true, logger: log });
  const { model, tokenizer, meta } = loadModelDir(o.model, createShippedRegistry([...(o.plugin ?? [])]));
  const maxLength = o.maxLength ?? (meta.info.maxLength as number | undefined) ?? 512; // as trained
  const ev = meta.info.eval as { reward_mean?: unknown; reward_std?: unknown } | undefined;
  const stats: RewardStats | undefined =
    typeof ev?.reward_mean === 'number' && typeof ev?.reward_std === 'number' ? { mean: ev.reward_mean, std: ev.reward_std } : undefined;
  let n = 0;
  return {
    model,
    options: {
      encode: (prompt, response) => encodeResponse(prompt, response, tokenizer, maxLength, `request text ${++n}`),
      score: (seqs) => scoreSequences(model, seqs.map((s) => s.ids), seqs.map((s) => s.promptLength), tokenizer.padId, o.maxBatch),
      stats,
      specialTexts: [...new Set([tokenizer.decode([tokenizer.eosId]), tokenizer.decode([tokenizer.padId])])].filter((t) => t !== ''),
      info: {
        model: path.resolve(o.model),
        model_plugin: meta.model.name,
        tokenizer: meta.tokenizer.name,
        max_length: maxLength,
        backend: backend.name,
        gpu: backend.gpu,
        steps: meta.info.steps,
      },
    },
  };
}
