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

  it('a module that does not compile on an engine with SIMD throws a WasmKernelError naming the module and its functions', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as BackendWasm;
    const api = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
    const realModule = api.Module;
    // the SIMD probe (a few dozen bytes) still compiles; the kernels' module is rejected
    api.Module = function (bytes: Uint8Array) {
      if (bytes.length > 200) throw new Error('Compiling function #4:"gemm4x8" failed (simulated)');
      return new realModule(bytes);
    } as unknown as typeof api.Module;
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require('./wasm-simd-kernels') as typeof import('./wasm-simd-kernels');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const errors = require('./wasm-kernel-error') as typeof import('./wasm-kernel-error'); // the isolated registry's class
        expect(() => fresh.simdKernels(backend)).toThrow(errors.WasmKernelError);
        expect(() => fresh.simdKernels(backend)).toThrow(/SIMD module \(wasm-simd-kernels.ts\).*#4 gemm4x8.*simulated/);
      });
    } finally {
      api.Module = realModule;
    }
  });
});
