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
  /**
   * Row-sparse training (see `RewardModel.rowsUsed`): for a table parameter named here, the rows
   * the step gathered, to be looked up in place of the whole table, so that the gradient lands on
   * those rows ([U, C]) instead of the whole table ([V, C]).
   */
  readonly gatheredRows?: ReadonlyMap<string, GatheredRows>;
}

/** Some rows of a table parameter, gathered for one step. */
export interface GatheredRows {
  /** Row ids, ascending and distinct: a superset of the rows the batch looks up. */
  readonly ids: Int32Array;
  /** [ids.length, C] those rows, in that order (a tensor the gradient is taken with respect to). */
  readonly table: tf.Tensor2D;
}

/** A reward model: one scalar per sequence. */
export interface RewardModel {
  /** Trainable parameters in a fixed order: the order of the flat gradient buffer. */
  readonly parameters: readonly NamedParameter[];
  /** [rows] one reward per row of the batch. Call inside `tf.tidy`/`variableGrads`. */
  score(batch: SequenceBatch, options?: ScoreOptions): tf.Tensor1D;
  /**
   * Forward FLOPs for one token, for throughput reports and the automatic worker count (backward
   * is counted as 2x forward). `width`: the padded sequence length, for models whose cost per
   * token grows with it (attention); without it, the width of the last batch scored.
   */
  flopsPerToken(width?: number): number;
  /**
   * Table parameters (embeddings) whose gradient is zero outside the rows a batch looks up, by
   * parameter name, with those rows (ascending, distinct). A trainer may then gather the rows,
   * pass them as `ScoreOptions.gatheredRows` and update only them. Absent: every gradient is dense.
   */
  rowsUsed?(batch: SequenceBatch): ReadonlyMap<string, Int32Array>;
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
