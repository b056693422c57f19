/**
 * The collective of a single process (world size 1): the sum over one rank is the buffer itself, so
 * every call is a no-op. Training on one worker goes through the same code path as on N.
 */
import { CollectiveError } from '@rewardkit/core';
import { checkRoot, type Collective } from './collective';

export class LocalCollective implements Collective {
  readonly rank = 0;
  readonly worldSize = 1;
  private closed = false;

  async allReduce(_buf: Float32Array): Promise<void> {
    this.checkOpen('allReduce');
  }

  async broadcast(_buf: Float32Array, root: number): Promise<void> {
    this.checkOpen('broadcast');
    const bad = checkRoot(this, root);
    if (bad) throw bad;
  }

  async barrier(): Promise<void> {
    this.checkOpen('barrier');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(what: string): void {
    if (this.closed) throw new CollectiveError(`rank 0, ${what}: collective is closed`);
  }
}
