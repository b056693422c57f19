/**
 * The half-precision path on the software adapter (lavapipe offers shader-f16): the shader hook,
 * the rounding, and each f16 kernel against references on cpu, values and gradients, no leaks.
 *
 * Tolerances: an f16 operand carries up to 2^-11 (4.9e-4) relative rounding, a product of two up
 * to ~1e-3; summed in f32 over K terms of mixed sign the max-norm error stays near 1e-3 of the
 * largest output. So: against the f32 reference (the accuracy cost) 2e-3; against a reference
 * computed in f32 from operands rounded by roundToF16 (what the kernel should compute exactly)
 * 1e-5, f32 summation order only; and the f16 result must differ from f32 by more than 1e-5, so
 * a kernel that silently ran in f32 fails.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ConfigError } from '@rewardkit/core';
import { attentionReference } from './fused-kernel.spec-helper';
import { ATTENTION_KERNEL, ATTENTION_PACKED_KERNEL } from './fused-kernels';
import { initBackend } from './init-backend';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError } from './spec-helpers';
import { stopWebGpu } from './webgpu-backend';
import { webGpuF16ComputeOn } from './webgpu-f16-mode';
import { ROUND_F16_WGSL, roundToF16 } from './webgpu-f16-round';
import { ENABLE_F16, hoistEnableF16 } from './webgpu-f16-shader-hook';
import { setWebGpuF16Compute } from './webgpu-f16-support';
import { runProgram } from './webgpu-program';
import { setWebGpuTiledMatMul, webGpuTiledMatMulOn } from './webgpu-tiled-matmul';
import { describeWebGpu } from './webgpu-test-adapter';

const F16_VS_F32 = 2e-3;
const F16_EXACT = 1e-5;

/** Values (and gradients) of `f` on `backend`, with a leak check (tensors and backend buffers). */
async function valuesOn(backend: 'cpu' | 'webgpu', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  const outs = tf.tidy(f);
  const values = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(outs);
  if (tf.memory().numTensors !== tensors || tf.backend().numDataIds() !== buffers) throw new Error(`${backend}: leaked tensors or buffers`);
  return values;
}

const rounded = (x: Float32Array) => x.map(roundToF16);
const seeded = (shape: number[], seed: number, scale = 1, round = false) => {
  const v = randomFloats(tf.util.sizeFromShape(shape), seed).map((x) => x * scale);
  return tf.tensor(round ? rounded(v) : v, shape);
};

describeWebGpu('webgpu f16 compute (shader-f16 on lavapipe)', () => {
  beforeAll(async () => {
    registerAllGradients();
    await initBackend({ prefer: 'webgpu' });
  });
  afterAll(() => {
    setWebGpuF16Compute(false);
    stopWebGpu();
  });

  it('compiles an f16 shader only with enable f16 hoisted, and rounds through workgroup memory', async () => {
    await tf.setBackend('webgpu');
    const device = (tf.backend() as WebGPUBackend).device as unknown as GPUDevice & { createShaderModule: (d: { code: string }) => unknown };
    expect(device.features.has('shader-f16')).toBe(true);
    // what tfjs builds: its header first, the kernel's code (with the directive) after it
    const late = `struct U { n : i32, };\n${ENABLE_F16}\n@compute @workgroup_size(1) fn main() { let h = f16(1.0); }`;
    const compile = async (code: string) => {
      device.pushErrorScope('validation');
      device.createShaderModule({ code });
      return device.popErrorScope();
    };
    // the hook is on this device, so feed Dawn the late directive through the prototype's method
    const raw = Object.getPrototypeOf(device).createShaderModule as (d: { code: string }) => unknown;
    device.pushErrorScope('validation');
    raw.call(device, { code: late });
    expect(String(((await device.popErrorScope()) as { message?: string } | null)?.message)).toMatch(/enable/);
    expect(await compile(late)).toBeNull(); // through the hook
    expect(await compile(hoistEnableF16(late))).toBeNull();

    const x = tf.tensor1d([1 / 3, 1e6, 65519, 65520, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2051, 6e-5, -7.25]);
    const spec = {
      key: 'rewardkitF16Probe',
      inputs: ['x'],
      outputShape: [x.size],
      threads: x.size,
      workgroup: 64,
      uniforms: [],
      code: `${ENABLE_F16}
        var<workgroup> staged : array<f16, 64>;
        fn main(index : i32) {
          if (index < uniforms.threads) { staged[index] = f16(x[index]); }
          workgroupBarrier();
          if (index < uniforms.threads) { result[index] = f32(staged[(index + 1) % uniforms.threads]); }
        }`,
    };
    const out = tf.engine().makeTensorFromTensorInfo(runProgram(tf.backend() as WebGPUBackend, spec, [x]));
    const got = Array.from(await out.data());
    const values = Array.from(await x.data());
    expect(got).toEqual(values.map((_, i) => roundToF16(values[(i + 1) % values.length] as number)));
    tf.dispose([x, out]);
  });

  it('roundF16 in WGSL agrees with the JS reference bit for bit', async () => {
    await tf.setBackend('webgpu');
    const edges = [0, -0, 1 / 3, 65504, 65519, 65520, -65520, 1e6, 1e30, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -14, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 1e-30, Infinity, -Infinity];
    const random = Array.from(randomFloats(3000, 5), (r, i) => r * 10 ** ((i % 14) - 8));
    const x = tf.tensor1d([...edges, ...random]);
    const spec = { key: 'rewardkitRoundF16Probe', inputs: ['x'], outputShape: [x.size], threads: x.size, workgroup: 64, uniforms: [], code: `${ROUND_F16_WGSL}
      fn main(index : i32) { if (index < uniforms.threads) { result[index] = roundF16(x[index]); } }` };
    const out = tf.engine().makeTensorFromTensorInfo(runProgram(tf.backend() as WebGPUBackend, spec, [x]));
    const got = Array.from(await out.data());
    const want = Array.from(await x.data(), roundToF16);
    const wrong = got.flatMap((g, i) => (Object.is(g, want[i]) || (g === 0 && want[i] === 0) ? [] : [`${(x.dataSync() as Float32Array)[i]} -> ${g}, want ${want[i]}`]));
    expect(wrong).toEqual([]);
    tf.dispose([x, out]);
  });

  describe('matMul (the tiled kernel with f16-staged operands)', () => {
    beforeAll(async () => {
      await tf.setBackend('webgpu');
      setWebGpuF16Compute(true);
    });
    afterAll(() => setWebGpuF16Compute(false));

    const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
      { a: [37, 70], b: [70, 29], ta: false, tb: false },
      { a: [70, 37], b: [70, 29], ta: true, tb: false },
      { a: [37, 70], b: [29, 70], ta: false, tb: true },
      { a: [70, 37], b: [29, 70], ta: true, tb: true },
      { a: [3, 2, 9, 17], b: [3, 2, 17, 5], ta: false, tb: false },
      { a: [520, 33], b: [33, 515], ta: false, tb: false }, // the 128-wide tile
    ];
    for (const c of cases) {
      it(`[${c.a}]${c.ta ? 'T' : ''} x [${c.b}]${c.tb ? 'T' : ''}: f16 operands, f32 sums; gradients within ${F16_VS_F32}`, async () => {
        const run = (round: boolean, grads: boolean) => () => {
          const a = seeded(c.a, 1, 3, round);
          const b = seeded(c.b, 2, 3, round);
          const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, c.ta, c.tb);
          const y = f(a, b);
          if (!grads) return [y];
          const w = seeded(y.shape, 3);
          return [y, ...tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(f(x, z), w)))([a, b])];
        };
        const f32 = await valuesOn('cpu', run(false, true));
        const exact = await valuesOn('cpu', run(true, false));
        const got = await valuesOn('webgpu', run(false, true));
        const toF32 = [0, 1, 2].map((i) => relativeError(got[i] as Float32Array, f32[i] as Float32Array));
        const toExact = relativeError(got[0] as Float32Array, exact[0] as Float32Array);
        const text = `vs f32 (value, da, db) ${toF32.map((e) => e.toExponential(2))}; vs rounded operands ${toExact.toExponential(2)}`;
        if (!(toExact < F16_EXACT && toF32[0]! > F16_EXACT && toF32.every((e) => e < F16_VS_F32))) throw new Error(text);
      });
    }
  });

  describe('fused causal attention with f16 operands', () => {
    beforeAll(async () => {
      await tf.setBackend('webgpu');
      setWebGpuF16Compute(true);
    });
    afterAll(() => setWebGpuF16Compute(false));

    for (const { B, T, H, D, lengths, packed } of [
      { B: 3, T: 9, H: 2, D: 8, lengths: [9, 4, 1], packed: false },
      { B: 2, T: 5, H: 2, D: 64, lengths: [5, 3], packed: true },
    ]) {
      it(`B=${B} T=${T} H=${H} D=${D}${packed ? ' packed' : ''}: forward exact on rounded operands, gradients within ${F16_VS_F32}`, async () => {
        const C = H * D;
        const names = packed ? ['qkv'] : ['q', 'k', 'v'];
        const shape = [B * T, packed ? 3 * C : C];
        const attrs = { width: T, heads: H };
        const reference = (x: Record<string, tf.Tensor>) => {
          if (!packed) return attentionReference(x, T, H);
          const [q, k, v] = tf.split(x.qkv as tf.Tensor, 3, 1);
          return attentionReference({ q, k, v, lengths: x.lengths as tf.Tensor }, T, H);
        };
        const run = (round: boolean, grads: boolean) => () => {
          const xs = names.map((_, i) => seeded(shape, 100 + i, 2, round));
          const lengthsT = tf.tensor1d(lengths, 'int32');
          const f = (...inputs: tf.Tensor[]) => {
            const named = { lengths: lengthsT, ...Object.fromEntries(names.map((n, i) => [n, inputs[i] as tf.Tensor])) };
            return tf.getBackend() === 'cpu' ? reference(named) : (tf.engine().runKernel(packed ? ATTENTION_PACKED_KERNEL : ATTENTION_KERNEL, named, attrs) as tf.Tensor);
          };
          const y = f(...xs);
          if (!grads) return [y];
          const w = seeded(y.shape, 7);
          return [y, ...tf.grads((...inputs: tf.Tensor[]) => tf.sum(tf.mul(f(...inputs), w)))(xs)];
        };
        const f32 = await valuesOn('cpu', run(false, true));
        const exact = await valuesOn('cpu', run(true, false));
        const got = await valuesOn('webgpu', run(false, true));
        const toF32 = got.map((g, i) => relativeError(g, f32[i] as Float32Array));
        const toExact = relativeError(got[0] as Float32Array, exact[0] as Float32Array);
        const text = `vs f32 (value, ${names.map((n) => `d${n}`)}) ${toF32.map((e) => e.toExponential(2))}; vs rounded operands ${toExact.toExponential(2)}`;
        if (!(toExact < F16_EXACT && toF32[0]! > F16_EXACT && toF32.every((e) => e < F16_VS_F32))) throw new Error(text);
      });
    }
  });

  it('is gated: refused off webgpu, and off restores the matMul that was in place', async () => {
    await tf.setBackend('cpu');
    expect(() => setWebGpuF16Compute(true)).toThrow(ConfigError);
    expect(() => setWebGpuF16Compute(true)).toThrow(/needs the webgpu backend .* this run uses 'cpu'/);
    expect(webGpuF16ComputeOn()).toBe(false);
    expect(setWebGpuF16Compute(false)).toBeUndefined(); // off is a no-op anywhere
    await tf.setBackend('webgpu');
    expect(webGpuTiledMatMulOn()).toBe(false);
    expect(setWebGpuF16Compute(true)).toMatch(/f16 compute/);
    expect([webGpuF16ComputeOn(), webGpuTiledMatMulOn()]).toEqual([true, true]);
    setWebGpuF16Compute(false);
    expect([webGpuF16ComputeOn(), webGpuTiledMatMulOn()]).toEqual([false, false]);
    setWebGpuTiledMatMul(true); // chosen on its own (REWARDKIT_WEBGPU_MATMUL=tiled): f16 off keeps it
    setWebGpuF16Compute(true);
    setWebGpuF16Compute(false);
    expect(webGpuTiledMatMulOn()).toBe(true);
    setWebGpuTiledMatMul(false);
  });
});
