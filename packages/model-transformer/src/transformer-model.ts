/**
 * The GPT-2 reward model: owns the variables (Hugging Face names, state-dict order), turns a
 * SequenceBatch into constant inputs, and reads one reward per row at its EOS.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createLogger, type GatheredRows, type NamedParameter, type RewardModel, type ScoreOptions, type SequenceBatch } from '@rewardkit/core';
import { CAUSAL_ATTENTION_PACKED_KERNEL, hasFusedKernel } from '@rewardkit/ops';
import { buildBatchInputs, localRowIds, responsePoolWeights, usedTokenIds } from './batch-inputs';
import { type Gpt2Architecture, matmulWeightsPerToken, parameterSpecs, type ParameterSpec } from './gpt2-architecture';
import { type Dropout, type ForwardInputs, type Gpt2Weights, gpt2Trunk, layerNorm, noDropout, scoreAtLastToken, scoreOverResponse } from './gpt2-forward';
import { gpt2HuggingFaceConfig } from './huggingface-config';
import { seedFor } from './seed';

const log = createLogger('model-transformer');

/** The token embedding: the one row-sparse parameter. */
const WTE = 'transformer.wte.weight';

export interface TransformerOptions {
  /** Std of fresh normal weights (GPT-2's initializer_range). */
  readonly initStd: number;
  /** Dropout rate while training (0: none). */
  readonly dropout: number;
  /** Seeds fresh weights and dropout masks. */
  readonly seed: number;
  /** Written to the exported config; padding itself is found from `lengths`, never from ids. */
  readonly padId: number;
  readonly eosId: number;
  /** Where the reward is read (TransformerConfig.pool); 'last' when absent. */
  readonly pool?: 'last' | 'response';
}

export class TransformerModel implements RewardModel {
  readonly parameters: readonly NamedParameter[];
  private readonly weights: Gpt2Weights;
  private forwardCalls = 0;
  private lastWidth: number;
  private disposed = false;

  /** Fresh seeded weights, except those `initial` supplies (already shape-checked by the caller). */
  constructor(
    readonly arch: Gpt2Architecture,
    readonly options: TransformerOptions,
    initial: ReadonlyMap<string, Float32Array> = new Map(),
  ) {
    this.parameters = parameterSpecs(arch, options.initStd, options.pool ?? 'last').map((spec) => ({
      name: spec.name,
      variable: createVariable(spec, options.seed, initial.get(spec.name)),
      frozen: spec.frozen,
    }));
    this.weights = arrangeWeights(this.parameters, arch.nLayer);
    this.lastWidth = arch.nPositions;
  }

  score(batch: SequenceBatch, options?: ScoreOptions): tf.Tensor1D {
    const inputs = buildBatchInputs(batch, this.arch.vocabSize, this.arch.nPositions);
    this.lastWidth = batch.width;
    const dropout = options?.training ? this.dropoutForCall(options.step) : noDropout;
    const gathered = options?.gatheredRows?.get(WTE);
    return tf.tidy(() => {
      const inp = toTensors(inputs, batch.lengths, gathered);
      const trunk = gpt2Trunk(this.weights, inp, this.arch, dropout);
      if (this.options.pool === 'response') {
        const weights = tf.tensor2d(responsePoolWeights(batch), [inputs.rows, inputs.width]); // [B, T]
        return scoreOverResponse(trunk, weights, this.weights, inp, this.arch);
      }
      const lastToken = tf.tensor3d(inputs.lastToken, [inputs.rows, inputs.width, 1]); // [B, T, 1]
      return scoreAtLastToken(trunk, lastToken, this.weights, inp, this.arch);
    });
  }

  /** Only wte's gradient is row-sparse (wpe is small and every position up to the width is used). */
  rowsUsed(batch: SequenceBatch): ReadonlyMap<string, Int32Array> {
    return new Map([[WTE, usedTokenIds(batch, this.arch.vocabSize)]]);
  }

  /** [B, T, C] final hidden states (after ln_f) at every position, without dropout. */
  hiddenStates(batch: SequenceBatch): tf.Tensor3D {
    const inputs = buildBatchInputs(batch, this.arch.vocabSize, this.arch.nPositions);
    return tf.tidy(() => {
      const h = layerNorm(gpt2Trunk(this.weights, toTensors(inputs, batch.lengths), this.arch, noDropout), this.weights.lnF, this.arch.layerNormEps);
      return tf.reshape(h, [inputs.rows, inputs.width, this.arch.nEmbd]) as tf.Tensor3D;
    });
  }

  /**
   * 2 FLOPs per matmul weight per token, plus attention's QK^T and AV: 4 * C * width per layer,
   * at `width` or the width of the last batch scored (nPositions before any), since the full
   * T x T matrices are computed and masked.
   */
  flopsPerToken(width = this.lastWidth): number {
    const attention = 4 * this.arch.nLayer * this.arch.nEmbd * Math.min(width, this.arch.nPositions);
    return 2 * matmulWeightsPerToken(this.arch) + attention + 2 * this.arch.nEmbd;
  }

  huggingFaceConfig(): Record<string, unknown> {
    // pad_token_id == eos_token_id here when the tokenizer's pad is its EOS: exportModelDir then adds a distinct pad.
    const config = gpt2HuggingFaceConfig(this.arch, this.options);
    if (this.options.pool !== 'response') return config;
    log.warn("pool 'response': Hugging Face's GPT2ForSequenceClassification reads the EOS, so Python tools will not score this export as rewardkit does");
    return { ...config, rewardkit_pool: 'response' };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.parameters) p.variable.dispose();
  }

  /** Fresh masks on every training call, the same sequence of masks for the same seed. */
  private dropoutForCall(step: number | undefined): Dropout {
    const rate = this.options.dropout;
    if (rate === 0) return noDropout;
    // the optimizer step when given (a resumed run repeats the masks), else a call counter
    const call = step !== undefined ? `step-${step}` : this.forwardCalls++;
    let site = 0;
    return (x, name) => tf.dropout(x, rate, undefined, seedFor(this.options.seed, `dropout/${call}/${site++}/${name}`)) as typeof x;
  }
}

function createVariable(spec: ParameterSpec, seed: number, data: Float32Array | undefined): tf.Variable {
  return tf.tidy(() => {
    const shape = [...spec.shape];
    let value: tf.Tensor;
    if (data) value = tf.tensor(data, shape, 'float32');
    else if (spec.init.kind === 'zeros') value = tf.zeros(shape);
    else if (spec.init.kind === 'ones') value = tf.ones(shape);
    else value = tf.randomNormal(shape, 0, spec.init.std, 'float32', seedFor(seed, spec.name));
    return tf.variable(value, true);
  });
}

function toTensors(inputs: ReturnType<typeof buildBatchInputs>, lengths: Int32Array, gathered?: GatheredRows): ForwardInputs {
  const { rows, width } = inputs;
  return {
    rows,
    width,
    ids: gathered ? localRowIds(inputs.ids, gathered.ids) : inputs.ids,
    tokenRows: gathered?.table,
    // the fused attention kernel (webgpu) masks from the lengths: no T x T upload
    attentionBias: hasFusedKernel(CAUSAL_ATTENTION_PACKED_KERNEL) ? undefined : tf.tensor4d(inputs.attentionBias, [rows, 1, width, width]), // [B, 1, T, T]
    lengths: tf.tensor1d(lengths, 'int32'), // [B]
  };
}

/** The variables by role, from the Hugging Face names. */
function arrangeWeights(params: readonly NamedParameter[], nLayer: number): Gpt2Weights {
  const byName = new Map(params.map((p) => [p.name, p.variable]));
  const get = <T extends tf.Tensor>(name: string): T => byName.get(name) as unknown as T;
  const norm = (p: string) => ({ weight: get<tf.Tensor1D>(`${p}.weight`), bias: get<tf.Tensor1D>(`${p}.bias`) });
  const lin = (p: string) => ({ weight: get<tf.Tensor2D>(`${p}.weight`), bias: get<tf.Tensor1D>(`${p}.bias`) });
  const blocks = Array.from({ length: nLayer }, (_, i) => {
    const p = `transformer.h.${i}`;
    return {
      ln1: norm(`${p}.ln_1`),
      attn: lin(`${p}.attn.c_attn`),
      attnProj: lin(`${p}.attn.c_proj`),
      ln2: norm(`${p}.ln_2`),
      fc: lin(`${p}.mlp.c_fc`),
      proj: lin(`${p}.mlp.c_proj`),
    };
  });
  return {
    wte: get(WTE),
    wpe: get('transformer.wpe.weight'),
    blocks,
    lnF: norm('transformer.ln_f'),
    score: get('score.weight'),
  };
}
