/**
 * Batches concurrent scoring requests: sequences wait until `maxBatch` of them are queued or the
 * oldest has waited `maxWaitMs` (0: until the event loop has taken in what already arrived), then
 * one forward pass scores them together. One batch runs at a
 * time (one model); what arrives meanwhile forms the next batch, which starts as soon as the
 * running one ends, since it has already waited. A request larger than `maxBatch` spans batches.
 * A failed batch fails only the requests that had sequences in it.
 */
import type { EncodedResponse } from '@rewardkit/runtime';

export type ScoreBatch = (seqs: readonly EncodedResponse[]) => Promise<ArrayLike<number>>;

interface Pending {
  readonly seqs: readonly EncodedResponse[];
  readonly rewards: number[];
  left: number;
  failed: boolean;
  readonly resolve: (r: number[]) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  readonly req: Pending;
  readonly k: number;
}

export interface BatcherStats {
  batches: number;
  sequences: number;
  largest: number;
}

export class ScoreBatcher {
  private readonly queue: Slot[] = [];
  private timer?: NodeJS.Timeout;
  private running = false;
  readonly stats: BatcherStats = { batches: 0, sequences: 0, largest: 0 };

  constructor(
    private readonly score: ScoreBatch,
    private readonly maxBatch: number,
    private readonly maxWaitMs: number,
  ) {}

  submit(seqs: readonly EncodedResponse[]): Promise<number[]> {
    if (!seqs.length) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const req: Pending = { seqs, rewards: new Array<number>(seqs.length), left: seqs.length, failed: false, resolve, reject };
      seqs.forEach((_, k) => this.queue.push({ req, k }));
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running) return; // the running batch's end picks the queue up
    if (this.queue.length >= this.maxBatch) {
      if (this.timer) (this.maxWaitMs > 0 ? clearTimeout : clearImmediate)(this.timer as never);
      this.timer = undefined;
      void this.run();
    } else if (this.queue.length && !this.timer) {
      const go = () => {
        this.timer = undefined;
        void this.run();
      };
      // 0: no waiting beyond the current turn of the event loop; under load, requests still batch
      // up while the previous batch runs
      this.timer = this.maxWaitMs > 0 ? setTimeout(go, this.maxWaitMs) : (setImmediate(go) as unknown as NodeJS.Timeout);
    }
  }

  private async run(): Promise<void> {
    if (this.running || !this.queue.length) return;
    this.running = true;
    const slots = this.queue.splice(0, this.maxBatch);
    this.stats.batches++;
    this.stats.sequences += slots.length;
    this.stats.largest = Math.max(this.stats.largest, slots.length);
    try {
      const r = await this.score(slots.map((s) => s.req.seqs[s.k]));
      slots.forEach((s, i) => {
        s.req.rewards[s.k] = r[i];
        if (--s.req.left === 0 && !s.req.failed) s.req.resolve(s.req.rewards);
      });
    } catch (err) {
      for (const s of slots) {
        if (!s.req.failed) s.req.reject(err);
        s.req.failed = true;
      }
      // the failed requests' other sequences are dropped, not scored for nobody
      for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].req.failed) this.queue.splice(i, 1);
    } finally {
      this.running = false;
    }
    // What waited while the batch ran goes next, once the event loop has read the requests that
    // arrived meanwhile (scoring on a CPU backend blocks it), so that they join this batch too.
    if (this.queue.length) setImmediate(() => void this.run());
  }
}
