/** Shared by the engine's specs (replica, replica service, parameter stores on cpu and webgpu). */

/** max_i |a_i - b_i| / max_i |b_i|, b the reference. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / Math.max(scale, 1e-12);
}

/** An in-memory all-reduce for `n` ranks stepping concurrently: sums once all have arrived. */
export function sumAllReduce(n: number): (buf: Float32Array) => Promise<void> {
  let waiting: { buf: Float32Array; done: () => void }[] = [];
  return (buf) =>
    new Promise<void>((done) => {
      waiting.push({ buf, done });
      if (waiting.length < n) return;
      const sum = new Float32Array(buf.length);
      for (const w of waiting) for (let i = 0; i < sum.length; i++) sum[i] += w.buf[i];
      for (const w of waiting) w.buf.set(sum);
      const all = waiting;
      waiting = [];
      all.forEach((w) => w.done());
    });
}
