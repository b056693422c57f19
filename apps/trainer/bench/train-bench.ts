/**
 * Training throughput benchmark (not a test): `nx run trainer:bench [--steps=N] [--workers=1,2]`.
 * 1. For each model, times optimizer steps of the default global batch on the embedded HH-RLHF
 *    sample in this process: pairs/s, tokens/s and the step's achieved GFLOP/s beside the
 *    backend's plain matMul GFLOP/s measured in the same run.
 * 2. The same steps through 1 and 2 worker processes (ring all-reduce over ZeroMQ): pairs/s and
 *    the speed-up over 1 worker, measured side by side.
 */
import { Command } from 'commander';
import { initBackend, measureMatMulGflops } from '@rewardkit/backend';
import os from 'node:os';
import { packPairs, pairLength, pairMargins, pairTokens, parseRunConfig, setLogSink } from '@rewardkit/core';
import { BatchSampler, learningRate, shardByTokens } from '@rewardkit/engine';
import { buildTokenizer, createShippedRegistry, prepareDataset } from '@rewardkit/runtime';
import { buildReplica } from '@rewardkit/training';
import { hhRlhf } from '@rewardkit/sample-data';
import { ProcessGroup } from '../src/distributed/process-group';
import { reportBench } from './bench-table';

async function main(): Promise<void> {
  const opts = new Command()
    .option('--steps <n>', 'timed steps per model', (v) => Number.parseInt(v, 10), 20)
    .option('--models <list>', 'comma-separated model plugins', 'bag-of-embeddings,transformer')
    .option('--backend <name>', 'tensor backend', 'auto')
    .option('--workers <list>', 'worker-process counts to compare (empty: skip)', '1,2')
    .option('--max-length <n>', 'tokens per sequence', (v) => Number.parseInt(v, 10), 256)
    .parse()
    .opts<{ steps: number; models: string; backend: 'auto' | 'wasm' | 'cpu' | 'tensorflow'; workers: string; maxLength: number }>();
  const backend = await initBackend({ prefer: opts.backend });
  const matmul = await measureMatMulGflops(1024);
  const rows: Record<string, string | number>[] = [];
  const workerRows: Record<string, string | number>[] = [];
  let base: number | undefined;
  for (const modelName of opts.models.split(',')) {
    base = undefined;
    const cfg = parseRunConfig({ data: { train: hhRlhf.train, maxLength: opts.maxLength }, model: { name: modelName }, backend: opts.backend });
    const registry = createShippedRegistry();
    const tokenizer = buildTokenizer(cfg, registry);
    const data = await prepareDataset(hhRlhf.train, registry, tokenizer, { loader: cfg.data.loader, skipInvalid: false, maxLength: cfg.data.maxLength });
    const replica = buildReplica(cfg, registry, tokenizer);
    // the same batches for the in-process and the worker-process timings
    const newSampler = () => new BatchSampler({ size: data.encoded.length, batchSize: cfg.train.batchSize, seed: 1, lengths: data.encoded.map(pairLength) });
    const sampler = newSampler();
    const step = (i: number) => {
      const pairs = sampler.next().map((j) => data.encoded[j]);
      const grads = replica.computeGradients(packPairs(pairs, tokenizer.padId), pairMargins(pairs));
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

    // --- the same steps through worker processes
    for (const n of opts.workers.split(',').filter(Boolean).map(Number)) {
      setLogSink(() => undefined);
      const group = await ProcessGroup.start({
        size: n,
        runConfigJson: JSON.stringify({ ...cfg, gpus: n }),
        padId: tokenizer.padId,
        modelRef: cfg.model,
        bind: 'tcp://127.0.0.1:0',
        spawnLocal: true,
        gpus: false,
        backend: cfg.backend,
      });
      setLogSink(undefined);
      const s2 = newSampler();
      const run = async (i: number) => {
        const pairs = s2.next().map((j) => data.encoded[j]);
        await group.step(i, shardByTokens(pairs, n), learningRate(cfg.train, i));
        return pairs.length;
      };
      await run(1);
      let wp = 0;
      const w0 = performance.now();
      for (let i = 0; i < opts.steps; i++) wp += await run(i + 2);
      const ws = (performance.now() - w0) / 1000;
      await group.close();
      const rate = wp / ws;
      if (n === 1) base = rate;
      workerRows.push({ model: modelName, workers: n, 'ms/step': (1000 * ws) / opts.steps, 'pairs/s': rate, 'speed-up vs 1 worker': base ? rate / base : NaN });
    }
  }
  reportBench('train', rows, { backend: backend.name, fixes: backend.fixes, steps: opts.steps, batchSize: 32, maxLength: opts.maxLength });
  if (workerRows.length) reportBench('train-workers', workerRows, { backend: backend.name, steps: opts.steps, batchSize: 32, maxLength: opts.maxLength, cores: os.cpus().length });
}

void main();
