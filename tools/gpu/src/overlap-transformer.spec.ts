import * as tf from '@tensorflow/tfjs-core';
import { describeWebGpu, initBackend, stopWebGpu } from '@rewardkit/backend';
import { packUnits, parseRunConfig, setLogSink, type EncodedPair } from '@rewardkit/core';
import { Replica, setGradientReadOverlap } from '@rewardkit/engine';
import { TRANSFORMER_PRESETS } from '@rewardkit/model-transformer';
import { createShippedRegistry } from '@rewardkit/runtime';

// The copy/backward overlap (engine gradient-overlap.ts) on the real model: the tiny transformer with
// the fused kernels (attention, layer norm, bias + GELU, the Bradley-Terry head) and the embedding's
// tf.customGrad on its tape. Its gradient buffers must be bit-identical with the overlap on and off.
describeWebGpu('copy/backward overlap on the tiny transformer (webgpu)', () => {
  beforeAll(async () => {
    setLogSink(() => undefined);
    await initBackend({ prefer: 'webgpu' });
  });
  afterAll(() => {
    setGradientReadOverlap(false);
    setLogSink(undefined);
    stopWebGpu();
  });

  async function buffers(overlap: boolean): Promise<Float32Array[]> {
    const preset = TRANSFORMER_PRESETS.tiny;
    const { vocabSize } = preset.reference;
    const cfg = parseRunConfig({ model: { name: 'transformer', config: { preset: 'tiny' } }, train: { batchSize: 3 }, data: { maxLength: 24 }, backend: 'webgpu' });
    const registry = createShippedRegistry();
    const model = registry.create('model', 'transformer', cfg.model.config, { vocabSize, padId: 0, eosId: vocabSize - 1, seed: 1 });
    const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
    // small buckets (64 KiB) so the ~100k parameters read in several, some splitting a tensor
    const replica = new Replica(model, loss, { ...cfg.train, bucketBytes: 64 * 1024 });
    const seq = (n: number, k: number) => Int32Array.from({ length: n }, (_, i) => 1 + ((i * 7 + k * 13) % (vocabSize - 2)));
    const pairs: EncodedPair[] = Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, chosen: seq(10 + i, i), rejected: seq(14 + (i % 3), i + 50), promptLength: 3, margin: 0 }));
    const out: Float32Array[] = [];
    setGradientReadOverlap(overlap);
    try {
      for (let s = 0; s < 2; s++) {
        await replica.trainStep(packUnits(pairs.slice(3 * s, 3 * s + 3), 0), { step: s + 1, lr: 1e-3 }, async (buf) => void out.push(Float32Array.from(buf)));
      }
    } finally {
      setGradientReadOverlap(false);
      replica.dispose();
      model.dispose();
    }
    return out;
  }

  it('reads bit-identical gradient buffers with the overlap on and off, two steps, no tensor left', async () => {
    const before = tf.memory().numTensors;
    const off = await buffers(false);
    const on = await buffers(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(on).toHaveLength(2);
    for (let s = 0; s < 2; s++) {
      const [a, b] = [on[s] as Float32Array, off[s] as Float32Array];
      expect(a.some((v) => v !== 0)).toBe(true);
      let differing = 0;
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
      expect(differing).toBe(0);
    }
  }, 180_000);
});
