import type { DecodedMessage, EnvelopeBodyCase } from '@rewardkit/proto';

interface Waiter {
  readonly body: EnvelopeBodyCase;
  /** Further filter, e.g. the step a result must belong to (late replies of a failed step). */
  readonly accept?: (m: DecodedMessage) => boolean;
  readonly ranks: ReadonlySet<number>;
  readonly got: Map<number, DecodedMessage>;
  resolve(got: Map<number, DecodedMessage>): void;
  reject(err: Error): void;
}

/**
 * Request/response bookkeeping of the coordinator: a request waits for one reply of a kind from
 * each of a set of ranks; a failure anywhere (a lost worker, an error report) rejects every wait,
 * so no request outlives the fleet that was to answer it.
 */
export class ReplyCollector {
  private readonly waiters = new Set<Waiter>();

  /** Resolves with one `body` reply from each of `ranks`, by rank. */
  collect(body: EnvelopeBodyCase, ranks: ReadonlySet<number>, accept?: (m: DecodedMessage) => boolean): Promise<Map<number, DecodedMessage>> {
    return new Promise((resolve, reject) => {
      this.waiters.add({ body, ranks, accept, got: new Map(), resolve, reject });
    });
  }

  /** Hands a reply from `rank` to the first wait that expects it; false when none does. */
  deliver(rank: number, message: DecodedMessage): boolean {
    const body = message.envelope.body;
    for (const w of this.waiters) {
      if (w.body !== body || !w.ranks.has(rank) || w.got.has(rank) || !(w.accept?.(message) ?? true)) continue;
      w.got.set(rank, message);
      if (w.got.size === w.ranks.size) {
        this.waiters.delete(w);
        w.resolve(w.got);
      }
      return true;
    }
    return false;
  }

  /** True while some request waits for replies (silence then means trouble). */
  get waiting(): boolean {
    return this.waiters.size > 0;
  }

  failAll(err: Error): void {
    for (const w of this.waiters) w.reject(err);
    this.waiters.clear();
  }
}
