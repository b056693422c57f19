/**
 * The held-out mean Bradley-Terry loss, -log sigmoid(r_w - r_l) = softplus(-(r_w - r_l)), in
 * float64 from rewards already computed (no forward pass of its own). Plain BT: no margin, no
 * label smoothing, so runs with different loss settings compare on one scale. Early stopping
 * watches it by default: unlike accuracy it moves with every pair's margin, not in steps of 1/n.
 */
export function heldOutLoss(chosen: ArrayLike<number>, rejected: ArrayLike<number>): number {
  const n = chosen.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += softplus(rejected[i] - chosen[i]);
  return sum / n;
}

/** log(1 + e^x) without overflow for large x or lost precision for very negative x. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
