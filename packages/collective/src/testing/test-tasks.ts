/**
 * Task functions run inside rank processes by tests (see runRankProcesses). Each rank regenerates its
 * own seeded input, so the parent can recompute the reference without shipping inputs around.
 */
import type { Collective } from '../collective';
import { rankInput } from './seeded-inputs';

export interface SeededAllReduceArgs {
  readonly seed: number;
  readonly lengths: readonly number[];
  /** allReduce calls per length, reusing one buffer (refilled from the seed each step). */
  readonly steps: number;
}

/** Returns, per length, the result of the last step (earlier steps are checked in the child). */
export async function seededAllReduce(c: Collective, args: SeededAllReduceArgs): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const length of args.lengths) {
    const buf = new Float32Array(length);
    let first: Float32Array | undefined;
    for (let step = 0; step < args.steps; step++) {
      buf.set(rankInput(args.seed, c.rank, length));
      await c.allReduce(buf);
      first ??= buf.slice();
      // Same inputs every step, so every step must give bit-identical sums.
      for (let i = 0; i < length; i++) {
        if (buf[i] !== first[i]) throw new Error(`rank ${c.rank}: step ${step} differs from step 0 at element ${i} (length ${length})`);
      }
    }
    await c.barrier();
    out.push(buf);
  }
  return out;
}

/** Broadcast from `root` of a buffer filled with the root's seeded input; returns what arrived. */
export async function seededBroadcast(c: Collective, args: { seed: number; length: number; root: number }): Promise<Float32Array> {
  const buf = c.rank === args.root ? rankInput(args.seed, args.root, args.length) : new Float32Array(args.length).fill(NaN);
  await c.broadcast(buf, args.root);
  return buf;
}
