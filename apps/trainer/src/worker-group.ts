import type { EncodedPair, EncodedUnit } from '@rewardkit/core';
import type { CheckpointState, PairRewards, StepOutcome } from '@rewardkit/engine';

/**
 * The replicas a coordinator drives. `InProcessGroup` is one replica in this process (world
 * size 1); `ProcessGroup` is N worker processes that all-reduce gradients over ZeroMQ. The
 * training loop is written once against this interface.
 */
export interface WorkerGroup {
  readonly size: number;
  /** Where the workers' tensors live: "wasm", "tensorflow (GPU)", ... */
  readonly backend: string;
  /**
   * One optimizer step on a global batch already split into `size` shards (rank r takes shard r);
   * loss and accuracy are over the whole global batch.
   */
  step(step: number, shards: readonly (readonly EncodedUnit[])[], lr: number): Promise<StepOutcome>;
  /** Rewards for held-out pairs. */
  score(pairs: readonly EncodedPair[]): Promise<PairRewards>;
  /** Writes a checkpoint (atomically) and returns its directory. */
  checkpoint(runDir: string, state: CheckpointState): Promise<string>;
  /** Loads a checkpoint into every replica and returns its state. */
  restore(dir: string): Promise<CheckpointState>;
  /**
   * After a WorkerLostError: replace the workers and restore checkpoint `dir` (or the seeded
   * initial state); returns that checkpoint's state. Absent where nothing can be lost. Called by
   * `Recovery` (recovery.ts), never by the training loop itself.
   */
  recover?(dir: string | undefined): Promise<CheckpointState | undefined>;
  /** Writes the trained model (Hugging Face layout) to `dir`. */
  exportModel(dir: string, info: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}
