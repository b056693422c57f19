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

export class ReplicaService {
  constructor(
    readonly replica: Replica,
    private readonly tokenizer: Tokenizer,
    private readonly collective: GradientReducer,
  ) {}

  get rank(): number {
    return this.collective.rank;
  }

  /** Trainable parameters; every rank of one job must agree. */
  get parameters(): number {
    return this.replica.layout.size;
  }

  /** One optimizer step; the loss and accuracy are over the global batch (identical on every rank). */
  step(req: StepRequest): Promise<StepOutcome> {
    // a world of one sums nothing: no all-reduce, so a GPU backend keeps the step on the device
    const reduce = this.collective.worldSize > 1 ? (buf: Float32Array) => this.collective.allReduce(buf) : undefined;
    return this.replica.trainStep(req.units, { step: req.step, lr: req.lr }, reduce);
  }

  score(pairs: readonly EncodedPair[]): Promise<PairRewards> {
    return scorePairs(this.replica.model, pairs, this.tokenizer.padId);
  }

  /** Writes `runDir/checkpoints/step-N` (replicas are identical: one rank writes); any parameter store. */
  checkpoint(runDir: string, state: CheckpointState): Promise<string> {
    return saveCheckpoint(runDir, this.replica, state);
  }

  /** Loads a checkpoint's weights and optimizer state; returns its state. */
  restore(dir: string): CheckpointState {
    return readCheckpoint(dir, this.replica);
  }

  /**
   * Writes the model in Hugging Face's layout, with its tokenizer; `modelRef` (the model plugin and
   * its full config) is recorded so that the directory can be loaded again.
   */
  exportModel(dir: string, modelRef: ModelRef, info: Record<string, unknown>): Promise<void> {
    return exportModelDir(dir, this.replica.model, this.tokenizer, modelRef, info);
  }

  async close(): Promise<void> {
    await this.collective.close();
    this.replica.model.dispose();
  }
}
