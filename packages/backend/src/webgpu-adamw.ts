/**
 * Fused AdamW over flat parameter buffers, for the webgpu backend: the update of the engine's
 * device parameter store (packages/engine/src/device-adamw.ts states the formula and calls this
 * kernel by name when the active backend has it).
 *
 * Why: the stock per-parameter AdamW in tfjs ops costs ~12 elementwise dispatches per parameter
 * tensor (measured on an H200: 357 ms of a 1.0 s step on a 45M model, 749 ms of 3.1 s on GPT-2
 * small, ../shared/gpu/README.md). Over flat buffers the update is three dispatches for the
 * whole model, whatever its number of tensors: one per output (theta', m', v'), because a tfjs
 * program writes exactly one output buffer and binds its inputs read-only. Each dispatch
 * recomputes the clipped gradient and the new moments it needs (a few flops, no extra memory
 * traffic beyond its inputs), so the three are independent and agree bit for bit.
 *
 * Per element i (code 0 frozen: copied; 1 trainable; 2 trainable and decayed):
 *   norm = sqrt(normSq) / count;  scale = norm > clipNorm ? clipNorm / norm : 1
 *   g = grad / count * scale;  m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g^2
 *   theta' = theta * (code == 2 ? decay : 1) - lr (m' / bc1) / (sqrt(v' / bc2) + eps)
 *
 * The kernel is registered by name only (no runtime import of tfjs-backend-webgpu here): the
 * program object satisfies its `WebGPUProgram` interface and runs through the backend's own
 * `runWebGPUProgram`, so shapes, uniforms, dispatch limits and pipeline caching are tfjs's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** Must equal FLAT_ADAMW_KERNEL in packages/engine/src/device-adamw.ts (its webgpu spec checks the store runs fused). */
export const WEBGPU_ADAMW_KERNEL = 'RewardkitFlatAdamW';

const WORKGROUP = 256;

type Output = 'theta' | 'm' | 'v';

/** Inputs of each dispatch: only what its output needs (tfjs binds every input it is given). */
const INPUTS: Record<Output, string[]> = {
  theta: ['param', 'moment1', 'moment2', 'grad', 'codes', 'normSq'],
  m: ['moment1', 'grad', 'codes', 'normSq'],
  v: ['moment2', 'grad', 'codes', 'normSq'],
};

/** Scalars of one update, in the order of the uniform struct. */
const UNIFORMS = ['lr', 'beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps', 'decay', 'bc1', 'bc2', 'count', 'clipNorm'] as const;

const NEW_M = 'uniforms.beta1 * moment1[index] + uniforms.oneMinusBeta1 * g';
const NEW_V = 'uniforms.beta2 * moment2[index] + uniforms.oneMinusBeta2 * g * g';

const BODY: Record<Output, string> = {
  m: `if (code < 0.5) { result[index] = moment1[index]; return; }
      let g = clippedGrad(index);
      result[index] = ${NEW_M};`,
  v: `if (code < 0.5) { result[index] = moment2[index]; return; }
      let g = clippedGrad(index);
      result[index] = ${NEW_V};`,
  theta: `if (code < 0.5) { result[index] = param[index]; return; }
      let g = clippedGrad(index);
      let m1 = ${NEW_M};
      let v1 = ${NEW_V};
      let factor = select(1.0, uniforms.decay, code > 1.5);
      result[index] = param[index] * factor - (uniforms.lr * (m1 / uniforms.bc1)) / (sqrt(v1 / uniforms.bc2) + uniforms.eps);`,
};

/** One dispatch of the update over [size] elements, writing one of theta', m', v'. */
class FlatAdamWProgram implements WebGPUProgram {
  readonly outputShape: number[];
  readonly variableNames: string[];
  readonly uniforms = UNIFORMS.map((u) => `${u} : f32,`).join(' ');
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  shaderKey: string;
  readonly size = true;

  constructor(
    private readonly output: Output,
    size: number,
  ) {
    this.outputShape = [size];
    this.variableNames = INPUTS[output];
    this.dispatch = [Math.ceil(size / WORKGROUP), 1, 1];
    this.shaderKey = `rewardkitFlatAdamW_${output}`;
  }

  getUserCode(): string {
    return `
      fn clippedGrad(index : i32) -> f32 {
        let norm = sqrt(normSq[0]) / uniforms.count;
        var scale = 1.0;
        if (norm > uniforms.clipNorm && norm > 0.0) { scale = uniforms.clipNorm / norm; }
        return (grad[index] / uniforms.count) * scale;
      }
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let code = codes[index];
        ${BODY[this.output]}
      }
    `;
  }
}

interface KernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: WebGPUBackend;
  readonly attrs: Record<(typeof UNIFORMS)[number] | 'beta1' | 'beta2', number>;
}

function flatAdamW({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const named: Record<string, tf.TensorInfo | undefined> = {
    param: inputs.theta,
    moment1: inputs.m,
    moment2: inputs.v,
    grad: inputs.grad,
    codes: inputs.codes,
    normSq: inputs.normSq,
  };
  const size = inputs.theta?.shape[0] ?? 0;
  for (const [name, t] of Object.entries(named)) {
    if (t === undefined) throw new Error(`${WEBGPU_ADAMW_KERNEL}: input ${name} is missing`);
    if (t.dtype !== 'float32') throw new Error(`${WEBGPU_ADAMW_KERNEL}: input ${name} is ${t.dtype}, expected float32`);
    if (name !== 'normSq' && (t.shape.length !== 1 || t.shape[0] !== size)) {
      throw new Error(`${WEBGPU_ADAMW_KERNEL}: input ${name} has shape [${t.shape}], expected [${size}]`);
    }
  }
  const scalars: Record<string, number> = { ...attrs, oneMinusBeta1: 1 - attrs.beta1, oneMinusBeta2: 1 - attrs.beta2 };
  const uniformData = UNIFORMS.map((u) => ({ type: 'float32', data: [scalars[u]] }));
  return (['theta', 'm', 'v'] as const).map((out) =>
    backend.runWebGPUProgram(
      new FlatAdamWProgram(out, size),
      INPUTS[out].map((n) => named[n] as tf.TensorInfo),
      'float32',
      uniformData,
    ),
  );
}

/** Registers the fused update for the webgpu backend; idempotent. Returns the label for the log. */
export function registerWebGpuAdamW(): string {
  if (tf.getKernel(WEBGPU_ADAMW_KERNEL, 'webgpu') === undefined) {
    tf.registerKernel({ kernelName: WEBGPU_ADAMW_KERNEL, backendName: 'webgpu', kernelFunc: flatAdamW as unknown as tf.KernelFunc });
  }
  return 'fused flat AdamW';
}
