/**
 * Scales `grad` in place so its global L2 norm is at most `maxNorm`; returns the norm before
 * clipping. The norm is accumulated in float64 so it does not depend on summation order.
 */
export function clipGradNorm(grad: Float32Array, maxNorm: number, length = grad.length): number {
  let sq = 0;
  for (let i = 0; i < length; i++) sq += grad[i] * grad[i];
  const norm = Math.sqrt(sq);
  if (norm > maxNorm && norm > 0) {
    const scale = maxNorm / norm;
    for (let i = 0; i < length; i++) grad[i] *= scale;
  }
  return norm;
}
