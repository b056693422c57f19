import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from './wasm-kernel-patch';
import { setWasmSimdKernels, simdKernels } from './wasm-simd-kernels';

// Every kernel's values are checked through its caller's spec (transpose, sums, tile, matMul,
// A^T B, bias + GELU, layer norm); this one checks that the module compiles and binds at all,
// since each caller quietly keeps its JavaScript path where no kernels are returned.
describe('SIMD kernels in the wasm heap', () => {
  it('compile and bind to the backend\'s own memory, once per memory; the A/B switch turns them off', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as BackendWasm;
    const kernels = simdKernels(backend);
    expect(kernels).toBeDefined();
    expect(simdKernels(backend)).toBe(kernels);
    expect(Object.keys(kernels!).sort()).toEqual(
      ['columnSums16', 'columnSums4', 'fillRows', 'geluNewArgument', 'geluNewFromSigmoid', 'geluNewGradFromSigmoid', 'gemm1x1', 'gemm1x4', 'gemm4x1', 'gemm4x4', 'gemm4x8', 'layerNormBackward', 'layerNormForward', 'transpose', 'transposedAMatMul'],
    );
    setWasmSimdKernels(false);
    try {
      expect(simdKernels(backend)).toBeUndefined();
    } finally {
      setWasmSimdKernels(true);
    }
  });
});
