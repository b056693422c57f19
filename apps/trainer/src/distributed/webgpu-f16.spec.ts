/**
 * `train.precision: 'f16'` end to end: a short tiny-transformer run on webgpu with f16 compute
 * (f16-operand matMuls and attention, loss scaling) stays close to the same run in f32, and the
 * trainer refuses f16 where it cannot run. On the software adapter in CI (lavapipe offers
 * shader-f16); skips, saying why, where none can be set up. The kernels themselves are checked
 * in packages/backend/src/webgpu-f16.spec.ts, the loss scale in packages/engine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeWebGpu } from '@rewardkit/backend';
import type { RunConfigInput } from '@rewardkit/core';
import { useScratch } from '../scratch.spec-helper';
import { train } from '../train';
import { relativeDifference, smallRun } from './distributed-test-config.spec-helper';

const TINY_TRANSFORMER: RunConfigInput = {
  model: { name: 'transformer', config: { nLayer: 1, nHead: 2, nEmbd: 16, nPositions: 64 } },
  // eps above f16's gradient noise (as webgpu-equivalence.spec.ts does for f32 rounding): weights
  // whose true gradient is ~0 then stay put in both runs instead of stepping lr on a noisy sign
  train: { steps: 4, batchSize: 4, eps: 1e-5 },
  data: { maxLength: 48 },
  checkpointEvery: 0,
};

describeWebGpu('train.precision f16 on webgpu', () => {
  const scratch = useScratch('rk-f16-', { logs: 'quiet' });
  const run = (name: string, backend: 'wasm' | 'webgpu', precision: 'f32' | 'f16') =>
    train(smallRun(scratch.dir, name, { ...TINY_TRANSFORMER, backend, train: { ...TINY_TRANSFORMER.train, precision } }));

  it('a tiny transformer trained with f16 compute ends within 1% of f32 (weights), held-out loss within 1e-4', async () => {
    const f32 = await run('tiny-f32', 'webgpu', 'f32');
    const f16 = await run('tiny-f16', 'webgpu', 'f16');
    const diff = relativeDifference(f32.finalDir, f16.finalDir);
    // measured on lavapipe: weights 1.1e-3 apart, held-out loss 1.1e-6 apart
    expect(diff).toBeGreaterThan(1e-6); // f16 really ran: its rounding shows in the weights
    expect(diff).toBeLessThan(1e-2);
    expect(Math.abs(f16.eval!.eval_loss - f32.eval!.eval_loss)).toBeLessThan(1e-4);
    const config = JSON.parse(fs.readFileSync(path.join(f16.finalDir, 'config.json'), 'utf8'));
    expect(config.rewardkit.info.backend).toBe('webgpu');
  });

  it('refuses f16 on a backend without it, saying what is needed', async () => {
    await expect(run('tiny-f16-wasm', 'wasm', 'f16')).rejects.toThrow(/f16 compute needs the webgpu backend with the shader-f16 feature; this run uses 'wasm'/);
  });
});
