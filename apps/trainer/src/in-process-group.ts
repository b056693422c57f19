import { packPairs, pairMargins, type EncodedPair, type Tokenizer } from '@rewardkit/core';
import {
  exportModelDir,
  readCheckpoint,
  scorePairs,
  writeCheckpoint,
  type CheckpointState,
  type PairRewards,
  type Replica,
  type StepOutcome,
} from '@rewardkit/engine';
import type { WorkerGroup } from './worker-group';

/** World size 1: the replica lives in the coordinator's process; no sockets at all. */
export class InProcessGroup implements WorkerGroup {
  readonly size = 1;

  constructor(
    private readonly replica: Replica,
    private readonly tokenizer: Tokenizer,
    private readonly modelRef: { name: string; config: unknown },
    readonly backend: string,
  ) {}

  async step(step: number, shards: readonly (readonly EncodedPair[])[], lr: number): Promise<StepOutcome> {
    // The step computes synchronously: without a turn of the event loop per step, a run never
    // sees Ctrl-C or SIGTERM (their handlers are queued behind the loop) nor draws its progress bar.
    await new Promise((resolve) => setImmediate(resolve));
    const pairs = shards.flat();
    const grads = this.replica.computeGradients(packPairs(pairs, this.tokenizer.padId), pairMargins(pairs), step);
    return this.replica.applyUpdate(grads, lr);
  }

  async score(pairs: readonly EncodedPair[]): Promise<PairRewards> {
    return scorePairs(this.replica.model, pairs, this.tokenizer.padId);
  }

  async checkpoint(runDir: string, state: CheckpointState): Promise<string> {
    return writeCheckpoint(runDir, this.replica, state);
  }

  async restore(dir: string): Promise<CheckpointState> {
    return readCheckpoint(dir, this.replica);
  }

  async exportModel(dir: string, info: Record<string, unknown>): Promise<void> {
    exportModelDir(dir, this.replica.model, this.tokenizer, this.modelRef, info);
  }

  async close(): Promise<void> {
    this.replica.model.dispose();
  }
}
