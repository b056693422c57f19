/**
 * What the ring and star collectives share: call bookkeeping. Every call gets the next sequence
 * number (the same on every rank, checked on the wire), calls may not overlap, and the first failure
 * breaks the collective for good: after a timeout or mismatch, messages of the failed call may still be
 * in flight, so no later call could trust what it receives.
 */
import { CollectiveError } from '@rewardkit/core';
import type { Collective } from './collective';
import { OpKind, opName, type FrameHeader, type HeaderExpectation } from './frame-header';
import type { PeerLinks, Received } from './peer-links';

/** One call in progress: builds its headers and expectations, names it in errors. */
export class OpCall {
  constructor(
    private readonly links: PeerLinks,
    private readonly base: Omit<FrameHeader, 'step' | 'segment' | 'chunk'>,
    /** "allReduce #12 (1000 elements)" */
    readonly what: string,
  ) {}

  header(step: number, segment: number, chunk: number): FrameHeader {
    return { ...this.base, step, segment, chunk };
  }

  send(to: number, step: number, segment: number, chunk: number, data: Buffer, where: string): Promise<void> {
    return this.links.send(to, this.header(step, segment, chunk), data, `${this.what}, ${where}`);
  }

  /** The next message, which must come from `from` at exactly this position. */
  receiveFrom(from: number, step: number, segment: number, chunk: number, dataBytes: number, where: string): Promise<Received> {
    const expect: HeaderExpectation = { ...this.base, fromRank: from, step, segment, chunk };
    return this.links.receive(expect, dataBytes, `rank ${from}`, `${this.what}, ${where}`);
  }

  /** The next message from any of `waitingFor`; the caller checks sender and position. */
  receiveAny(waitingFor: readonly number[], step: number, where: string): Promise<Received> {
    const { fromRank: _ignored, ...expect } = { ...this.base, step };
    const names = waitingFor.length === 1 ? `rank ${waitingFor[0]}` : `ranks ${waitingFor.join(', ')}`;
    return this.links.receive(expect, undefined, names, `${this.what}, ${where}`);
  }

  fail(message: string): CollectiveError {
    return new CollectiveError(`rank ${this.base.fromRank}, ${this.what}: ${message}`);
  }
}

export abstract class SocketCollective implements Collective {
  private opSeq = 0;
  private busy: string | undefined;
  private broken: string | undefined;
  private closed = false;

  protected constructor(
    protected readonly links: PeerLinks,
    readonly rank: number,
    readonly worldSize: number,
    protected readonly chunkElems: number,
  ) {}

  abstract allReduce(buf: Float32Array): Promise<void>;
  abstract broadcast(buf: Float32Array, root: number): Promise<void>;
  abstract barrier(): Promise<void>;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.broken) this.links.closeNow();
    else this.links.close();
  }

  /** Runs one call with its bookkeeping; `body` does the algorithm. */
  protected async run(kind: OpKind, length: number, root: number, body: (call: OpCall) => Promise<void>): Promise<void> {
    const what = `${opName(kind)} #${this.opSeq}${kind === OpKind.Barrier ? '' : ` (${length} elements)`}`;
    if (this.closed) throw new CollectiveError(`rank ${this.rank}, ${what}: collective is closed`);
    if (this.broken) throw new CollectiveError(`rank ${this.rank}, ${what}: collective is broken by an earlier failure (${this.broken}); close it and build a new one`);
    if (this.busy) {
      throw new CollectiveError(`rank ${this.rank}: ${what} called while ${this.busy} is in progress; await each collective call before the next`);
    }
    const call = new OpCall(
      this.links,
      {
        generation: this.links.settings.generation,
        opSeq: this.opSeq++,
        kind,
        fromRank: this.rank,
        worldSize: this.worldSize,
        length,
        chunkElems: this.chunkElems,
        root,
      },
      what,
    );
    this.busy = what;
    try {
      await body(call);
    } catch (err) {
      this.broken = (err as Error).message;
      throw err;
    } finally {
      this.busy = undefined;
    }
  }
}
