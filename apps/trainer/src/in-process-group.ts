import { LocalCollective } from '@rewardkit/collective';
import { packUnits, type EncodedPair, type EncodedUnit, type Tokenizer } from '@rewardkit/core';
import { ReplicaService, type CheckpointState, type ModelRef, type PairRewards, type Replica, type ReplicaServiceOptions, type StepOutcome } from '@rewardkit/engine';
import type { WorkerGroup } from './worker-group';

/**
 * World size 1: the replica lives in the coordinator's process and is served by the same
 * ReplicaService a worker process runs, over a local collective; no sockets, no encoding.
 */
export class InProcessGroup implements WorkerGroup {
  readonly size = 1;
  private readonly service: ReplicaService;

  constructor(
    replica: Replica,
    private readonly tokenizer: Tokenizer,
    private readonly modelRef: ModelRef,
    readonly backend: string,
    opts: ReplicaServiceOptions = {},
  ) {
    this.service = new ReplicaService(replica, tokenizer, new LocalCollective(), opts);
  }

  /** `shards` holds the one shard of a world of one: the global batch, taken as is. */
  async step(step: number, shards: readonly (readonly EncodedUnit[])[], lr: number): Promise<StepOutcome> {
    if (shards.length !== 1) throw new Error(`InProcessGroup.step: ${shards.length} shards for a world of one`);
    const [units] = shards;
    // The step computes synchronously: without a turn of the event loop per step, a run never
    // sees Ctrl-C or SIGTERM (their handlers are queued behind the loop) nor draws its progress bar.
    await new Promise((resolve) => setImmediate(resolve));
    return this.service.step({ step, lr, units: packUnits(units, this.tokenizer.padId) });
  }

  async score(pairs: readonly EncodedPair[]): Promise<PairRewards> {
    return this.service.score(pairs);
  }

  async checkpoint(runDir: string, state: CheckpointState): Promise<string> {
    return this.service.checkpoint(runDir, state);
  }

  async restore(dir: string): Promise<CheckpointState> {
    return this.service.restore(dir);
  }

  async exportModel(dir: string, info: Record<string, unknown>): Promise<void> {
    await this.service.exportModel(dir, this.modelRef, info);
  }

  async close(): Promise<void> {
    await this.service.close();
  }
}
