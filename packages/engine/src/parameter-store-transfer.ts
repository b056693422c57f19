import * as tf from '@tensorflow/tfjs-core';

/** Default read-back bucket: big enough that per-read overhead vanishes, small enough to stage twice. */
export const DEFAULT_BUCKET_BYTES = 64 * 2 ** 20;

/**
 * Reads a flat device tensor into `out` in buckets of at most `bucketBytes`, one read each, all
 * started before the first is awaited so the device queues the copies back to back. Buckets
 * bound the staging memory of one read and are the unit a later overlap with the ring will use.
 */
export async function readInBuckets(flat: tf.Tensor1D, out: Float32Array, bucketBytes = DEFAULT_BUCKET_BYTES): Promise<number> {
  const n = flat.size;
  if (out.length < n) throw new Error(`readInBuckets: ${n} values do not fit a buffer of ${out.length}`);
  const per = Math.max(1, Math.floor(bucketBytes / 4));
  if (n <= per) {
    out.set((await flat.data()) as Float32Array);
    return 1;
  }
  const parts: tf.Tensor1D[] = [];
  for (let at = 0; at < n; at += per) parts.push(tf.slice(flat, [at], [Math.min(per, n - at)]));
  try {
    const reads = parts.map((p) => p.data());
    for (let i = 0; i < parts.length; i++) out.set((await reads[i]) as Float32Array, i * per);
  } finally {
    tf.dispose(parts);
  }
  return parts.length;
}
