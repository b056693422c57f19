export * from './init-backend';
export { gpuBackendAvailable, cudaVisibility, TFJS_NODE, TFJS_NODE_GPU } from './node-backend';
export * from './apply-wasm-fixes';
export * from './register-gradients';
export * from './measure-matmul';
export { stopWebGpu } from './webgpu-backend';
export { describeAdapter, type WebGpuAdapterSummary } from './webgpu-device';
export { describeWebGpu, prepareWebGpuForTests, SOFTWARE_ICD, HARDWARE_ENV, type WebGpuTestAvailability } from './webgpu-test-adapter';
export * from './webgpu-adamw';
