/**
 * Forward+backward time of the default transformer config at a pair step's size:
 *
 *   npx tsx packages/model-transformer/bench/forward-backward.ts [wasm|cpu] [pairs=16] [tokens=128] [vocab=50257] [steps=3] [config-json]
 *
 * Rows are full width (the worst case for a given width). The first step is warm-up and not
 * counted. The objective is the Bradley-Terry loss sum over the pairs, as the trainer computes it.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@rewardkit/backend';
import { logSigmoid } from '@rewardkit/ops';
import { packSequences } from '@rewardkit/core';
import { transformerModel, TransformerConfigSchema } from '../src';

async function main(): Promise<void> {
  const [backend = 'wasm', pairsArg = '16', tokensArg = '128', vocabArg = '50257', stepsArg = '3', configArg = '{}'] = process.argv.slice(2);
  const [pairs, tokens, vocabSize, steps] = [pairsArg, tokensArg, vocabArg, stepsArg].map(Number);
  await initBackend({ prefer: backend as 'wasm' | 'cpu' });
  const config = TransformerConfigSchema.parse(JSON.parse(configArg));
  const model = transformerModel.create(config, { vocabSize, padId: vocabSize - 1, eosId: vocabSize - 1, seed: 1 });
  const seqs = Array.from({ length: 2 * pairs }, (_, r) =>
    Int32Array.from({ length: tokens }, (_, t) => (t === tokens - 1 ? vocabSize - 1 : (r * 7919 + t * 104729) % (vocabSize - 1))),
  );
  const batch = packSequences(seqs, seqs.map(() => 8), vocabSize - 1);
  const vars = model.parameters.map((p) => p.variable);
  const weights = vars.reduce((n, v) => n + v.size, 0);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const r = model.score(batch, { training: true });
      const [chosen, rejected] = tf.split(r, 2);
      return tf.neg(tf.sum(logSigmoid(tf.sub(chosen, rejected)))) as tf.Scalar;
    }, vars);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const forward = () => tf.tidy(() => void model.score(batch).dataSync()); // returning the array would make tidy walk it
  /** Seconds per call: wall clock, and this process's CPU time (steadier on a shared machine). */
  const time = (fn: () => void, n: number) => {
    fn(); // warm-up
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const c = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / n / 1000, cpu: (c.user + c.system) / n / 1e6 };
  };
  const fwd = time(forward, steps);
  const fb = time(step, steps);
  const tokensPerStep = 2 * pairs * tokens;
  const gflop = (3 * model.flopsPerToken() * tokensPerStep) / 1e9;
  console.log(
    `${tf.getBackend()}: ${config.nLayer} layers x ${config.nEmbd} dims x ${config.nHead} heads, vocab ${vocabSize} (${(weights / 1e6).toFixed(2)}M weights), ` +
      `${2 * pairs} rows x ${tokens} tokens: forward ${fwd.wall.toFixed(3)} s (cpu ${fwd.cpu.toFixed(3)}), ` +
      `forward+backward ${fb.wall.toFixed(3)} s (cpu ${fb.cpu.toFixed(3)}; ${(tokensPerStep / fb.cpu).toFixed(0)} tokens/s, ` +
      `${(gflop / fb.cpu).toFixed(1)} GFLOP/s counted), load ${os.loadavg()[0].toFixed(1)}, ` +
      `${tf.memory().numTensors} tensors, ${(tf.memory().numBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  model.dispose();
}

void main();
