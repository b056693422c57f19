/**
 * Training throughput benchmark (not a test): `nx run trainer:bench [--steps=N]`.
 * For each model, times optimizer steps of the default global batch on the embedded HH-RLHF
 * sample in this process, and reports pairs/s, tokens/s and the step's achieved GFLOP/s beside
 * the backend's plain matMul GFLOP/s measured in the same run.
 */
import { Command } from 'commander';
import { initBackend, measureMatMulGflops } from '@rewardkit/backend';
import { packPairs, pairTokens, parseRunConfig } from '@rewardkit/core';
import { BatchSampler, learningRate } from '@rewardkit/engine';
import { buildReplica, buildTokenizer, createShippedRegistry, prepareDataset } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { reportBench } from './bench-table';

async function main(): Promise<void> {
  const opts = new Command()
    .option('--steps <n>', 'timed steps per model', (v) => Number.parseInt(v, 10), 20)
    .option('--models <list>', 'comma-separated model plugins', 'bag-of-embeddings,transformer')
    .option('--backend <name>', 'tensor backend', 'auto')
    .parse()
    .opts<{ steps: number; models: string; backend: 'auto' | 'wasm' | 'cpu' | 'tensorflow' }>();
  const backend = await initBackend({ prefer: opts.backend });
  const matmul = await measureMatMulGflops(1024);
  const rows: Record<string, string | number>[] = [];
  for (const modelName of opts.models.split(',')) {
    const cfg = parseRunConfig({ data: { train: hhRlhf.train }, model: { name: modelName } });
    const registry = createShippedRegistry();
    const tokenizer = buildTokenizer(cfg, registry);
    const data = await prepareDataset(hhRlhf.train, registry, tokenizer, { loader: cfg.data.loader, skipInvalid: false, maxLength: cfg.data.maxLength });
    const replica = buildReplica(cfg, registry, tokenizer);
    const sampler = new BatchSampler({ size: data.encoded.length, batchSize: cfg.train.batchSize, seed: 1, lengths: data.encoded.map((p) => p.chosen.length + p.rejected.length) });
    const step = (i: number) => {
      const pairs = sampler.next().map((j) => data.encoded[j]);
      const grads = replica.computeGradients(packPairs(pairs, tokenizer.padId), Float32Array.from(pairs, (p) => p.margin));
      replica.applyUpdate(grads, learningRate(cfg.train, i));
      return { pairs: pairs.length, tokens: pairTokens(pairs) };
    };
    step(1); // warm-up: kernel setup and memory growth are not throughput
    let pairs = 0;
    let tokens = 0;
    const t0 = performance.now();
    for (let i = 0; i < opts.steps; i++) {
      const s = step(i + 2);
      pairs += s.pairs;
      tokens += s.tokens;
    }
    const seconds = (performance.now() - t0) / 1000;
    // forward + backward ~ 3x the forward FLOPs, over real (unpadded) tokens
    const gflops = (3 * replica.model.flopsPerToken() * tokens) / seconds / 1e9;
    rows.push({
      model: modelName,
      params: replica.layout.size,
      'ms/step': (1000 * seconds) / opts.steps,
      'pairs/s': pairs / seconds,
      'tokens/s': tokens / seconds,
      'step GFLOP/s': gflops,
      'matMul GFLOP/s': matmul,
      'step/matMul': gflops / matmul,
    });
    replica.model.dispose();
  }
  reportBench('train', rows, { backend: backend.name, fixes: backend.fixes, steps: opts.steps, batchSize: 32 });
}

void main();
