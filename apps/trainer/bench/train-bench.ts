/**
 * Training throughput benchmark (not a test).
 *   nx run trainer:bench                                   # bag + default transformer on the HH-RLHF sample, 1 and 2 workers
 *   nx run trainer:bench --preset=mid --backend=webgpu --workers=   # a named transformer size, in this process only
 *   nx run trainer:bench --preset=small --backend=wasm --workers=1,2,4 --no-in-process --pairs=32
 * 1. In this process: `--warmup` untimed then `--steps` timed optimizer steps through
 *    Replica.trainStep (the step every caller runs); median ms/step, pairs/s, tokens/s and model
 *    GFLOP/s over the padded batch (what the device computes), beside the backend's plain matMul rate.
 * 2. The same batches through N worker processes (ring all-reduce over ZeroMQ): pairs/s and the
 *    speed-up over 1 worker.
 * 3. For the transformer, PyTorch (CPU) on the same batches and the same cores (torch_peer_cpu.py,
 *    when `.cache/pyenv` or REWARDKIT_PYTHON has torch): 1 thread against this process, N threads
 *    against N worker processes; the ratio is rewardkit's pairs/s over PyTorch's.
 * With `--preset` the data default is `synthetic`: random ids shaped as tools/gpu/torch_peer.py's
 * (same vocabulary, lengths in [T/2, T], pairs per step), so pairs/s compares with PyTorch.
 * Prints tables; writes JSON to `--out` (default bench-results/train.json).
 */
import { Command, Option } from 'commander';
import os from 'node:os';
import path from 'node:path';
import { initBackend, measureMatMulGflops } from '@rewardkit/backend';
import type { BackendPreference } from '@rewardkit/core';
import { packUnits, parseRunConfig, setLogSink, type EncodedPair, type RunConfig } from '@rewardkit/core';
import { BatchSampler, learningRate, Replica, shardByTokens } from '@rewardkit/engine';
import { type Gpt2Architecture, TRANSFORMER_PRESET_NAMES, TRANSFORMER_PRESETS, TransformerModel, transformerParamCount, type TransformerPresetName } from '@rewardkit/model-transformer';
import { buildTokenizer, createShippedRegistry, prepareDataset } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { ProcessGroup } from '../src/distributed/process-group';
import { formatTable, writeBenchJson, type BenchRow } from './bench-table';
import { syntheticPairs } from './synthetic-pairs';
import { runTorchPeer } from './torch-peer';

interface BenchOptions {
  readonly preset?: TransformerPresetName;
  readonly models: string;
  readonly backend: string;
  readonly workerBackend?: string;
  readonly pairs?: number;
  readonly steps: number;
  readonly warmup: number;
  readonly data?: 'sample' | 'synthetic';
  readonly maxLength?: number;
  readonly workers: string;
  readonly inProcess: boolean;
  readonly matmul: boolean;
  readonly torch: boolean;
  readonly out: string;
}

/** What one model's timings need: its run config, the pairs to draw batches from, its vocabulary. */
interface BenchSetup {
  readonly label: string;
  readonly cfg: RunConfig;
  readonly pairs: readonly EncodedPair[];
  readonly vocabSize: number;
  readonly padId: number;
  readonly eosId: number;
}

const int = (v: string) => Number.parseInt(v, 10);
const median = (a: readonly number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function parseOptions(): BenchOptions {
  return new Command('train-bench')
    .addOption(new Option('--preset <name>', 'transformer preset (replaces --models)').choices(TRANSFORMER_PRESET_NAMES))
    .option('--models <list>', 'comma-separated model plugins', 'bag-of-embeddings,transformer')
    .option('--backend <name>', 'tensor backend of this process (auto, webgpu, wasm, cpu, tensorflow)', 'auto')
    .option('--worker-backend <name>', 'backend of the worker processes (default: --backend)')
    .option('--pairs <n>', 'global pairs per step (default: the preset\'s reference, else 32)', int)
    .option('--steps <n>', 'timed steps', int, 20)
    .option('--warmup <n>', 'untimed steps first (shader compilation, memory growth)', int, 1)
    .addOption(new Option('--data <kind>', 'sample: HH-RLHF; synthetic: PyTorch-peer-shaped random ids').choices(['sample', 'synthetic']))
    .option('--max-length <n>', 'tokens per sequence (default: the preset\'s nPositions, else 256)', int)
    .option('--workers <list>', 'worker-process counts to compare (empty: none)', '1,2')
    .option('--no-in-process', 'skip the in-process timing')
    .option('--no-matmul', 'skip the plain matMul measurement')
    .option('--no-torch', 'skip the PyTorch peer')
    .option('--out <file>', 'JSON results', path.join('bench-results', 'train.json'))
    .parse()
    .opts<BenchOptions>();
}

async function prepare(modelName: string, opts: BenchOptions): Promise<BenchSetup> {
  const preset = opts.preset ? TRANSFORMER_PRESETS[opts.preset] : undefined;
  const maxLength = opts.maxLength ?? preset?.nPositions ?? 256;
  const batchSize = opts.pairs ?? preset?.reference.pairs ?? 32;
  const cfg = parseRunConfig({
    data: { train: hhRlhf.train, maxLength },
    model: { name: modelName, config: opts.preset ? { preset: opts.preset } : {} },
    train: { batchSize },
    backend: opts.workerBackend ?? opts.backend,
  });
  const label = opts.preset ? `transformer:${opts.preset}` : modelName;
  if ((opts.data ?? (preset ? 'synthetic' : 'sample')) === 'synthetic') {
    const vocabSize = preset?.reference.vocabSize ?? 50257;
    return { label, cfg, vocabSize, padId: 0, eosId: vocabSize - 1, pairs: syntheticPairs(Math.max(64, 4 * batchSize), { vocabSize, tokens: maxLength }) };
  }
  const registry = createShippedRegistry();
  const tokenizer = buildTokenizer(cfg, registry);
  const data = await prepareDataset(hhRlhf.train, registry, tokenizer, { loader: cfg.data.loader, skipInvalid: false, maxLength });
  return { label, cfg, pairs: data.encoded, vocabSize: tokenizer.vocabSize, padId: tokenizer.padId, eosId: tokenizer.eosId };
}

/** The same batches for every timing of one model (seeded, length-bucketed). */
function batches(setup: BenchSetup): () => EncodedPair[] {
  const sampler = new BatchSampler({ size: setup.pairs.length, batchSize: setup.cfg.train.batchSize, seed: 1, lengths: setup.pairs.map((p) => p.chosen.length + p.rejected.length) });
  return () => sampler.next().map((j) => setup.pairs[j]);
}

/** A timing row, and the transformer's sizes (for the PyTorch peer) when the model is one. */
interface InProcessTiming {
  readonly row: BenchRow;
  readonly arch?: Gpt2Architecture;
}

/**
 * `matmul`: measure the plain matMul rate right before every timed step, so each step's share of
 * it compares two figures taken under the same load (this machine is shared); the row reports the
 * medians of both and of the per-step ratios.
 */
async function timeInProcess(setup: BenchSetup, opts: BenchOptions, matmul: boolean): Promise<InProcessTiming> {
  const { cfg } = setup;
  const registry = createShippedRegistry();
  const model = registry.create('model', cfg.model.name, cfg.model.config, { vocabSize: setup.vocabSize, padId: setup.padId, eosId: setup.eosId, seed: cfg.train.seed });
  const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
  const replica = new Replica(model, loss, cfg.train);
  const next = batches(setup);
  const times: number[] = [];
  const losses: number[] = [];
  const rates: number[] = []; // plain matMul GFLOP/s before each timed step
  const stepFlops: number[] = []; // forward + backward of each timed step
  let paddedTokens = 0;
  let pairs = 0;
  try {
    for (let i = 1; i <= opts.warmup + opts.steps; i++) {
      const shard = next();
      const units = packUnits(shard, setup.padId);
      const { batch } = units;
      if (matmul && i > opts.warmup) rates.push(await measureMatMulGflops(1024, { reps: 1 }));
      const t0 = performance.now();
      const out = await replica.trainStep(units, { step: i, lr: learningRate({ ...cfg.train, steps: opts.warmup + opts.steps }, i) });
      const ms = performance.now() - t0;
      losses.push(out.loss);
      if (i <= opts.warmup) continue;
      times.push(ms);
      stepFlops.push(3 * model.flopsPerToken() * batch.rows * batch.width); // the width just scored
      paddedTokens += batch.rows * batch.width;
      pairs += shard.length;
    }
    const ms = median(times);
    const perStep = { pairs: pairs / opts.steps, tokens: paddedTokens / opts.steps };
    // forward + backward ~ 3x the forward FLOPs (torch_peer.py counts the same: 6N per token + attention)
    const gflops = (3 * model.flopsPerToken() * perStep.tokens) / ms / 1e6;
    const arch = model instanceof TransformerModel ? model.arch : undefined;
    const row: BenchRow = {
      model: setup.label,
      params: replica.layout.size,
      store: replica.store.kind, // device: parameters and AdamW on the GPU; host: a JS loop
      pairs: perStep.pairs,
      'tokens/step': Math.round(perStep.tokens),
      'ms/step': ms,
      'ms min': Math.min(...times),
      'pairs/s': (1000 * perStep.pairs) / ms,
      'tokens/s': (1000 * perStep.tokens) / ms,
      'step GFLOP/s': gflops,
      ...(rates.length === 0
        ? {}
        : {
            'matMul GFLOP/s': median(rates),
            'step/matMul': median(times.map((t, k) => stepFlops[k] / t / 1e6 / rates[k])),
          }),
      'loss first': losses[0],
      'loss last': losses[losses.length - 1],
    };
    return { row, arch };
  } finally {
    model.dispose();
  }
}

async function timeWorkers(setup: BenchSetup, n: number, opts: BenchOptions): Promise<BenchRow> {
  const { cfg } = setup;
  setLogSink(() => undefined); // the workers' start-up lines would bury the table
  const group = await ProcessGroup.start({
    size: n,
    runConfigJson: JSON.stringify({ ...cfg, gpus: n }),
    padId: setup.padId,
    modelRef: cfg.model,
    bind: 'tcp://127.0.0.1:0',
    spawnLocal: true,
    gpus: false,
    backend: cfg.backend,
  });
  setLogSink(undefined);
  try {
    const next = batches(setup);
    const times: number[] = [];
    const reduce: number[] = []; // rank 0's all-reduce time and its share of the rank's step
    const share: number[] = [];
    let pairs = 0;
    for (let i = 1; i <= opts.warmup + opts.steps; i++) {
      const shard = next();
      const t0 = performance.now();
      const out = await group.step(i, shardByTokens(shard, n), learningRate({ ...cfg.train, steps: opts.warmup + opts.steps }, i));
      if (i > opts.warmup) {
        times.push(performance.now() - t0);
        pairs += shard.length;
        const [c, r] = [out.computeMs ?? 0, out.allreduceMs ?? 0];
        reduce.push(r);
        share.push(c + r > 0 ? r / (c + r) : 0);
      }
    }
    const ms = median(times);
    return { model: setup.label, workers: n, backend: group.backend, 'ms/step': ms, 'pairs/s': (1000 * pairs) / opts.steps / ms, 'allreduce ms': median(reduce), 'allreduce share': median(share) };
  } finally {
    await group.close();
  }
}

/**
 * PyTorch's pairs/s on this model's batches with 1 thread (against this process: wasm runs one
 * thread) and with as many threads as the largest worker count (against that many processes).
 * `byWorkers` maps a worker count to rewardkit's pairs/s (0: in this process).
 */
function torchPeerRows(setup: BenchSetup, opts: BenchOptions, arch: Gpt2Architecture, byWorkers: Map<number, number>): BenchRow[] {
  const next = batches(setup);
  const steps = Array.from({ length: opts.warmup + opts.steps }, () => next());
  const most = Math.max(1, ...byWorkers.keys());
  const threads = [...new Set([1, most])];
  const peer = runTorchPeer({ arch, lr: setup.cfg.train.lr, weightDecay: setup.cfg.train.weightDecay, batches: steps, warmup: opts.warmup, threads });
  if (typeof peer === 'string') {
    process.stdout.write(`PyTorch peer skipped: ${peer}\n`);
    return [];
  }
  return peer.map((p) => {
    const ours = byWorkers.get(p.threads) ?? (p.threads === 1 ? byWorkers.get(0) : undefined);
    const against = byWorkers.has(p.threads) ? `${p.threads} worker(s)` : 'this process';
    return {
      model: setup.label,
      impl: `pytorch ${p.torch}`,
      threads: p.threads,
      'ms/step': p.ms_step,
      'pairs/s': p.pairs_s,
      'rewardkit vs': against,
      'rewardkit pairs/s': ours ?? NaN,
      'pytorch/rewardkit': ours ? p.pairs_s / ours : NaN,
    };
  });
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const backend = await initBackend({ prefer: opts.backend as BackendPreference, gpu: true });
  const rows: BenchRow[] = [];
  const workerRows: BenchRow[] = [];
  const torchRows: BenchRow[] = [];
  const models = opts.preset ? ['transformer'] : opts.models.split(',').filter(Boolean);
  for (const name of models) {
    const setup = await prepare(name, opts);
    const timed = opts.inProcess ? await timeInProcess(setup, opts, opts.matmul) : undefined;
    if (timed) rows.push(timed.row);
    let base: number | undefined;
    const byWorkers = new Map<number, number>(timed ? [[0, timed.row['pairs/s'] as number]] : []);
    for (const n of opts.workers.split(',').filter(Boolean).map(Number)) {
      const row = await timeWorkers(setup, n, opts);
      base ??= n === 1 ? (row['pairs/s'] as number) : undefined;
      const preset = opts.preset ? TRANSFORMER_PRESETS[opts.preset] : undefined;
      // workers build their model from the tokenizer's vocabulary (50,257), not the synthetic one
      const params: BenchRow = preset ? { params: transformerParamCount(preset, 50257) } : {};
      workerRows.push({ ...row, ...params, 'speed-up vs 1 worker': base ? (row['pairs/s'] as number) / base : NaN });
      byWorkers.set(n, row['pairs/s'] as number);
    }
    if (opts.torch && timed?.arch) torchRows.push(...torchPeerRows(setup, opts, timed.arch, byWorkers));
  }
  const context = {
    backend: backend.name,
    reason: backend.reason,
    fixes: backend.fixes,
    preset: opts.preset ?? null,
    data: opts.data ?? (opts.preset ? 'synthetic' : 'sample'),
    steps: opts.steps,
    warmup: opts.warmup,
    cores: os.cpus().length,
  };
  if (rows.length) process.stdout.write(`in this process, backend ${backend.name}:\n${formatTable(rows)}\n`);
  if (workerRows.length) process.stdout.write(`worker processes:\n${formatTable(workerRows)}\n`);
  if (torchRows.length) process.stdout.write(`PyTorch (CPU) on the same batches and cores:\n${formatTable(torchRows)}\n`);
  writeBenchJson(opts.out, 'train', { ...context, rows, workerRows, torchRows });
}

// Exit explicitly: a Dawn (webgpu) process has been seen to hang at exit.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`train-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
