/**
 * The gate of the optional half-precision compute path: it needs the webgpu backend on a device
 * opened with WebGPU's `shader-f16` feature (webgpu-device.ts requests it wherever the adapter
 * offers it; lavapipe and current NVIDIA/AMD drivers do). Anything else is refused with a message
 * saying what is missing, before any f16 kernel is compiled, rather than failing in WGSL compilation.
 */
import { ConfigError } from '@rewardkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { setF16ComputeFlag, webGpuF16ComputeOn } from './webgpu-f16-mode';
import { setWebGpuTiledMatMul, webGpuTiledMatMulOn } from './webgpu-tiled-matmul';

interface BackendWithDevice {
  device?: { features?: { has(feature: string): boolean }; adapterInfo?: { description?: string; device?: string } };
}

/** Why f16 compute cannot run on the current tfjs backend, or undefined when it can. */
export function f16ComputeRefusal(backendName: string = tf.getBackend(), backend: unknown = tf.backend()): string | undefined {
  if (backendName !== 'webgpu') {
    return `f16 compute needs the webgpu backend with the shader-f16 feature; this run uses '${backendName}' (pass --backend=webgpu on a GPU host)`;
  }
  const device = (backend as BackendWithDevice).device;
  if (!device?.features?.has('shader-f16')) {
    const name = device?.adapterInfo?.description || device?.adapterInfo?.device || 'this adapter';
    return `f16 compute needs WebGPU's shader-f16 feature, which ${name} does not offer (or the device was opened without it); run with f16 off`;
  }
  return undefined;
}

/** Throws a ConfigError naming what is missing unless f16 compute can run here. */
export function assertF16Compute(backendName?: string, backend?: unknown): void {
  const refusal = f16ComputeRefusal(backendName, backend);
  if (refusal) throw new ConfigError(refusal);
}

/** The tiled matMul's state before f16 turned it on, restored when f16 turns off. */
let tiledBefore: boolean | undefined;

/**
 * Turns half-precision compute on or off for rewardkit's webgpu kernels: every BatchMatMul (the
 * tiled kernel, put in place of tfjs's while f16 is on; the dense layers, the reward head and
 * every matMul gradient) and the fused causal attention (forward and backward) round their
 * operands to f16 and accumulate in f32; weights, outputs, gradients and every other op stay f32.
 * On: refused with a ConfigError where f16 cannot run (assertF16Compute). Off: a no-op where it
 * never was on, on any backend. Returns the log label when on.
 */
export function setWebGpuF16Compute(on: boolean): string | undefined {
  if (!on) {
    if (webGpuF16ComputeOn()) {
      setF16ComputeFlag(false);
      setWebGpuTiledMatMul(tiledBefore ?? false);
      tiledBefore = undefined;
    }
    return undefined;
  }
  assertF16Compute();
  if (!webGpuF16ComputeOn()) {
    tiledBefore = webGpuTiledMatMulOn();
    setWebGpuTiledMatMul(true);
    setF16ComputeFlag(true);
  }
  return 'f16 compute (matMul and fused attention: f16 operands, f32 accumulation)';
}

/** The run config's `train.precision` applied to this process (trainer and every worker). */
export function useComputePrecision(precision: 'f32' | 'f16'): string | undefined {
  return setWebGpuF16Compute(precision === 'f16');
}
