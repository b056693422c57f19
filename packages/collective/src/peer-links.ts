/**
 * A rank's sockets: one PULL bound at its own address (everything addressed to this rank arrives
 * there, in order per sender) and one PUSH per peer it sends to. This class is their only owner:
 * it sends and receives two-frame messages (header, data), applies the timeout, drops stragglers
 * from older generations, drops what is not a collective message of this job (garbage, a stranger's
 * frames, a tag that does not verify: link-auth.ts) with a log line, and turns every socket failure
 * into a CollectiveError naming the ranks.
 */
import { CollectiveError, createLogger, type Logger } from '@rewardkit/core';
import * as zmq from 'zeromq';
import { decodeHeader, describeMismatch, encodeHeader, HEADER_BYTES, type FrameHeader, type HeaderExpectation } from './frame-header';
import { LinkAuth, TAG_BYTES } from './link-auth';

export interface LinkSettings {
  readonly timeoutMs: number;
  readonly lingerMs: number;
  readonly generation: number;
  /** The job's collective key (collectiveKey): tag what we send, drop what does not verify. */
  readonly key?: Uint8Array;
}

/** Dropped messages logged one by one; after that, only at 10, 100, 1000, ... */
const DROPS_LOGGED = 3;

export interface Received {
  readonly header: FrameHeader;
  readonly data: Buffer;
}

export class PeerLinks {
  private readonly pushes = new Map<number, zmq.Push>();
  private closed = false;
  private readonly log: Logger;
  private readonly auth?: LinkAuth;
  private dropped = 0;

  /** Takes ownership of `pull` (already bound) and connects a PUSH to each rank in `sendTo`. */
  constructor(
    readonly rank: number,
    private readonly pull: zmq.Pull,
    peerAddresses: readonly string[],
    sendTo: readonly number[],
    readonly settings: LinkSettings,
  ) {
    this.log = createLogger(`collective:rank${rank}`);
    if (settings.key) this.auth = new LinkAuth(settings.key);
    // No high-water marks: a ring sends a whole segment before reading, and a blocked send there
    // would deadlock the ring. The buffer being reduced bounds what can be queued.
    pull.receiveHighWaterMark = 0;
    pull.receiveTimeout = settings.timeoutMs;
    for (const peer of sendTo) {
      const push = new zmq.Push({ sendHighWaterMark: 0, sendTimeout: settings.timeoutMs, linger: settings.lingerMs });
      this.pushes.set(peer, push);
      try {
        push.connect(peerAddresses[peer]);
      } catch (err) {
        this.closeNow();
        throw new CollectiveError(`rank ${rank}: cannot connect to rank ${peer} at "${peerAddresses[peer]}": ${(err as Error).message}`);
      }
    }
  }

  /** Queues header + data for `to`. `data` must not change afterwards (it is sent without copying). */
  async send(to: number, header: FrameHeader, data: Buffer, what: string): Promise<void> {
    const push = this.pushes.get(to);
    if (!push) throw new CollectiveError(`rank ${this.rank}, ${what}: no connection to rank ${to}`);
    const head = encodeHeader(header);
    try {
      await push.send([this.auth ? Buffer.concat([head, this.auth.tag(head, to)]) : head, data]);
    } catch (err) {
      throw this.socketError(err, `sending to rank ${to}`, what);
    }
  }

  /**
   * The next message addressed to this rank. It must match `expect` (fields left out are not checked)
   * and, when `dataBytes` is given, carry exactly that many bytes. `waitingFor` names the peer(s) for
   * the timeout message.
   */
  async receive(expect: HeaderExpectation, dataBytes: number | undefined, waitingFor: string, what: string): Promise<Received> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await this.pull.receive();
      } catch (err) {
        throw this.socketError(err, `waiting for ${waitingFor}`, what);
      }
      const header = this.open(frames);
      if (typeof header === 'string') {
        this.drop(`${header} while waiting for ${waitingFor}`);
        continue;
      }
      if (header.generation < this.settings.generation) {
        this.log.warn(`dropped a message from rank ${header.fromRank} of an older ring (generation ${header.generation} < ${this.settings.generation})`);
        continue;
      }
      if (header.generation > this.settings.generation) {
        throw new CollectiveError(
          `rank ${this.rank}, ${what}: rank ${header.fromRank} is in ring generation ${header.generation}, this rank in ${this.settings.generation} (a stale worker?)`,
        );
      }
      const mismatch = describeMismatch(expect, header, this.rank);
      if (mismatch.length > 0) {
        throw new CollectiveError(`rank ${this.rank}, ${what}: mismatched collective calls between rank ${this.rank} and rank ${header.fromRank}: ${mismatch.join('; ')}`);
      }
      const data = frames[1];
      if (dataBytes !== undefined && data.byteLength !== dataBytes) {
        throw new CollectiveError(
          `rank ${this.rank}, ${what}: rank ${header.fromRank} sent ${data.byteLength} bytes for step ${header.step} segment ${header.segment} chunk ${header.chunk}, expected ${dataBytes}`,
        );
      }
      return { header, data };
    }
  }

  /** The header of a message of this job, or why it is not one. */
  private open(frames: Buffer[]): FrameHeader | string {
    const headerBytes = HEADER_BYTES + (this.auth ? TAG_BYTES : 0);
    if (frames.length !== 2 || frames[0].byteLength !== headerBytes) {
      return `a ${frames.length}-frame message that is not a collective frame (${frames.map((f) => f.byteLength).join('+')} bytes)`;
    }
    const head = frames[0].subarray(0, HEADER_BYTES);
    if (this.auth && !this.auth.verify(head, frames[0].subarray(HEADER_BYTES), this.rank)) {
      return 'a message whose tag does not verify (not from a rank of this job)';
    }
    return decodeHeader(head) ?? 'a message whose header is not a collective header';
  }

  /** Drops a stray message with a log line; the ring goes on waiting for the real one. */
  private drop(why: string): void {
    this.dropped++;
    if (this.dropped <= DROPS_LOGGED) this.log.warn(`dropped ${why}`);
    else if (Number.isInteger(Math.log10(this.dropped))) this.log.warn(`dropped ${this.dropped} stray messages so far; the latest: ${why}`);
  }

  /** Idempotent. PUSH sockets linger (settings.lingerMs) so that already queued messages still arrive. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const push of this.pushes.values()) push.close();
    this.pushes.clear();
    this.pull.close();
  }

  /** After a failure: drop whatever is still queued instead of lingering for it. */
  closeNow(): void {
    for (const push of this.pushes.values()) if (!push.closed) push.linger = 0;
    this.close();
  }

  private socketError(err: unknown, doing: string, what: string): CollectiveError {
    if (this.closed) return new CollectiveError(`rank ${this.rank}, ${what}: collective closed while ${doing}`);
    const code = (err as { code?: string }).code;
    if (code === 'EAGAIN') {
      return new CollectiveError(`rank ${this.rank}, ${what}: timed out after ${this.settings.timeoutMs} ms ${doing} (dead or stalled?)`);
    }
    return new CollectiveError(`rank ${this.rank}, ${what}: socket error ${doing}: ${(err as Error).message}`);
  }
}
