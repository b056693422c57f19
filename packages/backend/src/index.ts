// The public API of @rewardkit/backend: choose and start a tensor backend, and what apps and tests
// need around it. The backend names themselves live in @rewardkit/core.
export { initBackend, type BackendInfo, type InitBackendOptions } from './init-backend';
export { gpuBackendAvailable } from './gpu-backend-available';
export { GPU_INDEX_ENV, listGpus, type PciGpu } from './webgpu-placement';
export { countWebGpuWork, setWebGpuSubmitBatch, stopWebGpu, SUBMIT_BATCH_ENV, type WebGpuWork } from './webgpu-backend';
export { FUSED_KERNELS_ENV, setWebGpuFusedKernels } from './webgpu-fused-switch';
export { setWebGpuTiledMatMul, TILED_MATMUL_ENV } from './webgpu-tiled-matmul';
export { assertF16Compute, f16ComputeRefusal, setWebGpuF16Compute, useComputePrecision } from './webgpu-f16-support';
export { describeWebGpu, type WebGpuTestAvailability } from './webgpu-test-adapter';
export { measureMatMulGflops, type MeasureMatMulOptions } from './measure-matmul';
export { applyWasmFixes, applyWasmFixesBeforeCpuSpeed } from './apply-wasm-fixes';
// A/B switches for the bench (apps/trainer/bench/kernel-sets.ts); both default on.
export { setWasmSimdKernels } from './wasm-simd-kernels';
export { weightGradientOrder } from './wasm-batch-matmul';
// Fused wasm kernels under @rewardkit/ops's names: layer norm and bias + GELU (applyWasmFixes
// registers them); attention is opt-in (measured slower than the unfused composition).
export { registerWasmLayerNorm } from './wasm-layer-norm';
export { registerWasmBiasGelu } from './wasm-bias-gelu';
export { registerWasmCausalAttention } from './wasm-causal-attention';
