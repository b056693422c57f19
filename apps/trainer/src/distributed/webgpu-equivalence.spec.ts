/**
 * Training on webgpu computes what the reference backend computes: a short run of the bag model
 * and of a tiny transformer, 1 worker on webgpu against 1 worker on the reference; then 1 against 2
 * worker processes on webgpu (the ring all-reduce between two Dawn devices). The reference is wasm,
 * itself checked kernel by kernel against cpu (wasm-*.spec.ts): cpu's UnsortedSegmentSum, the
 * embedding gradient, is O(vocab x tokens) and did not finish one bag-model run in 15 minutes
 * (50k-row table). Each op alone is compared with cpu in packages/backend/src/webgpu-ops.spec.ts.
 * Kept short: lavapipe, the software adapter CI uses, is slow. Skips, saying why, where no adapter
 * can be set up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeWebGpu } from '@rewardkit/backend';
import type { RunConfigInput } from '@rewardkit/core';
import { useScratch } from '../scratch.spec-helper';
import { train } from '../train';
import { smallRun, relativeDifference } from './distributed-test-config.spec-helper';
import { launchWorkers } from './launch-workers';

/** The backend an exported model was trained on (recorded by the trainer), so no run passes by falling back. */
function backendOf(dir: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).rewardkit.info.backend;
}

const TINY_TRANSFORMER: RunConfigInput = {
  model: { name: 'transformer', config: { nLayer: 1, nHead: 2, nEmbd: 16, nPositions: 64 } },
  // AdamW's first steps move a weight by ~lr * sign(g) however small g is: where the true gradient
  // is ~1e-9, float32 rounding in either backend flips its sign and the weights end 2 lr apart. An
  // eps above that noise (1e-6, not 1e-8) moves such weights by ~0 on both backends, so the
  // comparison sees the kernels, not the sign of rounding noise.
  train: { steps: 3, batchSize: 4, eps: 1e-6 },
  data: { maxLength: 48 },
};
const SHORT_BAG: RunConfigInput = { train: { steps: 4 }, checkpointEvery: 0 };

describeWebGpu('training on webgpu', () => {
  const scratch = useScratch('rk-webgpu-', { logs: 'quiet' });
  const launcher = launchWorkers({ bind: 'tcp://127.0.0.1:0', external: false });
  const run = (name: string, backend: 'wasm' | 'webgpu', gpus: number, overrides: RunConfigInput) =>
    train(smallRun(scratch.dir, name, { ...overrides, backend, gpus }), { spawnWorkers: launcher });

  // Weights after a few AdamW steps agree to rounding level when the gradients do: 1e-4 of the
  // largest weight leaves room for 4 steps.
  it('bag-of-embeddings: 1 worker on webgpu matches wasm (weights 1e-4, same held-out accuracy)', async () => {
    const ref = await run('bag-wasm', 'wasm', 1, SHORT_BAG);
    const gpu = await run('bag-webgpu', 'webgpu', 1, SHORT_BAG);
    expect([backendOf(ref.finalDir), backendOf(gpu.finalDir)]).toEqual(['wasm', 'webgpu']);
    expect(relativeDifference(ref.finalDir, gpu.finalDir)).toBeLessThan(1e-4);
    expect(gpu.eval!.accuracy).toBeCloseTo(ref.eval!.accuracy, 6);
  });

  it('tiny transformer: 1 worker on webgpu matches wasm (weights 1e-4)', async () => {
    const ref = await run('tf-wasm', 'wasm', 1, TINY_TRANSFORMER);
    const gpu = await run('tf-webgpu', 'webgpu', 1, TINY_TRANSFORMER);
    expect([backendOf(ref.finalDir), backendOf(gpu.finalDir)]).toEqual(['wasm', 'webgpu']);
    expect(relativeDifference(ref.finalDir, gpu.finalDir)).toBeLessThan(1e-4);
  });

  it('bag-of-embeddings: 2 worker processes on webgpu match 1 (1e-5)', async () => {
    const one = await run('bag-webgpu-1', 'webgpu', 1, SHORT_BAG);
    const two = await run('bag-webgpu-2', 'webgpu', 2, SHORT_BAG);
    expect([backendOf(one.finalDir), backendOf(two.finalDir)]).toEqual(['webgpu', 'webgpu']);
    expect(relativeDifference(one.finalDir, two.finalDir)).toBeLessThan(1e-5);
    expect(two.eval!.accuracy).toBeCloseTo(one.eval!.accuracy, 6);
  });
});
