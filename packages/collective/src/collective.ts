import { CollectiveError } from '@rewardkit/core';

/**
 * What data-parallel training needs from its workers' communication: an in-place sum of the gradient
 * over ranks, a broadcast (initial weights from rank 0) and a barrier. Every rank must make the same
 * calls, in the same order, with buffers of the same length; implementations check this on the wire
 * and fail with a CollectiveError naming the ranks and what differed.
 *
 * Calls on one Collective must not overlap (await each). After any failure the collective is broken:
 * every later call rejects, and the owner closes it and builds a new one (new generation).
 */
export interface Collective {
  readonly rank: number;
  readonly worldSize: number;
  /** In-place element-wise sum over all ranks; on return `buf` may be reused or mutated at once. */
  allReduce(buf: Float32Array): Promise<void>;
  /** Copies `root`'s `buf` into every other rank's `buf` (same length everywhere). */
  broadcast(buf: Float32Array, root: number): Promise<void>;
  /** Resolves on a rank only once every rank has entered the barrier. */
  barrier(): Promise<void>;
  /** Closes sockets; safe to call twice. Pending calls reject. */
  close(): Promise<void>;
}

/** The error for a broadcast root that is not a rank, or undefined. */
export function checkRoot(c: Collective, root: number): CollectiveError | undefined {
  if (Number.isInteger(root) && root >= 0 && root < c.worldSize) return undefined;
  return new CollectiveError(`rank ${c.rank}: broadcast root ${root} is not a rank of a world of ${c.worldSize}`);
}

export type CollectiveAlgorithm = 'ring' | 'star' | 'local';

/** How allReduce carries gradients between ranks: float32, or bfloat16 (half the bytes, ring only). */
export type GradientWire = 'f32' | 'bf16';
export const GRADIENT_WIRES: readonly GradientWire[] = ['f32', 'bf16'];

/** Tuning shared by the socket implementations. Every rank must use the same chunkBytes. */
export interface CollectiveTuning {
  /**
   * Bytes per message (rounded down to whole floats). Large enough to amortise per-message costs,
   * small enough that a rank starts forwarding before the whole segment has arrived. Default 1 MiB:
   * on loopback 1 MiB messages beat both 256 KiB and 4 MiB.
   */
  readonly chunkBytes?: number;
  /** A receive that waits longer rejects with a CollectiveError naming the peer. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Ring generation; messages from an older generation (a ring rebuilt after a failure) are dropped,
   * from a newer one are an error. Default 0.
   */
  readonly generation?: number;
  /** How long close() lets queued messages drain to peers before dropping them. Default 2 s. */
  readonly lingerMs?: number;
  /**
   * The job's key, `collectiveKey(token, jobId)`, the same on every rank: each message carries a tag
   * made with it and what does not verify is dropped (link-auth.ts). Without it (tests, benchmarks)
   * anyone who can reach a rank's socket may send it well-formed messages; garbage is dropped either way.
   */
  readonly key?: Uint8Array;
  /**
   * Element type of allReduce's frames (default 'f32', exact sums). 'bf16' halves the bytes at the
   * cost of bf16 rounding at every hop (ring-all-reduce.ts); every rank must use the same (a mismatch
   * fails on the first frame's byte count). Broadcast is always float32.
   */
  readonly wire?: GradientWire;
  /**
   * On the bf16 wire, this many elements at the end of every allReduce buffer travel as float32 and
   * sum exactly: counts a trainer appends to its gradient (bf16 holds integers exactly only to 256).
   * Default 0; every rank must use the same.
   */
  readonly exactTail?: number;
}

export const DEFAULT_CHUNK_BYTES = 1 << 20;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_LINGER_MS = 2_000;
