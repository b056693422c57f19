/**
 * Writes a model as a Hugging Face directory: config.json (the model's `huggingFaceConfig()` plus
 * `extra`) and model.safetensors (float32, parameter names as keys, `format: pt` metadata, which
 * transformers requires). For the transformer this loads with GPT2ForSequenceClassification.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CheckpointError, type RewardModel } from '@rewardkit/core';
import { type SafeTensor, writeSafetensorsFile } from '@rewardkit/safetensors';

export function exportHuggingFace(model: RewardModel, dir: string, extra: Record<string, unknown> = {}): void {
  if (!model.huggingFaceConfig) throw new CheckpointError(`cannot export to ${dir}: this model has no Hugging Face counterpart`);
  const config = { ...model.huggingFaceConfig(), ...extra };
  const tensors = new Map<string, SafeTensor>();
  for (const { name, variable } of model.parameters) {
    tensors.set(name, { dtype: 'F32', shape: variable.shape, data: Float32Array.from(variable.dataSync() as Float32Array) });
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writeSafetensorsFile(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
}
