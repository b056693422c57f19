/**
 * The one place the webgpu fixes are registered. Each lives in its own `webgpu-<name>.ts` with
 * the test that shows the stock behaviour wrong, as the wasm ones do. Every op the models and the
 * loss use is checked against cpu in webgpu-ops.spec.ts; none needed a kernel fix so far.
 * The fused kernels (attention, layer norm, bias + GELU) serve @rewardkit/ops's ops of the same
 * names; REWARDKIT_FUSED_KERNELS=0 leaves them out, so one build measures before and after.
 */
import { registerWebGpuAdamW } from './webgpu-adamw';
import { fusedKernelsWanted, registerWebGpuFusedKernels } from './webgpu-fused-switch';
import { applyWebGpuMatMulChoice } from './webgpu-tiled-matmul';
import { applyWebGpuReadSync } from './webgpu-read-sync';
import { applyWebGpuChunkedTransfer, chunkedTransferLabel } from './webgpu-upload';

/**
 * Applies every webgpu fix to tfjs-backend-webgpu's backend class; idempotent. Returns one short
 * label per fix in place, for `BackendInfo.fixes` and the log line.
 */
export function applyWebGpuFixes(backendClass: { prototype: unknown }): string[] {
  const fixes: string[] = [];
  if (applyWebGpuReadSync(backendClass)) fixes.push('readSync error names the async read');
  if (applyWebGpuChunkedTransfer(backendClass)) fixes.push(chunkedTransferLabel());
  fixes.push(registerWebGpuAdamW()); // the engine's device parameter store runs its update on it
  if (fusedKernelsWanted()) fixes.push(...registerWebGpuFusedKernels());
  else fixes.push('fused attention/layer norm/bias+GELU off (REWARDKIT_FUSED_KERNELS=0)');
  const matMul = applyWebGpuMatMulChoice(); // off unless REWARDKIT_WEBGPU_MATMUL=tiled
  if (matMul) fixes.push(matMul);
  return fixes;
}
