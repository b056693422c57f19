export * from './init-backend';
export { gpuBackendAvailable, cudaVisibility, TFJS_NODE, TFJS_NODE_GPU } from './node-backend';
export * from './apply-wasm-fixes';
export * from './register-gradients';
export * from './measure-matmul';
