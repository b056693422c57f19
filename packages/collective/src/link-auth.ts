/**
 * Who may talk on a ring link. A rank's receive socket is bound on an address its peers can reach,
 * so anyone who can reach it can connect and send; before this, one stray or hostile frame failed
 * the all-reduce and forced a full recovery of the job.
 *
 * Every message now carries a tag: HMAC-SHA256, cut to 16 bytes, over the receiving rank and the
 * header frame, under a key derived from the job's token and id, which every admitted worker already
 * holds (the coordinator checked it at Hello) and nobody else does. The header names the ring
 * generation, the call, the position in it and the sender, so a tag is good for one message to one
 * rank of one ring: a stranger cannot forge one, and a message recorded for another rank or an older
 * ring does not verify or is dropped as a straggler. A message whose tag does not verify is dropped
 * with a log line and the receive goes on waiting for the real one.
 *
 * The data frame is not tagged: ZeroMQ delivers a multipart message whole or not at all, so a
 * stranger cannot pair their data with a peer's header. What this does not give is secrecy or
 * protection from someone who can rewrite traffic on the wire; that would take ZeroMQ's CURVE
 * encryption, whose cost on every gradient byte we have not wanted to pay on a cluster network.
 * The tag itself costs one HMAC of 64 bytes per chunk (about a microsecond).
 */
import crypto from 'node:crypto';

export const TAG_BYTES = 16;

/** The collective key of a job: every rank of the job must derive the same one. */
export function collectiveKey(token: string, jobId: string): Buffer {
  return crypto.createHmac('sha256', token).update(`rewardkit collective v1\0${jobId}`).digest();
}

export class LinkAuth {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.byteLength < 16) throw new RangeError(`collective key: ${key.byteLength} bytes, at least 16 expected`);
    this.key = Buffer.from(key);
  }

  /** The tag of `header` sent to rank `to`. */
  tag(header: Buffer, to: number): Buffer {
    const rank = Buffer.alloc(4);
    rank.writeInt32LE(to, 0);
    return crypto.createHmac('sha256', this.key).update(rank).update(header).digest().subarray(0, TAG_BYTES);
  }

  /** Does `tag` belong to `header` sent to rank `to`? Constant-time. */
  verify(header: Buffer, tag: Buffer, to: number): boolean {
    return tag.byteLength === TAG_BYTES && crypto.timingSafeEqual(this.tag(header, to), tag);
  }
}
