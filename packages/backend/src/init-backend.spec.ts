import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, type BackendPreference, type Logger } from '@rewardkit/core';
import { initBackend } from './init-backend';
import { gpuBackendAvailable } from './gpu-backend-available';
import { cudaVisibility, TFJS_NODE, TFJS_NODE_GPU } from './node-backend';
import { listGpus } from './webgpu-placement';
import './spec-helpers';

/** A Logger that keeps its lines, to count them. */
function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = {
    lines,
    debug: (m: string) => lines.push(`debug ${m}`),
    info: (m: string) => lines.push(`info ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
    error: (m: string) => lines.push(`error ${m}`),
    child: () => logger,
  };
  return logger;
}

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
// These expectations describe a machine without the native packages (they cannot be installed
// offline); where one is installed, the 'auto' and 'tensorflow' cases are skipped.
const nativeMissing = !installed(TFJS_NODE) && !installed(TFJS_NODE_GPU);
const whenNativeMissing = nativeMissing ? it : it.skip;

describe('initBackend', () => {
  whenNativeMissing("'auto' with a GPU wanted picks wasm, says why each native package was skipped, logs one info line", async () => {
    const log = captureLogger();
    const info = await initBackend({ prefer: 'auto', gpu: true, logger: log });
    expect(info.name).toBe('wasm');
    expect(info.packageName).toBe('@tensorflow/tfjs-backend-wasm');
    expect(info.gpu).toBe(false);
    expect(info.reason).toContain(`${TFJS_NODE_GPU} is not installed (optional dependency`);
    expect(info.reason).toContain(`${TFJS_NODE} is not installed`);
    expect(info.fixes).toEqual([
      'Transpose last-two blocked',
      'BatchMatMul batch loop',
      'transpose-first BatchMatMul/_FusedMatMul',
      '_FusedMatMul batched bias',
      'Sum leading axes by columns',
      'GatherV2 rows',
      'Tile block copies',
      'Identity/Cast share buffers',
      'UnsortedSegmentSum kernel',
      'fused layer norm',
      'fused bias + GELU',
    ]);
    expect(tf.getBackend()).toBe('wasm');
    expect(log.lines.filter((l) => l.startsWith('info '))).toHaveLength(1);
    expect(log.lines[0]).toMatch(/^info tfjs backend 'wasm' because .*wasm fixes: /);

    // Same choice again: the cached answer, no second log line.
    const again = await initBackend({ prefer: 'auto', gpu: true, logger: log });
    expect(again).toBe(info);
    expect(log.lines).toHaveLength(1);
  });

  whenNativeMissing("'auto' without a GPU does not try tfjs-node-gpu", async () => {
    const info = await initBackend({ gpu: false, logger: captureLogger() });
    expect(info.name).toBe('wasm');
    expect(info.reason).toContain(`${TFJS_NODE_GPU} not tried (no GPU requested)`);
  });

  it("prefer 'cpu' starts the cpu backend with no fixes, and registers op gradients", async () => {
    const info = await initBackend({ prefer: 'cpu', logger: captureLogger() });
    expect(info).toMatchObject({ name: 'cpu', packageName: '@tensorflow/tfjs-backend-cpu', gpu: false, fixes: [] });
    expect(info.reason).toContain("prefer: 'cpu'");
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.getGradient('Sum')).toBeDefined();
  });

  it('switching back to an earlier choice starts it again', async () => {
    await initBackend({ prefer: 'wasm', logger: captureLogger() });
    expect(tf.getBackend()).toBe('wasm');
    await initBackend({ prefer: 'cpu', logger: captureLogger() });
    expect(tf.getBackend()).toBe('cpu');
  });

  whenNativeMissing("prefer 'tensorflow' throws a ConfigError naming the missing packages", async () => {
    const err = await initBackend({ prefer: 'tensorflow', logger: captureLogger() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('E_CONFIG');
    expect((err as Error).message).toContain(`${TFJS_NODE} is not installed`);
    expect((err as Error).message).toContain(TFJS_NODE_GPU);
  });

  it('rejects an unknown preference with the known ones', async () => {
    const err = await initBackend({ prefer: 'webgl' as BackendPreference }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('auto, tensorflow, webgpu, wasm, cpu');
  });

  (nativeMissing && listGpus().length === 0 ? it : it.skip)('gpuBackendAvailable is false here (no tfjs-node-gpu, no PCI GPU)', () => {
    expect(gpuBackendAvailable()).toBe(false);
  });
});

describe('cudaVisibility', () => {
  it('reads CUDA_VISIBLE_DEVICES', () => {
    expect(cudaVisibility({}).visible).toBe(true);
    expect(cudaVisibility({ CUDA_VISIBLE_DEVICES: '1' })).toEqual({ visible: true, note: 'CUDA_VISIBLE_DEVICES=1' });
    expect(cudaVisibility({ CUDA_VISIBLE_DEVICES: '' }).visible).toBe(false);
    expect(cudaVisibility({ CUDA_VISIBLE_DEVICES: '-1' }).visible).toBe(false);
  });
});
