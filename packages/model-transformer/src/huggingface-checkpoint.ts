/**
 * Reads a local Hugging Face GPT-2 directory (config.json + model.safetensors) into a
 * TransformerModel. Accepts GPT2Model names (`wte.weight`, `h.0.ln_1.weight`) and prefixed ones
 * (`transformer.wte.weight`, as GPT2LMHeadModel / GPT2ForSequenceClassification save them). A
 * checkpoint without `score.weight` (a plain language model) gets a fresh, seeded reward head.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CheckpointError, createLogger, type ModelContext } from '@rewardkit/core';
import { matchTensors, readSafetensorsFile, type SafeTensor } from '@rewardkit/safetensors';
import { type Gpt2Architecture, parameterSpecs, SCORE_WEIGHT } from './gpt2-architecture';
import { parseGpt2Config } from './huggingface-config';
import { TransformerModel } from './transformer-model';

const log = createLogger('model-transformer');

export interface HuggingFaceCheckpoint {
  readonly dir: string;
  readonly arch: Gpt2Architecture;
  /** Weights by our (prefixed) names, checked against `arch`; `score.weight` may be absent. */
  readonly tensors: ReadonlyMap<string, Float32Array>;
}

/** Tensors that are buffers or heads of other GPT-2 architectures: present in some files, never read. */
const IGNORED = [/^(transformer\.)?h\.\d+\.attn\.(masked_)?bias$/, /^lm_head\./, /^multiple_choice_head\./];

/** GPT2Model's own names lack the `transformer.` prefix that the task models add. */
function canonicalName(name: string): string {
  if (name === SCORE_WEIGHT || name.startsWith('transformer.')) return name;
  return `transformer.${name}`;
}

function readConfig(dir: string): { file: string; arch: Gpt2Architecture } {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) {
    throw new CheckpointError(`${dir}: no config.json; expected a Hugging Face model directory with config.json and model.safetensors`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CheckpointError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  return { file, arch: parseGpt2Config(raw, file) };
}

function weightsFile(dir: string): string {
  const file = path.join(dir, 'model.safetensors');
  if (fs.existsSync(file)) return file;
  let hint = '';
  if (fs.existsSync(path.join(dir, 'model.safetensors.index.json'))) hint = ' (sharded checkpoints are not supported)';
  else if (fs.existsSync(path.join(dir, 'pytorch_model.bin'))) hint = ' (found pytorch_model.bin: re-save it with save_pretrained(..., safe_serialization=True))';
  throw new CheckpointError(`${dir}: no model.safetensors${hint}; expected a Hugging Face model directory with config.json and model.safetensors`);
}

/** Reads and checks a checkpoint; every mismatch is reported in one CheckpointError. */
export function readHuggingFaceCheckpoint(dir: string): HuggingFaceCheckpoint {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new CheckpointError(`pretrained model directory ${dir} does not exist; expected a directory with config.json and model.safetensors`);
  }
  const { file: configFile, arch } = readConfig(dir);
  const file = weightsFile(dir);
  const byName = new Map<string, SafeTensor>();
  for (const [name, t] of readSafetensorsFile(file).tensors) {
    if (!IGNORED.some((re) => re.test(name))) byName.set(canonicalName(name), t);
  }
  const { tensors, problems } = checkTensors(arch, byName);
  if (problems.length) {
    const what = `GPT-2 with ${arch.nLayer} layers, ${arch.nHead} heads, ${arch.nEmbd} dims, vocab ${arch.vocabSize}, ${arch.nPositions} positions`;
    throw new CheckpointError(`${file} does not match ${configFile} (${what}):\n  ${problems.join('\n  ')}`);
  }
  return { dir, arch, tensors };
}

/** Our parameters found in `byName`, and one line per missing, misshapen or extra tensor. */
function checkTensors(arch: Gpt2Architecture, byName: Map<string, SafeTensor>): { tensors: Map<string, Float32Array>; problems: string[] } {
  const m = matchTensors(byName, parameterSpecs(arch, 0.02 /* unused: names and shapes only */));
  const missing = m.missing.filter((name) => name !== SCORE_WEIGHT); // a language model has no reward head: it starts fresh
  const problems = [
    ...(missing.length ? [`missing ${missing.length} tensor(s): ${listNames(missing)}`] : []),
    ...m.misshapen.map((t) => `${t.name}: expected shape [${t.expected.join(', ')}], found [${t.shape.join(', ')}]`),
    ...m.notFloat.map((t) => `${t.name}: expected a float tensor, found ${t.dtype}`),
    ...(m.unexpected.length ? [`${m.unexpected.length} tensor(s) that config.json does not describe: ${listNames(m.unexpected)}`] : []),
  ];
  return { tensors: m.found, problems };
}

function listNames(names: readonly string[]): string {
  return names.length > 6 ? `${names.slice(0, 6).join(', ')}, ... (${names.length - 6} more)` : names.join(', ');
}

export interface PretrainedOptions {
  readonly dropout: number;
  /** Std of the fresh reward head when the checkpoint has none. */
  readonly initStd: number;
  readonly pool?: 'last' | 'response';
}

/** A model with a checkpoint's sizes and weights; the tokenizer's vocabulary must fit its embedding. */
export function loadHuggingFaceModel(dir: string, ctx: ModelContext, options: PretrainedOptions): TransformerModel {
  const ckpt = readHuggingFaceCheckpoint(dir);
  const { arch } = ckpt;
  if (ctx.vocabSize > arch.vocabSize) {
    throw new CheckpointError(
      `${dir}: the tokenizer has ${ctx.vocabSize} token ids but transformer.wte.weight has ${arch.vocabSize} rows; expected a tokenizer whose vocabulary fits the checkpoint's (vocab_size ${arch.vocabSize})`,
    );
  }
  log.info(
    `loaded ${dir}: ${arch.nLayer} layers, ${arch.nHead} heads, ${arch.nEmbd} dims, ${arch.nPositions} positions, vocab ${arch.vocabSize} (sizes in the model config are ignored)`,
  );
  if (!ckpt.tensors.has(SCORE_WEIGHT)) {
    log.info(`${dir} has no ${SCORE_WEIGHT} (a language-model checkpoint): the reward head starts fresh (normal, std ${options.initStd}, seed ${ctx.seed})`);
  }
  return new TransformerModel(
    arch,
    { initStd: options.initStd, dropout: options.dropout, seed: ctx.seed, padId: ctx.padId, eosId: ctx.eosId, pool: options.pool },
    ckpt.tensors,
  );
}
