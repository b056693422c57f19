import { createLogger } from '@rewardkit/core';
import { latestCheckpoint, type CheckpointState } from '@rewardkit/engine';
import { WorkerLostError } from './distributed/worker-lost-error';
import type { WorkerGroup } from './worker-group';

const log = createLogger('trainer');

/** Worker losses survived per run before giving up. */
export const MAX_RECOVERIES = 5;

/**
 * Survives lost workers, so the training loop need not know they exist. `run` runs one piece of
 * the loop; if a worker is lost meanwhile, it replaces the workers, restores the newest checkpoint
 * of the run (or the seeded initial state) and hands that state to `rewind`, after which the loop
 * replays the steps since: sampler and arithmetic are deterministic, so the run ends with the
 * parameters of an undisturbed one. Any other error, or one loss too many, propagates.
 */
export class Recovery {
  private recoveries = 0;

  constructor(
    private readonly group: WorkerGroup,
    private readonly runDir: string,
    /** Puts the loop back at `state` (undefined: the start), `reason` being the loss. */
    private readonly rewind: (state: CheckpointState | undefined, reason: string) => void,
    private readonly maxRecoveries = MAX_RECOVERIES,
  ) {}

  async run(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      if (!(err instanceof WorkerLostError) || !this.group.recover || this.recoveries >= this.maxRecoveries) throw err;
      this.recoveries++;
      const dir = latestCheckpoint(this.runDir);
      log.warn(`${err.message}; recovering (${this.recoveries}/${this.maxRecoveries}) from ${dir ?? 'the initial state'}`);
      this.rewind(await this.group.recover(dir), err.message);
    }
  }
}
