import * as tf from '@tensorflow/tfjs-core';
import type { ParameterLayout } from './parameter-layout';

/** The webgpu backend's read straight into a caller's array (webgpu-upload.ts in @rewardkit/backend). */
const READ_INTO = Symbol.for('rewardkit.backend.readInto');
type ReadInto = (dataId: object, out: Float32Array, offset: number) => Promise<void>;

/**
 * Reads a float32 tensor into `out` at `offset`. On webgpu through reused staging buffers straight
 * into `out` (no intermediate array, one host copy); elsewhere through `data()`. The caller keeps
 * `t` alive until this resolves.
 */
export async function readTensorInto(t: tf.Tensor, out: Float32Array, offset: number): Promise<void> {
  const backend = tf.backend() as unknown as { [READ_INTO]?: ReadInto };
  const readInto = backend[READ_INTO];
  if (typeof readInto === 'function' && t.dtype === 'float32') return readInto.call(backend, t.dataId, out, offset);
  out.set((await t.data()) as Float32Array, offset);
}

/** Default read-back bucket: big enough that per-read overhead vanishes, small enough to stage twice. */
export const DEFAULT_BUCKET_BYTES = 64 * 2 ** 20;

/** The read-back buckets [a, b) of a buffer of `total` floats, at most `bucketBytes` each. */
export function bucketRanges(total: number, bucketBytes: number): [number, number][] {
  const per = Math.max(1, Math.floor(bucketBytes / 4));
  const out: [number, number][] = [];
  for (let a = 0; a < total; a += per) out.push([a, Math.min(total, a + per)]);
  return out;
}

/**
 * The values [a, b) of the flat buffer [layout.size + tail] as one new tensor, to be read back:
 * each overlapping slot's gradient (`gradOf(i)`, undefined: zeros) flattened and sliced, then the
 * part of `tail` past layout.size. Copies only (reshape, slice, concat), so the floats are the
 * gradients' own. Both the plain read-back and the copy/backward overlap build buckets here.
 */
export function bucketTensor(
  layout: ParameterLayout,
  a: number,
  b: number,
  gradOf: (slot: number) => tf.Tensor | undefined,
  tail: tf.Tensor1D | undefined,
): tf.Tensor {
  const P = layout.size;
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    layout.slots.forEach((slot, i) => {
      const lo = Math.max(a, slot.offset);
      const hi = Math.min(b, slot.offset + slot.size);
      if (lo >= hi) return;
      const g = gradOf(i);
      const flat = g ? tf.reshape(g, [-1]) : tf.zeros([slot.size]);
      parts.push(hi - lo === slot.size ? flat : tf.slice(flat, [lo - slot.offset], [hi - lo]));
    });
    if (b > P) {
      if (!tail) throw new Error(`bucketTensor: bucket [${a}, ${b}) reaches past the ${P} parameters but no statistics tail was given`);
      parts.push(tf.slice(tail, [Math.max(a, P) - P], [b - Math.max(a, P)]));
    }
    return parts.length === 1 ? tf.clone(parts[0]) : tf.concat(parts);
  });
}

/**
 * Reads a shard's gradients (a map by variable name, layout order, a missing one is zeros) and a
 * small `tail` of statistics into `out` [layout.size + tail.size]: per bucket of at most
 * `bucketBytes`, one concatenation on the device and one read, all reads started before the first
 * is awaited so the device queues the copies back to back. No tensor larger than a bucket is made:
 * a flat [P] tensor could exceed the device's largest storage binding (128 MiB on lavapipe), and a
 * bucket is the unit a later overlap with the ring will use. Returns the number of buckets.
 */
export async function readGradients(
  layout: ParameterLayout,
  grads: tf.NamedTensorMap,
  tail: tf.Tensor1D,
  out: Float32Array,
  bucketBytes = DEFAULT_BUCKET_BYTES,
): Promise<number> {
  const total = layout.size + tail.size;
  if (out.length < total) throw new Error(`readGradients: ${total} values do not fit a buffer of ${out.length}`);
  const gradOf = (i: number) => grads[layout.parameters[i].variable.name];
  const reads = bucketRanges(total, bucketBytes).map(([a, b]) => {
    const bucket = bucketTensor(layout, a, b, gradOf, tail);
    return readTensorInto(bucket, out, a).finally(() => bucket.dispose());
  });
  await Promise.all(reads);
  return reads.length;
}
