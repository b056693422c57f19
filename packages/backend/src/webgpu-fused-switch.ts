/**
 * The switch for the fused webgpu kernels of @rewardkit/ops's ops: on unless
 * REWARDKIT_FUSED_KERNELS=0, so the bench and the GPU check measure before and after from one
 * build. Unregistering (for a process that turns them off after the backend started) removes the
 * kernels only: an op then runs its reference composition.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNEL_NAMES } from './fused-kernels';
import { registerWebGpuBiasGelu } from './webgpu-bias-gelu';
import { registerWebGpuBtLoss } from './webgpu-bt-loss';
import { registerWebGpuCausalAttention } from './webgpu-causal-attention';
import { registerWebGpuLayerNorm } from './webgpu-layer-norm';

export const FUSED_KERNELS_ENV = 'REWARDKIT_FUSED_KERNELS';

export function fusedKernelsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[FUSED_KERNELS_ENV] !== '0';
}

/** Registers the fused kernels for webgpu; returns their log labels. */
export function registerWebGpuFusedKernels(): string[] {
  return [registerWebGpuCausalAttention(), registerWebGpuLayerNorm(), registerWebGpuBiasGelu(), registerWebGpuBtLoss()];
}

/**
 * Turns the fused kernels on or off in a running process (the bench's before/after from one run;
 * the ops decide per call). Off removes the kernels only: the gradients stay registered, and they
 * only run after a fused forward.
 */
export function setWebGpuFusedKernels(on: boolean): void {
  if (on) {
    registerWebGpuFusedKernels();
    return;
  }
  for (const name of FUSED_KERNEL_NAMES) if (tf.getKernel(name, 'webgpu') !== undefined) tf.unregisterKernel(name, 'webgpu');
}
