/**
 * Star all-reduce: every rank sends its whole buffer to rank 0, rank 0 sums and sends the result back.
 * It exists as the baseline the ring is measured against: rank 0's link carries (N-1) x L floats each
 * way, so its time grows with N while the ring's stays flat. It is simpler and, for tiny buffers or
 * N = 2, not slower; use the ring for gradients.
 *
 * Same framing and chunking as the ring (see ring-all-reduce.ts). Zero-copy: a non-root rank sends
 * views of its buffer, which is safe because the result it waits for can only exist after rank 0 has
 * read all of them; rank 0 (and a broadcast root) returns as soon as its sends are queued, so it sends
 * copies, one per chunk shared by all receivers. Rank 0 adds chunks in arrival order, so float32
 * rounding can differ from run to run, but every rank receives rank 0's bits: replicas stay identical.
 * Every rank connects to every other, so broadcast goes straight from any root.
 */
import { checkRoot, type Collective } from './collective';
import { ChunkLayout } from './chunk-layout';
import { addInto, copyOut, floatsOf, frameOf } from './float-frames';
import { OpKind } from './frame-header';
import type { PeerLinks } from './peer-links';
import { SocketCollective, type OpCall } from './socket-collective';

const ROOT = 0;

export class StarCollective extends SocketCollective implements Collective {
  /** `links` must send to every other rank. */
  constructor(links: PeerLinks, rank: number, worldSize: number, chunkElems: number) {
    super(links, rank, worldSize, chunkElems);
  }

  allReduce(buf: Float32Array): Promise<void> {
    return this.run(OpKind.AllReduce, buf.length, 0, async (call) => {
      if (this.worldSize === 1) return;
      const layout = new ChunkLayout(buf.length, 1, this.chunkElems);
      if (this.rank === ROOT) {
        await this.gather(call, layout, (a, floats) => addInto(buf, a, floats));
        await this.scatter(call, layout, buf, 1);
        return;
      }
      for (let c = 0; c < layout.chunksPerSegment; c++) {
        const [a, b] = layout.chunk(0, c);
        await call.send(ROOT, 0, 0, c, frameOf(buf.subarray(a, b)), `star gather chunk ${c}`);
      }
      await this.receiveAll(call, layout, buf, ROOT, 1);
    });
  }

  broadcast(buf: Float32Array, root: number): Promise<void> {
    const bad = checkRoot(this, root);
    if (bad) return Promise.reject(bad);
    return this.run(OpKind.Broadcast, buf.length, root, async (call) => {
      if (this.worldSize === 1) return;
      const layout = new ChunkLayout(buf.length, 1, this.chunkElems);
      if (this.rank === root) await this.scatter(call, layout, buf, 1, root);
      else await this.receiveAll(call, layout, buf, root, 1);
    });
  }

  /** Everyone checks in with rank 0; rank 0 releases everyone once all have. */
  barrier(): Promise<void> {
    return this.run(OpKind.Barrier, 0, 0, async (call) => {
      if (this.worldSize === 1) return;
      const layout = new ChunkLayout(0, 1, this.chunkElems); // one empty chunk
      const none = new Float32Array(0);
      if (this.rank === ROOT) {
        await this.gather(call, layout, () => undefined);
        await this.scatter(call, layout, none, 1);
      } else {
        await call.send(ROOT, 0, 0, 0, Buffer.alloc(0), 'barrier check-in');
        await this.receiveAll(call, layout, none, ROOT, 1);
      }
    });
  }

  /** Rank 0: every chunk from every other rank, in whatever order they interleave. */
  private async gather(call: OpCall, layout: ChunkLayout, consume: (start: number, floats: Float32Array) => void): Promise<void> {
    const chunks = layout.chunksPerSegment;
    const next = new Array<number>(this.worldSize).fill(0); // next chunk expected per sender
    next[ROOT] = chunks;
    let pending = (this.worldSize - 1) * chunks;
    while (pending > 0) {
      const waiting = next.flatMap((c, rank) => (c < chunks ? [rank] : []));
      const { header, data } = await call.receiveAny(waiting, 0, 'star gather');
      const from = header.fromRank;
      if (from <= ROOT || from >= this.worldSize || header.chunk !== next[from]) {
        throw call.fail(`star gather: unexpected chunk ${header.chunk} from rank ${from} (expected chunk ${next[from]})`);
      }
      const [a, b] = layout.chunk(0, header.chunk);
      if (data.byteLength !== (b - a) * 4) {
        throw call.fail(`star gather: rank ${from} sent ${data.byteLength} bytes for chunk ${header.chunk}, expected ${(b - a) * 4}`);
      }
      consume(a, floatsOf(data));
      next[from]++;
      pending--;
    }
  }

  /** One copy per chunk, shared by the sends to every other rank (nobody writes it). */
  private async scatter(call: OpCall, layout: ChunkLayout, buf: Float32Array, step: number, from = ROOT): Promise<void> {
    for (let c = 0; c < layout.chunksPerSegment; c++) {
      const [a, b] = layout.chunk(0, c);
      const frame = copyOut(buf, a, b);
      for (let peer = 0; peer < this.worldSize; peer++) {
        if (peer !== from) await call.send(peer, step, 0, c, frame, `star scatter chunk ${c} to rank ${peer}`);
      }
    }
  }

  private async receiveAll(call: OpCall, layout: ChunkLayout, buf: Float32Array, from: number, step: number): Promise<void> {
    for (let c = 0; c < layout.chunksPerSegment; c++) {
      const [a, b] = layout.chunk(0, c);
      const { data } = await call.receiveFrom(from, step, 0, c, (b - a) * 4, `star result chunk ${c}`);
      buf.set(floatsOf(data), a);
    }
  }
}
