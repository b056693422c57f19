import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { randomFloats, relativeError } from './spec-helpers';
import { registerWebGpuAdamW, WEBGPU_ADAMW_KERNEL } from './webgpu-adamw';
import { stopWebGpu } from './webgpu-backend';
import { describeWebGpu } from './webgpu-test-adapter';

/** The update in float64, written out longhand from the formula (webgpu-adamw.ts header). */
function reference(x: Record<'theta' | 'm' | 'v' | 'grad' | 'codes', Float32Array>, normSq: number, a: Attrs) {
  const P = x.theta.length;
  const out = { theta: new Float64Array(P), m: new Float64Array(P), v: new Float64Array(P) };
  const norm = Math.sqrt(normSq) / a.count;
  const scale = norm > a.clipNorm && norm > 0 ? a.clipNorm / norm : 1;
  for (let i = 0; i < P; i++) {
    if (x.codes[i] === 0) {
      out.theta[i] = x.theta[i];
      out.m[i] = x.m[i];
      out.v[i] = x.v[i];
      continue;
    }
    const g = (x.grad[i] / a.count) * scale;
    const m = a.beta1 * x.m[i] + (1 - a.beta1) * g;
    const v = a.beta2 * x.v[i] + (1 - a.beta2) * g * g;
    out.m[i] = m;
    out.v[i] = v;
    out.theta[i] = x.theta[i] * (x.codes[i] === 2 ? a.decay : 1) - (a.lr * (m / a.bc1)) / (Math.sqrt(v / a.bc2) + a.eps);
  }
  return out;
}

interface Attrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  decay: number;
  bc1: number;
  bc2: number;
  count: number;
  clipNorm: number;
}

function attrsAt(t: number, lr: number, count: number, clipNorm: number): Attrs {
  return { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 1 - lr * 0.1, bc1: 1 - 0.9 ** t, bc2: 1 - 0.999 ** t, count, clipNorm };
}

/** Inputs of one update: P elements, codes cycling 0/1/2 in runs so frozen ranges are contiguous. */
function inputsOf(P: number, seed: number) {
  const grad = randomFloats(P, seed).map((g) => 3 * g);
  const m = randomFloats(P, seed + 1).map((x) => 0.05 * x);
  const v = randomFloats(P, seed + 2).map((x) => 0.01 * (1 + x));
  const theta = randomFloats(P, seed + 3);
  const codes = Float32Array.from({ length: P }, (_, i) => Math.floor(i / 7) % 3);
  let normSq = 0;
  for (let i = 0; i < P; i++) if (codes[i] > 0) normSq += grad[i] * grad[i];
  return { theta, m, v, grad, codes, normSq };
}

describeWebGpu('webgpu fused flat AdamW', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'webgpu' });
    expect(tf.getKernel(WEBGPU_ADAMW_KERNEL, 'webgpu')).toBeDefined(); // registered by initBackend
    expect(registerWebGpuAdamW()).toBe('fused flat AdamW'); // and idempotent
  });
  afterAll(() => stopWebGpu());

  async function run(x: ReturnType<typeof inputsOf>, a: Attrs) {
    const ts = {
      theta: tf.tensor1d(x.theta),
      m: tf.tensor1d(x.m),
      v: tf.tensor1d(x.v),
      grad: tf.tensor1d(x.grad),
      codes: tf.tensor1d(x.codes),
      normSq: tf.tensor1d([x.normSq]),
    };
    const out = tf.engine().runKernel(WEBGPU_ADAMW_KERNEL, ts as unknown as tf.NamedTensorMap, a as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const [theta, m, v] = (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
    tf.dispose([...out, ...Object.values(ts)]);
    return { theta, m, v };
  }

  // Sizes: under one workgroup, not a multiple of the workgroup, and a few thousand groups.
  for (const [P, clipNorm, t] of [
    [5, 1e9, 1],
    [1003, 0.5, 1],
    [1003, 1e9, 7],
    [70_001, 2, 3],
  ] as const) {
    it(`matches the float64 reference to 1e-6 (P=${P}, ${clipNorm < 1e9 ? 'clipping' : 'no clipping'}, t=${t})`, async () => {
      expect(tf.getBackend()).toBe('webgpu');
      const x = inputsOf(P, P + t);
      const a = attrsAt(t, 0.01, 4, clipNorm);
      if (clipNorm < 1e9) expect(Math.sqrt(x.normSq) / a.count).toBeGreaterThan(clipNorm); // the clip is active
      const got = await run(x, a);
      const want = reference(x, x.normSq, a);
      expect(relativeError(got.theta, want.theta)).toBeLessThan(1e-6);
      expect(relativeError(got.m, want.m)).toBeLessThan(1e-6);
      expect(relativeError(got.v, want.v)).toBeLessThan(1e-6);
      for (let i = 0; i < P; i++) {
        if (x.codes[i] !== 0) continue;
        // Frozen elements come back bit for bit.
        if (got.theta[i] !== x.theta[i] || got.m[i] !== x.m[i] || got.v[i] !== x.v[i]) throw new Error(`frozen element ${i} changed`);
      }
    });
  }

  it('leaks no tensors and refuses mismatched inputs', async () => {
    const before = tf.memory().numTensors;
    await run(inputsOf(64, 1), attrsAt(1, 0.01, 1, 1));
    expect(tf.memory().numTensors).toBe(before);
    const bad = { theta: tf.zeros([4]), m: tf.zeros([4]), v: tf.zeros([4]), grad: tf.zeros([5]), codes: tf.zeros([4]), normSq: tf.zeros([1]) };
    expect(() => tf.engine().runKernel(WEBGPU_ADAMW_KERNEL, bad, attrsAt(1, 0.01, 1, 1) as unknown as tf.NamedAttrMap)).toThrow(
      /input grad has shape \[5\], expected \[4\]/,
    );
    tf.dispose(Object.values(bad));
  });
});
