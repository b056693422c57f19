/**
 * The step profile's measurements (tools/gpu/src/step-profile.ts is the command that prints them):
 * a preset transformer's training step through Replica.trainStep in each kernel mode, alternating
 * step by step, plus plain matMul rates and host<->GPU copy rates.
 */
import * as tf from '@tensorflow/tfjs-core';
import { countWebGpuWork, f16ComputeRefusal, initBackend, setWebGpuF16Compute, setWebGpuFusedKernels, setWebGpuSubmitBatch, setWebGpuTiledMatMul } from '@rewardkit/backend';
import { type BackendPreference, type EncodedPair, packUnits, parseRunConfig, setLogSink } from '@rewardkit/core';
import { learningRate, readTensorInto, Replica, setGradientReadOverlap } from '@rewardkit/engine';
import { TRANSFORMER_PRESETS, type TransformerPresetName } from '@rewardkit/model-transformer';
import { createShippedRegistry } from '@rewardkit/runtime';

export interface StepProfileOptions {
  readonly preset: TransformerPresetName;
  readonly backend: string;
  readonly pairs?: number;
  readonly steps: number;
  readonly warmup: number;
  readonly modes: string;
  readonly copyMb: string;
  readonly matmulN: string;
  /** Dispatches per submit to compare (fused kernels on), e.g. '15,128,1024'; empty: none. */
  readonly submitBatch?: string;
  /** Also time buffered steps (gradients read back, as with several workers) with the copy/backward overlap off and on. */
  readonly overlap?: boolean;
  readonly top: number;
  readonly out?: string;
}

/** `f16`: fused kernels, f16 compute (tiled matMul and attention with f16 operands) and loss scaling, as `train.precision=f16`. */
export type Mode = 'on' | 'off' | 'tiled' | 'f16';

export interface ModeResult {
  readonly mode: Mode;
  readonly fused: boolean;
  readonly stepMs: number;
  readonly pairsPerSec: number;
  readonly dispatchesPerStep: number;
  /** Queue submits (command buffers) per step, at the process's submit batch. */
  readonly submitsPerStep: number;
  /** Tensors uploaded from host values per step (token ids, index tensors, masks, the summed gradient). */
  readonly uploadsPerStep: number;
  readonly kernelCallsPerStep: number;
  /** Summed GPU time of the profiled step's kernels; undefined without timestamp queries. */
  readonly kernelMs?: number;
  readonly wallOverKernel?: number;
  readonly topKernels: { name: string; calls: number; ms: number }[];
  readonly loss: number;
}

/** One submit-batch setting (fused kernels on): median step time and the submits it made. */
export interface SubmitBatchResult {
  readonly dispatchesPerSubmit: number;
  readonly stepMs: number;
  readonly dispatchesPerStep: number;
  readonly submitsPerStep: number;
}

/** Buffered steps (fused kernels on; the read-back a multi-worker step does, all-reduce over one rank), overlap off and on. */
export interface OverlapResult {
  readonly overlap: boolean;
  /** Median step wall time. */
  readonly stepMs: number;
  /** Median time to the gradient being on the host (backward, read-back), then the update. */
  readonly computeMs: number;
}

export interface MatMulResult {
  readonly n: number;
  /** f16: the tiled kernel with f16 operands and f32 sums (where the adapter has shader-f16). */
  readonly kernel: 'stock' | 'tiled' | 'f16';
  readonly product: 'A.B' | 'A.B^T' | 'A^T.B';
  readonly tflops: number;
}

export interface CopyResult {
  readonly mb: number;
  readonly uploadGBs: number;
  /** Read-back as the trainer does it (readTensorInto: reused staging straight into a host array). */
  readonly readGBs: number;
  /** Read-back through tfjs's `data()` (a fresh array each time), for comparison. */
  readonly readDataGBs: number;
}

const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;

/** PyTorch-peer-shaped random pairs (tools/gpu/torch_peer.py): lengths in [T/2, T], EOS last. */
function randomPairs(count: number, vocab: number, T: number): EncodedPair[] {
  let s = 12345;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const seq = () => {
    const len = Math.floor(T / 2) + Math.floor(rnd() * (T - Math.floor(T / 2) + 1));
    const ids = Int32Array.from({ length: len }, () => 1 + Math.floor(rnd() * (vocab - 2)));
    ids[len - 1] = vocab - 1;
    return ids;
  };
  return Array.from({ length: count }, (_, i) => ({ id: `p${i}`, chosen: seq(), rejected: seq(), promptLength: 0, margin: 0 }));
}

type KernelInfo = Awaited<ReturnType<typeof tf.profile>>['kernels'][number];

async function kernelTime(k: KernelInfo): Promise<number | undefined> {
  const t = await k.kernelTimeMs;
  return typeof t === 'number' && Number.isFinite(t) ? t : undefined;
}

/** Turns the kernels of a mode on (and the others off). */
function useMode(mode: Mode): void {
  setWebGpuFusedKernels(mode !== 'off');
  setWebGpuF16Compute(false); // before the tiled switch: off restores the matMul f16 replaced
  setWebGpuTiledMatMul(mode === 'tiled');
  if (mode === 'f16') setWebGpuF16Compute(true);
}

/** TFLOP/s of an n x n x n product: one warm-up, then the median of 3 timed (each read back). */
async function measureMatMul(n: number, kernel: MatMulResult['kernel'], product: MatMulResult['product']): Promise<MatMulResult> {
  setWebGpuF16Compute(false);
  setWebGpuTiledMatMul(kernel === 'tiled');
  if (kernel === 'f16') setWebGpuF16Compute(true);
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const once = async () => {
    const t0 = performance.now();
    const c = tf.matMul(a, b, product === 'A^T.B', product === 'A.B^T');
    await tf.slice(c, [0, 0], [1, 1]).data(); // waits for the product; a 1-element read costs nothing
    c.dispose();
    return performance.now() - t0;
  };
  await once();
  const ms = median([await once(), await once(), await once()]);
  tf.dispose([a, b]);
  return { n, kernel, product, tflops: (2 * n ** 3) / (ms / 1000) / 1e12 };
}

/** Upload and read-back rates for one size: median of 3. */
async function measureCopies(mb: number): Promise<CopyResult> {
  const n = Math.floor((mb * 1024 * 1024) / 4);
  const host = Float32Array.from({ length: n }, (_, i) => i % 1000);
  const into = new Float32Array(n); // reused, as the trainer reuses its gradient buffer
  const up: number[] = [];
  const down: number[] = [];
  const downData: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const t = tf.tensor1d(host);
    const resident = tf.add(t, 0); // uploading happens when a kernel first reads the tensor
    await tf.slice(resident, [0], [1]).data(); // the queue has run the upload
    up.push(performance.now() - t0);
    const t1 = performance.now();
    await readTensorInto(resident, into, 0);
    down.push(performance.now() - t1);
    const t2 = performance.now();
    await resident.data();
    downData.push(performance.now() - t2);
    tf.dispose([t, resident]);
  }
  const gbs = (ms: number) => (n * 4) / 1e9 / (ms / 1000);
  return { mb, uploadGBs: gbs(median(up)), readGBs: gbs(median(down)), readDataGBs: gbs(median(downData)) };
}

/** Runs the profile (see step-profile.ts) on the backend it starts; the caller prints or checks it. */
export async function profileSteps(opts: StepProfileOptions): Promise<{ backend: string; reason: string; preset: string; params: number; modes: ModeResult[]; overlap: OverlapResult[]; submitBatches: SubmitBatchResult[]; matmuls: MatMulResult[]; copies: CopyResult[] }> {
  setLogSink(() => undefined);
  const info = await initBackend({ prefer: opts.backend as BackendPreference, gpu: true });
  const preset = TRANSFORMER_PRESETS[opts.preset];
  const { vocabSize, pairs: refPairs } = preset.reference;
  const pairs = opts.pairs ?? refPairs;
  const T = preset.nPositions;
  const cfg = parseRunConfig({ model: { name: 'transformer', config: { preset: opts.preset } }, train: { batchSize: pairs }, data: { maxLength: T }, backend: opts.backend });
  const registry = createShippedRegistry();
  const model = registry.create('model', 'transformer', cfg.model.config, { vocabSize, padId: 0, eosId: vocabSize - 1, seed: 1 });
  const loss = registry.create('loss', cfg.loss.name, cfg.loss.config, undefined);
  const replica = new Replica(model, loss, cfg.train);
  const modes = opts.modes.split(',').filter(Boolean) as Mode[];
  for (const m of modes) if (!['on', 'off', 'tiled', 'f16'].includes(m)) throw new Error(`--modes: ${m} is not on, off, tiled or f16`);
  // f16 steps scale the loss as a run does: a replica of the same model with its own loss scale and
  // parameter store (each store writes the shared variables after its update, so the two interleave)
  const replicaF16 = modes.includes('f16') ? new Replica(model, loss, { ...cfg.train, precision: 'f16' }) : undefined;
  const data = randomPairs(pairs * (opts.warmup + opts.steps + 1), vocabSize, T);
  const batch = (i: number) => packUnits(data.slice((i % (opts.warmup + opts.steps + 1)) * pairs, ((i % (opts.warmup + opts.steps + 1)) + 1) * pairs), 0);
  let step = 0;
  const run = async (mode: Mode, i: number) => {
    useMode(mode);
    const t0 = performance.now();
    const out = await (mode === 'f16' ? (replicaF16 as Replica) : replica).trainStep(batch(i), { step: ++step, lr: learningRate({ ...cfg.train, steps: 1000 }, step) });
    return { ms: performance.now() - t0, loss: out.loss };
  };
  for (let w = 0; w < opts.warmup; w++) for (const f of modes) await run(f, w);
  const times = new Map<Mode, number[]>(modes.map((f) => [f, []]));
  const losses = new Map<Mode, number>();
  for (let s = 0; s < opts.steps; s++) {
    for (const f of modes) {
      const r = await run(f, opts.warmup + s);
      times.get(f)?.push(r.ms);
      losses.set(f, r.loss);
    }
  }
  const results: ModeResult[] = [];
  for (const f of modes) {
    useMode(f);
    // counted on a plain step: under tf.profile tfjs submits after every timed program
    const work = await countWebGpuWork(() => run(f, opts.warmup + opts.steps));
    const prof = await tf.profile(async () => void (await run(f, opts.warmup + opts.steps)));
    const groups = new Map<string, { calls: number; ms: number }>();
    let kernelMs: number | undefined = 0;
    for (const k of prof.kernels) {
      const ms = await kernelTime(k);
      if (ms === undefined) kernelMs = undefined;
      else if (kernelMs !== undefined) kernelMs += ms;
      const g = groups.get(k.name) ?? { calls: 0, ms: 0 };
      g.calls++;
      g.ms += ms ?? 0;
      groups.set(k.name, g);
    }
    const stepMs = median(times.get(f) ?? []);
    results.push({
      mode: f,
      fused: f !== 'off',
      stepMs,
      pairsPerSec: pairs / (stepMs / 1000),
      dispatchesPerStep: work.dispatches,
      submitsPerStep: work.submits,
      uploadsPerStep: work.uploads,
      kernelCallsPerStep: prof.kernels.length,
      kernelMs,
      wallOverKernel: kernelMs ? stepMs / kernelMs : undefined,
      topKernels: [...groups].map(([name, g]) => ({ name, ...g })).sort((a, b) => b.ms - a.ms || b.calls - a.calls).slice(0, opts.top),
      loss: losses.get(f) ?? NaN,
    });
  }
  const overlap: OverlapResult[] = [];
  if (opts.overlap) {
    // alternating, on the same batches; one round first warms both
    useMode('on');
    const times = new Map<boolean, { ms: number[]; compute: number[] }>([false, true].map((on) => [on, { ms: [], compute: [] }]));
    for (let s = 0; s < opts.steps + 1; s++) {
      for (const on of [false, true]) {
        setGradientReadOverlap(on);
        const t0 = performance.now();
        const out = await replica.trainStep(batch(s), { step: ++step, lr: learningRate({ ...cfg.train, steps: 1000 }, step) }, async () => undefined);
        if (s > 0) {
          times.get(on)?.ms.push(performance.now() - t0);
          times.get(on)?.compute.push(out.computeMs ?? NaN);
        }
      }
    }
    setGradientReadOverlap(false);
    for (const [on, t] of times) overlap.push({ overlap: on, stepMs: median(t.ms), computeMs: median(t.compute) });
  }
  const submitBatches: SubmitBatchResult[] = [];
  const batches = (opts.submitBatch ?? '').split(',').filter(Boolean).map(Number);
  if (batches.length > 0) {
    const initial = tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number;
    useMode('on');
    const ms = new Map<number, number[]>(batches.map((b) => [b, []]));
    for (let s = 0; s < opts.steps + 1; s++) {
      for (const b of batches) {
        setWebGpuSubmitBatch(b);
        const t = await run('on', s);
        if (s > 0) ms.get(b)?.push(t.ms); // the first round warms each setting
      }
    }
    for (const b of batches) {
      setWebGpuSubmitBatch(b);
      const work = await countWebGpuWork(() => run('on', 0));
      submitBatches.push({ dispatchesPerSubmit: b, stepMs: median(ms.get(b) ?? []), dispatchesPerStep: work.dispatches, submitsPerStep: work.submits });
    }
    setWebGpuSubmitBatch(initial);
  }
  replica.dispose();
  replicaF16?.dispose();
  model.dispose();
  const matmuls: MatMulResult[] = [];
  for (const n of opts.matmulN.split(',').filter(Boolean).map(Number)) {
    const kernels: MatMulResult['kernel'][] = f16ComputeRefusal() === undefined ? ['stock', 'tiled', 'f16'] : ['stock', 'tiled'];
    for (const product of ['A.B', 'A.B^T', 'A^T.B'] as const) for (const k of kernels) matmuls.push(await measureMatMul(n, k, product));
  }
  useMode('on');
  const copies: CopyResult[] = [];
  for (const mb of opts.copyMb.split(',').filter(Boolean).map(Number)) copies.push(await measureCopies(mb));
  return { backend: info.name, reason: info.reason, preset: opts.preset, params: replica.layout.size, modes: results, overlap, submitBatches, matmuls, copies };
}
