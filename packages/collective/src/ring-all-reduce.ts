/**
 * Ring all-reduce (as in Baidu's allreduce, Gloo's allreduce_ring and Horovod), plus the ring's
 * broadcast and barrier.
 *
 * The N ranks form a ring: rank r receives only from rank r-1 (on its bound PULL socket) and sends
 * only to rank r+1 (a PUSH connected to that rank's address). The buffer of L floats is cut into N
 * segments of L/N (sizes differ by at most one element; some are empty when L < N).
 *
 * Reduce-scatter, N-1 steps: at step k every rank sends segment (r-k) mod N to its right neighbour and
 * receives segment (r-k-1) mod N from its left neighbour, adding its own values into it. The segment a
 * rank receives at step k is exactly the one it sends at step k+1, now carrying one more rank's
 * contribution. After step N-2, rank r holds the complete sum of segment (r+1) mod N.
 *
 * All-gather, N-1 more steps: the same rotation, but a received segment is final, so it is copied into
 * the buffer and passed on unchanged. After 2(N-1) steps every rank has every summed segment.
 *
 * Each rank sends 2(N-1)/N x L floats in total, independent of N: that is why the ring is bandwidth
 * optimal, and why "bus bandwidth" = 2(N-1)/N x bytes / time is the figure to compare with a link's
 * point-to-point throughput.
 *
 * Chunking and pipelining: each segment travels as chunks of `chunkBytes`. A rank forwards chunk c of
 * step k+1 as soon as chunk c of step k has arrived and been added, while later chunks are still on
 * the wire, so transfer, summation and the neighbours' work overlap instead of alternating. Messages
 * from one neighbour arrive in the order sent, so each receive expects one exact (step, segment, chunk)
 * and any disagreement (length, call order, chunk size, world size) is reported with both ranks named.
 *
 * Memory and zero-copy: ZeroMQ sends frames over 128 bytes without copying, and `await send()` only
 * means queued. Only step 0 sends from the caller's buffer (views of this rank's own segment); every
 * later step forwards the frame it just received, which belongs to this rank alone, after adding into
 * it in place. That is safe without a copy because of the ring's causality: chunk c reaches this rank
 * at all-gather step 0 only after passing through every other rank, the first of which (the right
 * neighbour) can only have sent it on after reading this rank's step-0 chunk c. A peer has read a
 * message only once its sender's I/O thread has written every byte of it to the socket (tcp and ipc
 * copy through the kernel), so by the time this rank receives all-gather step 0, ZeroMQ no longer
 * reads any step-0 memory, and the buffer is first written after that: at the last step, or by the
 * caller after return. This holds even when a call fails: a rank that fails before that point stops
 * forwarding, so no peer can complete the call with data read late. (inproc:// would hand the memory
 * itself to the peer, so the collective refuses it.) Skipping the copy saves a pass over 1/N of the
 * buffer into freshly allocated pages, which page faults make the dearest copy of all here.
 * Received frames arrive aligned, so Float32Array views over them are free; the final values are
 * copied into the buffer once.
 *
 * Summation order differs between segments (segment s is summed starting at rank s), but the all-gather
 * copies one rank's result to all, so every replica ends bit-identical.
 *
 * bf16 wire (`wire: 'bf16'`, allReduce only): every frame carries bfloat16 (bf16.ts), half the bytes.
 * A rank widens the partial sum it receives to float32, adds its own float32 values, and rounds the
 * result to bf16 to forward it, so each hop adds in float32 and rounds once (as NCCL's bf16 ring does).
 * The rank completing a segment writes the bf16-rounded value into its own buffer too, the one the
 * all-gather hands everyone else, so replicas stay bit-identical. Frames are always fresh or received
 * memory (step 0 converts into a new frame), never views of the caller's buffer. Broadcast and barrier
 * stay float32: weights must arrive exact. The last `exactTail` elements of the buffer travel as
 * float32 even so (counts riding with the gradient; bf16-frames.ts).
 */
import { bf16FrameBytes, bf16Split, decodeBf16Frame, encodeBf16Frame } from './bf16-frames';
import { checkRoot, type Collective, type GradientWire } from './collective';
import { ChunkLayout, mod } from './chunk-layout';
import { addFrom, copyOut, floatsOf, frameOf } from './float-frames';
import { OpKind } from './frame-header';
import type { PeerLinks } from './peer-links';
import { SocketCollective, type OpCall } from './socket-collective';

export class RingCollective extends SocketCollective implements Collective {
  private readonly left: number;
  private readonly right: number;

  /** `links` must send to rank (rank + 1) % worldSize. */
  constructor(
    links: PeerLinks,
    rank: number,
    worldSize: number,
    chunkElems: number,
    private readonly wire: GradientWire = 'f32',
    /** bf16 wire: the last elements of every allReduce that travel as float32 (bf16-frames.ts). */
    private readonly exactTail = 0,
  ) {
    super(links, rank, worldSize, chunkElems);
    this.left = mod(rank - 1, worldSize);
    this.right = mod(rank + 1, worldSize);
  }

  allReduce(buf: Float32Array): Promise<void> {
    return this.run(OpKind.AllReduce, buf.length, 0, async (call) => {
      if (this.worldSize === 1) return;
      if (this.wire === 'bf16') await this.ringAllReduceBf16(call, buf);
      else await this.ringAllReduce(call, buf);
    });
  }

  /** The same schedule as ringAllReduce with bf16 frames (see the header comment). */
  private async ringAllReduceBf16(call: OpCall, buf: Float32Array): Promise<void> {
    const n = this.worldSize;
    const r = this.rank;
    const layout = new ChunkLayout(buf.length, n, this.chunkElems);
    const chunks = layout.chunksPerSegment;
    const lastStep = 2 * (n - 1) - 1;
    const wide = new Float32Array(Math.min(this.chunkElems, buf.length)); // a received chunk widened to f32
    const split = (a: number, b: number): number => bf16Split(a, b, buf.length, this.exactTail);

    for (let c = 0; c < chunks; c++) {
      const [a, b] = layout.chunk(r, c);
      const frame = Buffer.allocUnsafeSlow(bf16FrameBytes(b - a, split(a, b)));
      encodeBf16Frame(buf.subarray(a, b), split(a, b), frame);
      await call.send(this.right, 0, r, c, frame, `ring step 0 segment ${r} chunk ${c}`);
    }
    for (let k = 0; k <= lastStep; k++) {
      const seg = mod(r - k - 1, n);
      for (let c = 0; c < chunks; c++) {
        const [a, b] = layout.chunk(seg, c);
        const where = `ring step ${k} segment ${seg} chunk ${c}`;
        const at = split(a, b);
        const { data } = await call.receiveFrom(this.left, k, seg, c, bf16FrameBytes(b - a, at), where);
        const values = wide.subarray(0, b - a);
        decodeBf16Frame(data, at, values);
        if (k < n - 1) {
          // reduce-scatter: add this rank's float32 contribution, round once for the next hop
          addFrom(values, buf, a);
          encodeBf16Frame(values, at, data);
          if (k === n - 2) decodeBf16Frame(data, at, values); // the rounded sum every other rank gets
        }
        if (k >= n - 2) buf.set(values, a); // final values
        if (k < lastStep) await call.send(this.right, k + 1, seg, c, data, where);
      }
    }
  }

  private async ringAllReduce(call: OpCall, buf: Float32Array): Promise<void> {
    const n = this.worldSize;
    const r = this.rank;
    const layout = new ChunkLayout(buf.length, n, this.chunkElems);
    const chunks = layout.chunksPerSegment;
    const lastStep = 2 * (n - 1) - 1;

    // Step 0: this rank's own segment, sent without a copy (safe by causality, see above).
    for (let c = 0; c < chunks; c++) {
      const [a, b] = layout.chunk(r, c);
      await call.send(this.right, 0, r, c, frameOf(buf.subarray(a, b)), `ring step 0 segment ${r} chunk ${c}`);
    }
    for (let k = 0; k <= lastStep; k++) {
      const seg = mod(r - k - 1, n);
      for (let c = 0; c < chunks; c++) {
        const [a, b] = layout.chunk(seg, c);
        const where = `ring step ${k} segment ${seg} chunk ${c}`;
        const { data } = await call.receiveFrom(this.left, k, seg, c, (b - a) * 4, where);
        const frame = floatsOf(data); // [b - a]
        if (k < n - 1) addFrom(frame, buf, a); // reduce-scatter: add this rank's contribution
        if (k >= n - 2) buf.set(frame, a); // last reduce-scatter step and all-gather: final values
        if (k < lastStep) await call.send(this.right, k + 1, seg, c, frameOf(frame), where);
      }
    }
  }

  /**
   * Pipelined along the ring from `root`: each rank copies a chunk into its buffer and forwards the
   * received frame, until the rank before the root.
   */
  broadcast(buf: Float32Array, root: number): Promise<void> {
    const bad = checkRoot(this, root);
    if (bad) return Promise.reject(bad);
    return this.run(OpKind.Broadcast, buf.length, root, async (call) => {
      if (this.worldSize === 1) return;
      const layout = new ChunkLayout(buf.length, 1, this.chunkElems);
      const hop = mod(this.rank - root, this.worldSize); // 0 at the root
      for (let c = 0; c < layout.chunksPerSegment; c++) {
        const [a, b] = layout.chunk(0, c);
        const where = `broadcast hop ${hop} chunk ${c}`;
        if (hop === 0) {
          await call.send(this.right, 1, 0, c, copyOut(buf, a, b), where);
          continue;
        }
        const { data } = await call.receiveFrom(this.left, hop, 0, c, (b - a) * 4, where);
        buf.set(floatsOf(data), a);
        if (this.right !== root) await call.send(this.right, hop + 1, 0, c, data, where);
      }
    });
  }

  /**
   * A token goes twice round the ring from rank 0. The first lap reaches rank 0 again only after every
   * rank has entered; the second tells each rank so (the last rank does not pass it back to 0).
   */
  barrier(): Promise<void> {
    return this.run(OpKind.Barrier, 0, 0, async (call) => {
      if (this.worldSize === 1) return;
      const empty = Buffer.alloc(0);
      for (const lap of [0, 1]) {
        const where = `barrier lap ${lap}`;
        if (this.rank !== 0) await call.receiveFrom(this.left, lap, 0, 0, 0, where);
        const lastOfLap = lap === 1 && this.rank === this.worldSize - 1;
        if (!lastOfLap) await call.send(this.right, lap, 0, 0, empty, where);
        if (this.rank === 0 && lap === 0) await call.receiveFrom(this.left, 0, 0, 0, 0, where);
      }
    });
  }
}
