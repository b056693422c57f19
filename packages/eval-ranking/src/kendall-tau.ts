/**
 * Kendall's tau-b of one ranked group, from its pairs alone: every pair (i < j) of the group's
 * responses once, with the true order (`tie` or better-first) and the model's reward gap
 * better - worse. tau-b = (C - D) / sqrt((n0 - n1)(n0 - n2)), n0 pairs, n1 tied in truth, n2
 * tied by the model (equal rewards); C and D count the pairs strict in both that agree or not.
 * NaN when either side is all ties (tau-b is undefined there).
 */
export function kendallTauB(pairs: ReadonlyArray<{ readonly tie: boolean; readonly gap: number }>): number {
  let [c, d, trueTies, modelTies] = [0, 0, 0, 0];
  for (const p of pairs) {
    if (p.tie) trueTies++;
    if (p.gap === 0) modelTies++;
    if (p.tie || p.gap === 0) continue;
    if (p.gap > 0) c++;
    else d++;
  }
  const n0 = pairs.length;
  const denom = Math.sqrt((n0 - trueTies) * (n0 - modelTies));
  return denom > 0 ? (c - d) / denom : NaN;
}
