/**
 * Fused bias + GELU for the webgpu backend, forward and backward, under the op name
 * `@rewardkit/ops`'s biasGelu calls (packages/ops/src/bias-gelu.ts: contract and reference).
 *
 * Why: the MLP's `gelu(x @ W + b)` is, unfused, an add and 7 elementwise dispatches for gelu_new
 * (x^3, scale, add, scale, sigmoid, multiply), each writing the [N, 4C] activation (GPT-2 small:
 * 4096 x 3072 floats, 50 MB, per block), and about twice that backward. Here: one dispatch
 * forward; backward one for dx plus tfjs's column sum for dbias.
 *
 * With z = x + b (b broadcast over rows):
 *   gelu_new: y = z sigmoid(u), u = c (z + a z^3), c = 2 sqrt(2/pi), a = 0.044715
 *             dy/dz = s + z s (1 - s) c (1 + 3 a z^2), s = sigmoid(u)
 *   gelu:     y = z Phi(z) = 0.5 z (1 + erf(z / sqrt 2)),  dy/dz = Phi(z) + z exp(-z^2 / 2) / sqrt(2 pi)
 * erf is tfjs's own approximation (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7), so both
 * backends compute the same function.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { expectInput, named, type ProgramSpec, runProgram } from './webgpu-program';
import { BIAS_GELU_KERNEL, BIAS_GELU_GRAD_KERNEL, registerFusedGradients } from './fused-kernels';

const WG = 256;

/** 'gelu_new' (tanh approximation) or 'gelu' (erf). */
type Activation = 'gelu_new' | 'gelu';

interface Attrs {
  readonly activation: Activation;
}

const GELU_WGSL = `
  const C_TANH = ${2 * Math.sqrt(2 / Math.PI)};
  const INV_SQRT2 = ${Math.SQRT1_2};
  const INV_SQRT_2PI = ${1 / Math.sqrt(2 * Math.PI)};
  fn sigmoid(u : f32) -> f32 { return 1.0 / (1.0 + exp(-u)); }
  fn erfApprox(v : f32) -> f32 {
    let p = 0.3275911; let a1 = 0.254829592; let a2 = -0.284496736; let a3 = 1.421413741; let a4 = -1.453152027; let a5 = 1.061405429;
    let s = sign(v);
    let av = abs(v);
    let t = 1.0 / (1.0 + p * av);
    return s * (1.0 - (((((a5 * t + a4) * t) + a3) * t + a2) * t + a1) * t * exp(-av * av));
  }
  fn geluNew(z : f32) -> f32 { return z * sigmoid(C_TANH * (z + 0.044715 * z * z * z)); }
  fn geluNewGrad(z : f32) -> f32 {
    let s = sigmoid(C_TANH * (z + 0.044715 * z * z * z));
    return s + z * s * (1.0 - s) * C_TANH * (1.0 + 3.0 * 0.044715 * z * z);
  }
  fn geluErf(z : f32) -> f32 { return 0.5 * z * (1.0 + erfApprox(z * INV_SQRT2)); }
  fn geluErfGrad(z : f32) -> f32 { return 0.5 * (1.0 + erfApprox(z * INV_SQRT2)) + z * exp(-0.5 * z * z) * INV_SQRT_2PI; }`;

function spec(kind: 'fwd' | 'grad', activation: Activation, N: number, F: number): ProgramSpec {
  const fn = activation === 'gelu' ? 'geluErf' : 'geluNew';
  const value = kind === 'fwd' ? `${fn}(z)` : `dy[index] * ${fn}Grad(z)`;
  return {
    key: `rewardkitBiasGelu_${kind}_${activation}`,
    inputs: kind === 'fwd' ? ['x', 'bias'] : ['x', 'bias', 'dy'],
    outputShape: [N, F],
    threads: N * F,
    workgroup: WG,
    uniforms: [{ name: 'features', type: 'i32', value: F }],
    code: `${GELU_WGSL}
    fn main(index : i32) {
      if (index >= uniforms.threads) { return; }
      let z = x[index] + bias[index % uniforms.features];
      result[index] = ${value};
    }`,
  };
}

interface KernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: WebGPUBackend;
  readonly attrs: Attrs;
}

function check(kernel: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs): { N: number; F: number } {
  if (attrs.activation !== 'gelu' && attrs.activation !== 'gelu_new') throw new Error(`${kernel}: activation ${attrs.activation} is not gelu or gelu_new`);
  const x = inputs.x;
  if (x === undefined || x.shape.length !== 2) throw new Error(`${kernel}: x must be [N, F]; got ${x ? `[${x.shape}]` : 'nothing'}`);
  const [N, F] = x.shape;
  expectInput(kernel, 'x', x, [N, F]);
  expectInput(kernel, 'bias', inputs.bias, [F]);
  return { N, F };
}

function biasGeluForward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { N, F } = check(BIAS_GELU_KERNEL, inputs, attrs);
  const { x, bias } = named(BIAS_GELU_KERNEL, inputs, ['x', 'bias']);
  return runProgram(backend, spec('fwd', attrs.activation, N, F), [x, bias]);
}

function biasGeluBackward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { N, F } = check(BIAS_GELU_GRAD_KERNEL, inputs, attrs);
  const { x, bias, dy } = named(BIAS_GELU_GRAD_KERNEL, inputs, ['x', 'bias', 'dy']);
  expectInput(BIAS_GELU_GRAD_KERNEL, 'dy', dy, [N, F]);
  return runProgram(backend, spec('grad', attrs.activation, N, F), [x, bias, dy]);
}

/** Registers the kernels for webgpu and (once, for every backend) their gradients (fused-kernels.ts); idempotent. Returns the log label. */
export function registerWebGpuBiasGelu(): string {
  if (tf.getKernel(BIAS_GELU_KERNEL, 'webgpu') === undefined) {
    tf.registerKernel({ kernelName: BIAS_GELU_KERNEL, backendName: 'webgpu', kernelFunc: biasGeluForward as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: BIAS_GELU_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: biasGeluBackward as unknown as tf.KernelFunc });
  }
  registerFusedGradients();
  return 'fused bias + GELU';
}
