/**
 * The gate of the optional half-precision compute path: it needs the webgpu backend on a device
 * opened with WebGPU's `shader-f16` feature (webgpu-device.ts requests it wherever the adapter
 * offers it; lavapipe and current NVIDIA/AMD drivers do). Anything else is refused with a message
 * saying what is missing, before any f16 kernel is compiled, rather than failing in WGSL compilation.
 */
import { ConfigError } from '@rewardkit/core';
import * as tf from '@tensorflow/tfjs-core';

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
