import type * as tf from '@tensorflow/tfjs-core';
import type { SequenceBatch } from '../sequence-batch';
import type { PluginBase } from './plugin';

export interface NamedParameter {
  /** Stable key in checkpoints and exported weights, e.g. `embed.weight`. */
  readonly name: string;
  readonly variable: tf.Variable;
  /**
   * Element ranges [start, end) of this parameter the optimizer leaves alone: parts that cannot
   * change a reward difference (an attention key bias; a bias that only shifts every reward). Their
   * exact gradient is zero, so what backprop returns is float32 rounding residue, which Adam would
   * amplify into drift that also differs between ranks.
   */
  readonly frozen?: ReadonlyArray<readonly [number, number]>;
}

export interface ScoreOptions {
  /** Training forward pass (dropout on, where the model has any). */
  readonly training?: boolean;
  /**
   * The optimizer step this pass belongs to: seeds per-step randomness (dropout masks), so a
   * resumed run draws the same masks as an uninterrupted one.
   */
  readonly step?: number;
}

/** A reward model: one scalar per sequence. */
export interface RewardModel {
  /** Trainable parameters in a fixed order: the order of the flat gradient buffer. */
  readonly parameters: readonly NamedParameter[];
  /** [rows] one reward per row of the batch. Call inside `tf.tidy`/`variableGrads`. */
  score(batch: SequenceBatch, options?: ScoreOptions): tf.Tensor1D;
  /** Forward FLOPs for one token, for throughput reports (backward is counted as 2x forward). */
  flopsPerToken(): number;
  /**
   * Fields for an exported model's `config.json` in Hugging Face's layout (`architectures`,
   * `model_type`, sizes, `num_labels: 1`, ...), so Python tools can read the weights, whose
   * `parameters` names then follow Hugging Face's. Absent for models with no HF counterpart.
   */
  huggingFaceConfig?(): Record<string, unknown>;
  dispose(): void;
}

export interface ModelContext {
  readonly vocabSize: number;
  readonly padId: number;
  readonly eosId: number;
  /** Seeds the initial weights: equal seeds give equal models on every rank. */
  readonly seed: number;
}

export type ModelPlugin<C = unknown> = PluginBase<'model', C, ModelContext, RewardModel>;
