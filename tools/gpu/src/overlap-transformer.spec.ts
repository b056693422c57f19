import * as tf from '@tensorflow/tfjs-core';
import { describeWebGpu, initBackend, stopWebGpu } from '@rewardkit/backend';
import { packUnits, parseRunConfig, setLogSink, type EncodedPair } from '@rewardkit/core';
import { Replica, setGradientReadOverlap } from '@rewardkit/engine';
import { TRANSFORMER_PRESETS } from '@rewardkit/model-transformer';
import { createShippedRegistry } from '@rewardkit/runtime';

// The copy/backward overlap (engine gradient-overlap.ts) on the real model: the tiny transformer with
// the fused kernels (attention, layer norm, bias + GELU, the Bradley-Terry head) and the embedding's
// tf.customGrad on its tape. Its gradient buffers must be bit-identical with the overlap on and off.
// The device store and no row-sparse embedding, named here, not left to 'auto' and the env: with
// the host store the embedding's 'rows' default turns the overlap off and 'on' would compare off
// with off; the all-reduce calls (one per bucket only when the overlap runs) show it did.
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

  /** Two steps' gradient buffers, and per step the [offset, length] of each all-reduce call. */
  async function buffers(overlap: boolean): Promise<{ out: Float32Array[]; calls: [number, number][][] }> {
    const preset = TRANSFORMER_PRESETS.tiny;
    const { vocabSize } = preset.reference;
    const cfg = parseRunConfig({ model: { name: 'transformer', config: { preset: 'tiny' } }, train: { batchSize: 3 }, data: { maxLength: 24 }, backend: 'webgpu' });
    const registry = createShippedRegistry();
    const model = registry.create('model', 'transformer', cfg.model.config, { vocabSize, padId: 0, eosId: vocabSize - 1, seed: 1 });
    const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
    // small buckets (64 KiB) so the ~100k parameters read in several, some splitting a tensor
    const replica = new Replica(model, loss, { ...cfg.train, store: 'device', sparseEmbedding: 'off', bucketBytes: 64 * 1024 });
    // every token id once per step: the embedding's gradient (a scatter) sums repeated ids with
    // atomics on webgpu, in no fixed order, and two runs must give the same floats here
    const seq = (n: number, k: number) => Int32Array.from({ length: n }, (_, i) => 1 + 20 * k + i);
    const pairs: EncodedPair[] = Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, chosen: seq(10 + i, 2 * i), rejected: seq(14 + (i % 3), 2 * i + 1), promptLength: 3, margin: 0 }));
    const out: Float32Array[] = [];
    const calls: [number, number][][] = [];
    setGradientReadOverlap(overlap);
    try {
      for (let s = 0; s < 2; s++) {
        // with the overlap the all-reduce goes bucket by bucket: each piece back in its place
        const whole = new Float32Array(replica.buffer.length);
        const step: [number, number][] = [];
        await replica.trainStep(packUnits(pairs.slice(3 * s, 3 * s + 3), 0), { step: s + 1, lr: 1e-3 }, async (buf) => {
          step.push([buf.byteOffset / 4, buf.length]);
          whole.set(buf, buf.byteOffset / 4);
        });
        out.push(whole);
        calls.push(step);
      }
    } finally {
      setGradientReadOverlap(false);
      replica.dispose();
      model.dispose();
    }
    return { out, calls };
  }

  it('reads bit-identical gradient buffers with the overlap on and off, two steps, no tensor left', async () => {
    const before = tf.memory().numTensors;
    const { out: off, calls: offCalls } = await buffers(false);
    const { out: on, calls: onCalls } = await buffers(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(on).toHaveLength(2);
    for (let s = 0; s < 2; s++) {
      const [a, b] = [on[s] as Float32Array, off[s] as Float32Array];
      // off: one all-reduce of the whole buffer; on: one per 64 KiB bucket, together covering it once
      expect(offCalls[s]).toEqual([[0, a.length]]);
      const pieces = [...(onCalls[s] ?? [])].sort((x, y) => x[0] - y[0]);
      expect(pieces.length).toBe(Math.ceil(a.length / (16 * 1024)));
      let end = 0; // each piece starts where the one before ends
      for (const [at, n] of pieces) {
        expect(at).toBe(end);
        end = at + n;
      }
      expect(end).toBe(a.length);
      expect(a.some((v) => v !== 0)).toBe(true);
      let differing = 0;
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
      expect(differing).toBe(0);
    }
  }, 180_000);
});
