import fs from 'node:fs';
import path from 'node:path';
import { CheckpointError, type PluginRegistry, type RewardModel, type Tokenizer } from '@rewardkit/core';
import { readIntoFlat, readSafetensorsFile, writeSafetensorsFile, type SafeTensor } from '@rewardkit/safetensors';
import { ParameterLayout } from './parameter-layout';

/** How an exported model directory names its plugins, inside config.json under `rewardkit`. */
export interface ModelDirMeta {
  readonly format: 'rewardkit-model';
  readonly version: 1;
  readonly model: { readonly name: string; readonly config: unknown };
  readonly tokenizer: { readonly name: string; readonly config: unknown };
  /** Backend, steps, held-out metrics: for people, not for loading. */
  readonly info: Record<string, unknown>;
}

export interface LoadedModelDir {
  readonly model: RewardModel;
  readonly tokenizer: Tokenizer;
  readonly meta: ModelDirMeta;
}

/**
 * Writes a trained model in Hugging Face's layout: `config.json` (the model's HF fields, if it
 * has any, plus a `rewardkit` section naming the plugins), `model.safetensors`, and the
 * tokenizer's own files. Written to a temporary directory and renamed into place.
 */
export async function exportModelDir(
  dir: string,
  model: RewardModel,
  tokenizer: Tokenizer,
  modelRef: { name: string; config: unknown },
  info: Record<string, unknown> = {},
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const layout = new ParameterLayout(model.parameters);
  const theta = await layout.readAsync(); // asynchronous: webgpu cannot read a tensor synchronously
  const tensors = new Map<string, SafeTensor>(
    [...layout.views(theta)].map(([name, v]) => [name, { dtype: 'F32' as const, shape: v.shape, data: v.data }]),
  );
  writeSafetensorsFile(path.join(tmp, 'model.safetensors'), tensors, { format: 'pt' });
  const meta: ModelDirMeta = { format: 'rewardkit-model', version: 1, model: modelRef, tokenizer: tokenizer.describe(), info };
  const config = { ...(model.huggingFaceConfig?.() ?? {}), rewardkit: meta };
  fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  tokenizer.save(tmp);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.renameSync(tmp, dir);
}

/** Rebuilds the tokenizer and model of an exported directory and loads its weights. */
export function loadModelDir(dir: string, registry: PluginRegistry, seed = 0): LoadedModelDir {
  const configFile = path.join(dir, 'config.json');
  if (!fs.existsSync(dir)) throw new CheckpointError(`model directory ${dir} does not exist`);
  if (!fs.existsSync(configFile)) throw new CheckpointError(`${dir} has no config.json; expected a model exported by the trainer (OUT/final)`);
  let config: { rewardkit?: ModelDirMeta };
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (err) {
    throw new CheckpointError(`${configFile} is not valid JSON: ${(err as Error).message}`);
  }
  const meta = config.rewardkit;
  if (!meta || meta.format !== 'rewardkit-model') {
    throw new CheckpointError(`${configFile} has no "rewardkit" section naming the model and tokenizer plugins`);
  }
  const tokenizer = registry.create('tokenizer', meta.tokenizer.name, meta.tokenizer.config, { modelDir: dir });
  const model = registry.create('model', meta.model.name, meta.model.config, {
    vocabSize: tokenizer.vocabSize,
    padId: tokenizer.padId,
    eosId: tokenizer.eosId,
    seed,
  });
  const weights = readSafetensorsFile(path.join(dir, 'model.safetensors')).tensors;
  const layout = new ParameterLayout(model.parameters);
  const theta = new Float32Array(layout.size);
  readIntoFlat(weights, layout.slots, theta, { source: `${dir}/model.safetensors` });
  layout.write(theta);
  return { model, tokenizer, meta };
}
