/**
 * Deterministic per-rank inputs, so a parent process can recompute what child ranks summed, and a
 * float64 reference for the sum.
 */
import { Rng } from '@rewardkit/core';

/** Uniform floats in [0, 1) from core's seeded generator. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.nextFloat();
}

/** Rank `rank`'s input: `length` floats uniform in [-1, 1). */
export function rankInput(seed: number, rank: number, length: number): Float32Array {
  const next = seededRandom(seed * 1009 + rank * 7919 + length);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = next() * 2 - 1;
  return out;
}

/** The exact-enough sum over ranks, accumulated in float64 from the same float32 inputs. */
export function float64Sum(inputs: readonly Float32Array[]): Float64Array {
  const out = new Float64Array(inputs[0]?.length ?? 0);
  for (const x of inputs) for (let i = 0; i < x.length; i++) out[i] += x[i];
  return out;
}

/**
 * Largest error a float32 sum of `worldSize` inputs in [-1, 1] may have, whatever the order: each of
 * the N-1 additions rounds to within half an ulp of a partial sum of magnitude at most N, i.e. within
 * N * 2^-24, so the total is within (N - 1) * N * 2^-24 (about 1.2e-6 for N = 5).
 */
export function float32SumTolerance(worldSize: number): number {
  return Math.max(1, worldSize - 1) * worldSize * 2 ** -24;
}

/** Largest |a[i] - b[i]|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Bit-for-bit equality (replicas must not merely be close). */
export function bitwiseEqual(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
