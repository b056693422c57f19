/**
 * Copy/backward overlap: each read-back bucket of the gradient buffer is copied off the device as
 * soon as the backward pass has produced every gradient in it, not after the whole backward pass.
 *
 * Why: with several workers a step reads its whole gradient back for the all-reduce (500 MB for
 * GPT-2 small). `readGradients` starts those copies once `tf.variableGrads` returns, so the GPU
 * runs all the backward kernels, then all the copies, and the host waits for both. tfjs records a
 * backward pass synchronously and the GPU runs behind it (a tfjs-webgpu step is host-bound); a
 * bucket whose copy is recorded, and submitted, as soon as its last gradient is recorded reaches
 * the host while the GPU still works on the earlier layers' gradients.
 *
 * How: tfjs gives no callback when a variable's gradient is complete, so we add one to its tape.
 * At the end of the forward pass (the tape complete, backward not begun), for every parameter x
 * the loss reaches: x' = clone(x) (a no-copy identity), its tape node moved to just before the
 * first node that reads x, and every later read of x re-pointed to x'. Backpropagation runs the
 * tape backwards, so it reaches that node after every use of x', with x's whole gradient as its
 * upstream gradient; the node's gradient function (ours) hands that tensor on unchanged (it is
 * then exactly what tf.variableGrads returns for x) and tells us it is ready. When all the
 * parameters overlapping a bucket are ready, the bucket is concatenated and its read started.
 * Buckets are the same [a, b) ranges of the flat buffer as readGradients', filled with the same
 * values (copies only), so the buffer is bit-identical to the non-overlapped path; the bucket
 * holding the statistics tail waits for them, after the backward pass.
 *
 * With several ranks the all-reduce goes bucket by bucket too (`finish(tail, allReduce)`): each
 * bucket is summed as soon as its read is in, while later buckets are still being copied, in an
 * order every rank derives from sizes alone (`reduceOrder`: gradient-only buckets from the last,
 * which a backward pass fills first, then the one holding the statistics), so ranks whose buckets
 * complete at different moments, or a rank with an empty shard (`reduceBuckets` over its zeros),
 * still make the same sequence of collective calls. The sums are those of one all-reduce of the
 * whole buffer up to summation order: a ring sums each element starting at the rank that owns its
 * segment, and segments follow the call's length (bit-identical for two ranks, a + b = b + a).
 *
 * Off by default until a GPU run shows the gain (REWARDKIT_GRAD_READ_OVERLAP=1 or
 * setGradientReadOverlap(true)); the step profile measures both. Not with row-sparse tables
 * (their gradients are [rows, C], not layout slots).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterLayout } from './parameter-layout';
import { bucketRanges, bucketTensor, readTensorInto } from './parameter-store-transfer';

export const GRAD_READ_OVERLAP_ENV = 'REWARDKIT_GRAD_READ_OVERLAP';
let overlap = process.env[GRAD_READ_OVERLAP_ENV] === '1';

/** Turns the overlap on or off for the process's next steps; returns the setting. */
export function setGradientReadOverlap(on?: boolean): boolean {
  if (on !== undefined) overlap = on;
  return overlap;
}

/** The part of a tfjs tape node we touch (tfjs-core 4.22 engine.ts `TapeNode`). */
interface TapeNode {
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

function activeTape(): TapeNode[] {
  const tape = (tf.engine() as unknown as { state: { activeTape: TapeNode[] | null } }).state.activeTape;
  if (!tape) throw new Error('gradient overlap: no active tape (call inside tf.variableGrads)');
  return tape;
}

/** The order of the per-bucket all-reduce: buckets of gradients only, last first; then those reaching past `P`. */
export function reduceOrder(P: number, total: number, bucketBytes: number): [number, number][] {
  const ranges = bucketRanges(total, bucketBytes);
  return [...ranges.filter(([, b]) => b <= P).reverse(), ...ranges.filter(([, b]) => b > P)];
}

/**
 * All-reduces `buf` [P + tail] bucket by bucket in `reduceOrder`, each after `ready(a)` (its read)
 * resolves. Returns the milliseconds spent in the all-reduce calls themselves.
 */
export async function reduceBuckets(
  buf: Float32Array,
  P: number,
  total: number,
  bucketBytes: number,
  allReduce: (part: Float32Array) => Promise<void>,
  ready: (a: number) => Promise<void> = async () => undefined,
): Promise<number> {
  let ms = 0;
  for (const [a, b] of reduceOrder(P, total, bucketBytes)) {
    await ready(a);
    const t0 = performance.now();
    await allReduce(buf.subarray(a, b));
    ms += performance.now() - t0;
  }
  return ms;
}

interface Bucket {
  readonly a: number;
  readonly b: number;
  /** Parameter slots overlapping [a, b) whose gradient has not arrived yet. */
  pending: number;
  started: boolean;
}

/** One step's overlapped read-back into `out` [layout.size + tail]. */
export class OverlappedGradientReads {
  private readonly buckets: Bucket[] = [];
  /** Per slot: the buckets it overlaps. */
  private readonly slotBuckets: number[][];
  private readonly grads = new Map<number, tf.Tensor>();
  /** Each started bucket's read, by its first index. */
  private readonly reads = new Map<number, Promise<void>>();
  private readonly total: number;
  /** Buckets whose read began while the backward pass was still being recorded. */
  startedDuringBackward = 0;

  constructor(
    private readonly layout: ParameterLayout,
    private readonly out: Float32Array,
    tailSize: number,
    private readonly bucketBytes: number,
  ) {
    const total = layout.size + tailSize;
    this.total = total;
    if (out.length < total) throw new Error(`gradient overlap: ${total} values do not fit a buffer of ${out.length}`);
    for (const [a, b] of bucketRanges(total, bucketBytes)) this.buckets.push({ a, b, pending: 0, started: false });
    this.slotBuckets = layout.slots.map((slot) => {
      const ids: number[] = [];
      this.buckets.forEach((k, i) => {
        if (slot.offset < k.b && slot.offset + slot.size > k.a) {
          ids.push(i);
          k.pending++;
        }
      });
      return ids;
    });
  }

  /** `f` for tf.variableGrads, tapping `xs` (layout order) once the forward pass has run. */
  wrap(f: () => tf.Scalar, xs: readonly tf.Tensor[]): () => tf.Scalar {
    return () => {
      const y = f();
      this.tap(xs);
      return y;
    };
  }

  /** The tape surgery (see the header), on the active tape, for each of `xs` some node reads. */
  private tap(xs: readonly tf.Tensor[]): void {
    const tape = activeTape();
    const first = new Map<number, number>(); // tensor id -> index of the first node reading it
    const slotOf = new Map<number, number>(xs.map((x, i) => [x.id, i]));
    tape.forEach((node, i) => {
      for (const t of Object.values(node.inputs)) if (slotOf.has(t.id) && !first.has(t.id)) first.set(t.id, i);
    });
    const taps = new Map<number, TapeNode[]>(); // insert before this index
    const replacement = new Map<number, tf.Tensor>();
    for (const [id, at] of first) {
      const slot = slotOf.get(id) as number;
      const x = xs[slot] as tf.Tensor;
      const copy = tf.clone(x); // records an Identity node at the tape's end
      const node = tape.pop();
      if (!node || node.outputs[0]?.id !== copy.id) throw new Error('gradient overlap: tfjs did not record the identity as the last tape node');
      node.gradient = (dys) => ({
        x: () => {
          const dx = dys[0] as tf.Tensor; // x's whole gradient: every read of x now reads x'
          this.ready(slot, dx);
          return dx;
        },
      });
      replacement.set(id, copy);
      taps.set(at, [...(taps.get(at) ?? []), node]);
    }
    const rebuilt: TapeNode[] = [];
    tape.forEach((node, i) => {
      rebuilt.push(...(taps.get(i) ?? []));
      for (const [name, t] of Object.entries(node.inputs)) {
        const r = replacement.get(t.id);
        if (r && i >= (first.get(t.id) as number)) node.inputs[name] = r;
      }
      rebuilt.push(node);
    });
    tape.splice(0, tape.length, ...rebuilt);
  }

  /** A slot's gradient is complete: start every bucket that now has all of its parameters. */
  private ready(slot: number, grad: tf.Tensor): void {
    this.grads.set(slot, grad);
    for (const k of this.slotBuckets[slot] ?? []) {
      const bucket = this.buckets[k] as Bucket;
      bucket.pending--;
      if (bucket.pending === 0 && bucket.b <= this.layout.size) {
        this.start(bucket, undefined);
        this.startedDuringBackward++;
      }
    }
  }

  /** Concatenates a bucket's pieces on the device (`bucketTensor`, as readGradients does) and starts its read. */
  private start(bucket: Bucket, tail: tf.Tensor1D | undefined): void {
    bucket.started = true;
    const { a, b } = bucket;
    const t = bucketTensor(this.layout, a, b, (i) => this.grads.get(i), tail);
    tf.keep(t); // started inside the backward pass's tidy, read after it
    this.reads.set(a, readTensorInto(t, this.out, a).finally(() => t.dispose()));
  }

  /**
   * After tf.variableGrads returned: starts the buckets not started yet (those holding the
   * statistics `tail`, and any with a parameter the loss does not reach: zeros there) and waits for
   * every read; with `allReduce`, sums each bucket over the ranks as soon as its read is in
   * (`reduceBuckets`). `grads` must stay alive until this resolves. Returns the milliseconds spent
   * in all-reduce calls (0 without).
   */
  async finish(tail: tf.Tensor1D, allReduce?: (part: Float32Array) => Promise<void>): Promise<number> {
    for (const bucket of this.buckets) if (!bucket.started) this.start(bucket, tail);
    try {
      if (!allReduce) {
        await Promise.all(this.reads.values());
        return 0;
      }
      return await reduceBuckets(this.out, this.layout.size, this.total, this.bucketBytes, allReduce, (a) => this.reads.get(a) ?? Promise.resolve());
    } finally {
      await Promise.allSettled(this.reads.values()); // every copy in (and its tensor freed) before the caller frees the gradients
    }
  }
}
