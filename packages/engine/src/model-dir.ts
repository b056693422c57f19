import fs from 'node:fs';
import path from 'node:path';
import { CheckpointError, type PluginRegistry, type RewardModel, type Tokenizer } from '@rewardkit/core';
import { readIntoFlat, readSafetensorsFile, writeSafetensorsFile, type SafeTensor } from '@rewardkit/safetensors';
import { completeTokenizerFiles, distinctPad } from './huggingface-export';
import { modelCard } from './model-card';
import { ParameterLayout } from './parameter-layout';

/** How an exported model directory names its plugins, inside config.json under `rewardkit`. */
export interface ModelDirMeta {
  readonly format: 'rewardkit-model';
  readonly version: 1;
  readonly model: { readonly name: string; readonly config: unknown };
  readonly tokenizer: { readonly name: string; readonly config: unknown };
  /** Backend, steps, held-out metrics: for people, not for loading. */
  readonly info: Record<string, unknown>;
  /** Rows the export appended to a tensor for Python's pad token (huggingface-export.ts); dropped on load. */
  readonly addedRows?: Readonly<Record<string, number>>;
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
  const hfConfig = model.huggingFaceConfig?.();
  tokenizer.save(tmp);
  // Python reads the reward at the last non-pad token: the export's pad must not be the EOS.
  const pad = hfConfig ? distinctPad(tokenizer, hfConfig, tensors, tmp) : undefined;
  writeSafetensorsFile(path.join(tmp, 'model.safetensors'), tensors, { format: 'pt' });
  const meta: ModelDirMeta = {
    format: 'rewardkit-model',
    version: 1,
    model: modelRef,
    tokenizer: tokenizer.describe(),
    info,
    ...(pad?.addedRows ? { addedRows: { [pad.embedding!]: pad.addedRows } } : {}),
  };
  const config = { ...(hfConfig ?? {}), rewardkit: meta };
  fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  if (pad) completeTokenizerFiles(tmp, tokenizer, pad, typeof info.maxLength === 'number' ? info.maxLength : undefined);
  const card = modelCard({ modelName: modelRef.name, tokenizerName: tokenizer.name, hfConfig, pad, info });
  fs.writeFileSync(path.join(tmp, 'README.md'), card);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.renameSync(tmp, dir);
}

/** Rebuilds the tokenizer and model of an exported directory and loads its weights. */
export function loadModelDir(dir: string, registry: PluginRegistry, seed = 0): LoadedModelDir {
  const configFile = path.join(dir, 'config.json');
  if (!fs.existsSync(dir)) throw new CheckpointError(`model directory ${dir} does not exist`);
  if (!fs.existsSync(configFile)) throw new CheckpointError(`${dir} has no config.json; expected a model exported by the trainer (OUT/final)`);
  let config: { rewardkit?: ModelDirMeta; model_type?: unknown };
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (err) {
    throw new CheckpointError(`${configFile} is not valid JSON: ${(err as Error).message}`);
  }
  const meta = config.rewardkit ?? plainHuggingFaceMeta(dir, config as Record<string, unknown>, configFile);
  if (meta.format !== 'rewardkit-model') {
    throw new CheckpointError(`${configFile}: the "rewardkit" section has format ${JSON.stringify(meta.format)}; expected "rewardkit-model"`);
  }
  const tokenizer = registry.create('tokenizer', meta.tokenizer.name, meta.tokenizer.config, { modelDir: dir });
  const model = registry.create('model', meta.model.name, meta.model.config, {
    vocabSize: tokenizer.vocabSize,
    padId: tokenizer.padId,
    eosId: tokenizer.eosId,
    seed,
  });
  const weights = readSafetensorsFile(path.join(dir, 'model.safetensors')).tensors;
  for (const [name, rows] of Object.entries(meta.addedRows ?? {})) dropRows(weights, name, rows);
  const layout = new ParameterLayout(model.parameters);
  const theta = new Float32Array(layout.size);
  readIntoFlat(weights, layout.slots, theta, { source: `${dir}/model.safetensors` });
  layout.write(theta);
  return { model, tokenizer, meta };
}

/** Removes the last `rows` rows of tensor `name` (the export's pad row, unknown to the training tokenizer). */
function dropRows(weights: Map<string, SafeTensor>, name: string, rows: number): void {
  const t = weights.get(name);
  if (!t || t.shape[0] <= rows) throw new CheckpointError(`model.safetensors: config.json says ${name} has ${rows} added row(s), but it ${t ? `has shape [${t.shape}]` : 'is missing'}`);
  const shape = [t.shape[0] - rows, ...t.shape.slice(1)];
  const n = shape.reduce((a, b) => a * b, 1);
  weights.set(name, { ...t, shape, data: t.data.slice(0, n) });
}

/**
 * A directory Python wrote (a GPT-2-family sequence classifier, save_pretrained): the transformer
 * plugin reads it as `pretrained`, the huggingface tokenizer its tokenizer.json. rewardkit scores
 * it its own way, prompt ++ response ++ EOS with the reward read at the EOS.
 */
function plainHuggingFaceMeta(dir: string, config: Record<string, unknown>, configFile: string): ModelDirMeta {
  if (config.model_type !== 'gpt2') {
    throw new CheckpointError(
      `${configFile} has no "rewardkit" section and model_type ${JSON.stringify(config.model_type)}; expected a rewardkit export (OUT/final) or a Hugging Face GPT-2-family directory (model_type "gpt2")`,
    );
  }
  if (!fs.existsSync(path.join(dir, 'tokenizer.json'))) {
    throw new CheckpointError(`${dir}: a Hugging Face model directory needs its tokenizer.json (save the tokenizer with save_pretrained too)`);
  }
  const positions = typeof config.n_positions === 'number' ? config.n_positions : undefined;
  return {
    format: 'rewardkit-model',
    version: 1,
    model: { name: 'transformer', config: { pretrained: dir } },
    tokenizer: { name: 'huggingface', config: {} },
    info: { huggingFace: true, ...(positions !== undefined ? { maxLength: positions } : {}) },
  };
}
