/**
 * The one request server over a replica: step, score, checkpoint, restore, export. World size 1
 * calls it in the coordinator's process (with a local collective); each worker process calls it
 * from its message loop (decode -> service -> encode). Nothing about a request depends on where
 * it came from, so 1 worker and N workers run the same code.
 */
import type { EncodedPair, Tokenizer, UnitBatch } from '@rewardkit/core';
import { readCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint';
import { exportModelDir } from './model-dir';
import type { Replica, StepOutcome } from './replica';
import { scorePairs, type PairRewards } from './score-pairs';
import { WeightAverage } from './weight-average';
import { foldIntoAverage, withAveragedWeights } from './weight-average-replica';

/**
 * What the service needs of a collective (structurally a `Collective` of @rewardkit/collective,
 * which the engine does not depend on): the sum of a buffer over ranks, in place.
 */
export interface GradientReducer {
  readonly rank: number;
  readonly worldSize: number;
  allReduce(buf: Float32Array): Promise<void>;
  close(): Promise<void>;
}

/** One rank's part of a global batch. */
export interface StepRequest {
  readonly step: number;
  /** From the coordinator's schedule: replicas keep no schedule state. */
  readonly lr: number;
  /** The rank's units (`packUnits`): every response one row, with its unit's ranks and margins. */
  readonly units: UnitBatch;
}

export interface ModelRef {
  readonly name: string;
  readonly config: unknown;
}

export interface ReplicaServiceOptions {
  /**
   * Decay of the parameters' moving average (train.ema; 0 or absent: none). With one, held-out
   * scoring and the export use the averaged weights, and checkpoints carry the average.
   */
  readonly ema?: number;
}

export class ReplicaService {
  /** The parameters' moving average (every rank keeps the same one: replicas are identical). */
  readonly average?: WeightAverage;

  constructor(
    readonly replica: Replica,
    private readonly tokenizer: Tokenizer,
    private readonly collective: GradientReducer,
    opts: ReplicaServiceOptions = {},
  ) {
    if (opts.ema) this.average = new WeightAverage(opts.ema, replica.layout.size);
  }

  get rank(): number {
    return this.collective.rank;
  }

  /** Trainable parameters; every rank of one job must agree. */
  get parameters(): number {
    return this.replica.layout.size;
  }

  /** One optimizer step; the loss and accuracy are over the global batch (identical on every rank). */
  async step(req: StepRequest): Promise<StepOutcome> {
    // a world of one sums nothing: no all-reduce, so a GPU backend keeps the step on the device
    const reduce = this.collective.worldSize > 1 ? (buf: Float32Array) => this.collective.allReduce(buf) : undefined;
    const out = await this.replica.trainStep(req.units, { step: req.step, lr: req.lr }, reduce);
    // a skipped f16 step changed nothing: folding its (unchanged) weights in again would skew the average
    if (this.average && !out.skipped) await foldIntoAverage(this.average, this.replica);
    return out;
  }

  /** Held-out rewards, from the averaged weights when there is an average. */
  score(pairs: readonly EncodedPair[]): Promise<PairRewards> {
    return withAveragedWeights(this.average, this.replica, () => scorePairs(this.replica.model, pairs, this.tokenizer.padId));
  }

  /** Writes `runDir/checkpoints/step-N` (replicas are identical: one rank writes); any parameter store. */
  checkpoint(runDir: string, state: CheckpointState): Promise<string> {
    return saveCheckpoint(runDir, this.replica, state, this.average);
  }

  /** Loads a checkpoint's weights, optimizer state and average; returns its state. */
  restore(dir: string): CheckpointState {
    return readCheckpoint(dir, this.replica, this.average);
  }

  /**
   * Writes the model in Hugging Face's layout, with its tokenizer; `modelRef` (the model plugin and
   * its full config) is recorded so that the directory can be loaded again. With an average, the
   * averaged weights are exported.
   */
  exportModel(dir: string, modelRef: ModelRef, info: Record<string, unknown>): Promise<void> {
    return withAveragedWeights(this.average, this.replica, () => exportModelDir(dir, this.replica.model, this.tokenizer, modelRef, info));
  }

  async close(): Promise<void> {
    await this.collective.close();
    this.replica.model.dispose();
  }
}
