/**
 * The GPU check's kernel test, run from the offline bundle (`node bin/kernel-check.cjs`), not jest:
 * forward values and gradients of every op the models and the loss use, then a whole model's
 * loss and gradients (tiny transformer, bag model), on `--backend` (default webgpu) against the
 * pure-JS cpu backend, as relative error max|a - b| / max|b|. Exits 1 when any case exceeds its
 * tolerance, 2 when the backend does not start.
 *   node bin/kernel-check.cjs [--backend webgpu] [--out kernels.json]
 *   node bin/kernel-check.cjs --adapter [--out adapter.json]   # only start the backend and say which adapter
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@rewardkit/backend';
import type { BackendPreference } from '@rewardkit/core';
import { lossInput, type RewardModel } from '@rewardkit/core';
import { biasGelu, causalAttention, layerNorm as opsLayerNorm, logSigmoid } from '@rewardkit/ops';
import { createShippedRegistry } from '@rewardkit/runtime';

/** Inputs as plain arrays, so the same numbers are uploaded to each backend. */
interface Input {
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32';
  readonly values: Float32Array | Int32Array;
}

interface OpCase {
  readonly name: string;
  readonly inputs: readonly Input[];
  /** Which inputs get gradients (float inputs by default). */
  readonly wrt?: readonly number[];
  readonly fn: (...x: tf.Tensor[]) => tf.Tensor;
}

/** A case's numbers on one backend: the forward output, then one gradient per `wrt` input. */
type Result = Float32Array[];

export interface CaseReport {
  readonly name: string;
  readonly kind: 'op' | 'model';
  readonly forwardRelErr: number;
  readonly gradRelErr: number;
  readonly tolerance: number;
  readonly pass: boolean;
}

let seed = 12345;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const f32 = (shape: number[], scale = 1): Input => ({ shape, dtype: 'float32', values: Float32Array.from({ length: size(shape) }, () => (2 * rnd() - 1) * scale) });
const ids = (shape: number[], vocab: number): Input => ({ shape, dtype: 'int32', values: Int32Array.from({ length: size(shape) }, () => Math.floor(rnd() * vocab)) });
const ints = (values: number[]): Input => ({ shape: [values.length], dtype: 'int32', values: Int32Array.from(values) });

const C = Math.sqrt(2 / Math.PI);
function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

/** The ops of gpt2-forward.ts, the bag model and the Bradley-Terry loss, at small shapes. */
function opCases(): OpCase[] {
  return [
    { name: 'matMul', inputs: [f32([33, 65]), f32([65, 17])], fn: (a, b) => tf.matMul(a, b) },
    { name: 'matMul A.B^T', inputs: [f32([33, 65]), f32([17, 65])], fn: (a, b) => tf.matMul(a, b, false, true) },
    { name: 'matMul A^T.B', inputs: [f32([65, 33]), f32([65, 17])], fn: (a, b) => tf.matMul(a, b, true, false) },
    { name: 'batched matMul (attention)', inputs: [f32([6, 24, 16]), f32([6, 24, 16])], fn: (q, k) => tf.matMul(q, k, false, true) },
    { name: 'dense + bias', inputs: [f32([40, 32]), f32([32, 96]), f32([96])], fn: (x, w, b) => tf.add(tf.matMul(x, w), b) },
    { name: 'add/sub/mul/div broadcast', inputs: [f32([8, 16, 32]), f32([32]), f32([16, 1], 0.5)], fn: (a, b, c) => tf.div(tf.mul(tf.sub(tf.add(a, b), c), b), tf.add(tf.abs(c), 1)) },
    { name: 'gather (embedding)', inputs: [f32([100, 32]), ids([57], 100)], wrt: [0], fn: (w, i) => tf.gather(w, i) },
    { name: 'unsortedSegmentSum', inputs: [f32([57, 32]), ids([57], 20)], wrt: [0], fn: (x, s) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 20) },
    { name: 'reshape + transpose (heads)', inputs: [f32([2, 12, 3, 4, 8])], fn: (x) => tf.transpose(x, [2, 0, 3, 1, 4]) },
    { name: 'softmax (masked logits)', inputs: [f32([4, 2, 12, 12], 3), f32([12, 12])], wrt: [0], fn: (x, m) => tf.softmax(tf.add(x, tf.mul(tf.step(m), -1e9)), -1) },
    { name: 'layerNorm (moments, rsqrt)', inputs: [f32([40, 64], 2), f32([64]), f32([64])], fn: layerNorm },
    { name: 'gelu_new (tanh)', inputs: [f32([40, 64], 3)], fn: (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), C)), 1)) },
    { name: 'gelu (erf)', inputs: [f32([40, 64], 3)], fn: (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) },
    { name: 'sigmoid, square, sqrt', inputs: [f32([500], 4)], fn: (x) => tf.add(tf.sigmoid(x), tf.sqrt(tf.add(tf.square(x), 1))) },
    { name: 'logSigmoid (ops)', inputs: [f32([300], 20)], fn: (x) => logSigmoid(x) },
    { name: 'slice + concat', inputs: [f32([16, 32])], fn: (x) => tf.concat([tf.slice(x, [8, 0], [8, 32]), tf.pad(tf.slice(x, [0, 4], [8, 28]), [[0, 0], [0, 4]])], 0) },
    { name: 'sum / mean', inputs: [f32([8, 33, 16])], fn: (x) => tf.add(tf.sum(x, 1), tf.mean(x, 1)) },
    // @rewardkit/ops's fused ops: one kernel each on webgpu (unless REWARDKIT_FUSED_KERNELS=0), the reference on cpu
    {
      name: 'causal attention (ops, fused on webgpu)',
      inputs: [f32([36, 128], 2), f32([36, 128], 2), f32([36, 128]), ints([12, 7, 1])],
      wrt: [0, 1, 2],
      fn: (q, k, v, l) => causalAttention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, l as tf.Tensor1D, { width: 12, heads: 2 }),
    },
    { name: 'layer norm (ops, fused on webgpu)', inputs: [f32([40, 768], 2), f32([768]), f32([768])], fn: (x, g, b) => opsLayerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5) },
    { name: 'bias + gelu_new (ops, fused on webgpu)', inputs: [f32([40, 96], 3), f32([96])], fn: (x, b) => biasGelu(x as tf.Tensor2D, b as tf.Tensor1D, 'gelu_new') },
    { name: 'bias + gelu erf (ops, fused on webgpu)', inputs: [f32([40, 96], 3), f32([96])], fn: (x, b) => biasGelu(x as tf.Tensor2D, b as tf.Tensor1D, 'gelu') },
  ];
}

function upload(input: Input): tf.Tensor {
  return tf.tensor(input.values, input.shape, input.dtype);
}

/** Forward output and gradients (for a fixed random cotangent) of one case on the active backend. */
async function runCase(c: OpCase): Promise<Result> {
  const wrt = c.wrt ?? c.inputs.map((_, i) => i).filter((i) => c.inputs[i].dtype === 'float32');
  const xs = c.inputs.map(upload);
  const out = tf.tidy(() => c.fn(...xs));
  const dySeed = seed;
  seed = 777; // the same cotangent on every backend
  const dy = tf.tensor(f32(out.shape as number[]).values, out.shape);
  seed = dySeed;
  const grads = tf.tidy(() => {
    const f = (...w: tf.Tensor[]) => c.fn(...xs.map((x, i) => (wrt.includes(i) ? w[wrt.indexOf(i)] : x)));
    return tf.grads(f)(wrt.map((i) => xs[i]), dy);
  });
  const result = [await out.data(), ...(await Promise.all(grads.map((g) => g.data())))].map((d) => Float32Array.from(d as ArrayLike<number>));
  tf.dispose([...xs, out, dy, ...grads]);
  return result;
}

/** Loss sum and every parameter gradient of a model on a fixed batch, with weights set from `theta`. */
async function runModel(name: 'transformer' | 'bag-of-embeddings', theta?: Float32Array[]): Promise<{ result: Result; theta: Float32Array[] }> {
  const registry = createShippedRegistry();
  const config = name === 'transformer' ? { preset: 'tiny' } : {};
  const vocab = 512;
  const model = registry.create('model', name, config, { vocabSize: vocab, padId: 0, eosId: vocab - 1, seed: 1 }) as RewardModel;
  const loss = registry.create('loss', 'bradley-terry', {}, undefined);
  if (theta) model.parameters.forEach((p, i) => p.variable.assign(tf.tensor(theta[i], p.variable.shape)));
  const mine = await Promise.all(model.parameters.map(async (p) => Float32Array.from(await p.variable.data())));
  // 4 pairs of lengths 9..32, EOS last; rows [0, 4) chosen, [4, 8) rejected
  seed = 4242;
  const rows = 8;
  const width = 32;
  const idsArr = new Int32Array(rows * width);
  const lengths = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    lengths[r] = 9 + Math.floor(rnd() * (width - 8));
    for (let t = 0; t < lengths[r] - 1; t++) idsArr[r * width + t] = 1 + Math.floor(rnd() * (vocab - 2));
    idsArr[r * width + lengths[r] - 1] = vocab - 1;
  }
  const batch = { ids: idsArr, lengths, promptLengths: new Int32Array(rows).fill(4), rows, width };
  const { value, grads } = tf.variableGrads(() => {
    const r = model.score(batch, { training: false }) as tf.Tensor1D;
    const n = rows / 2; // rows (2i, 2i + 1) are pair i
    const units = { offsets: Int32Array.from({ length: n + 1 }, (_, i) => 2 * i), ranks: Int32Array.from({ length: rows }, (_, i) => i % 2) };
    return loss(lossInput(r, { ...units, margins: new Float32Array(n), strengths: new Float32Array(n) })).lossSum as tf.Scalar;
  }, model.parameters.map((p) => p.variable));
  // one flat gradient: a parameter whose gradient is exactly zero in exact arithmetic (the frozen
  // key bias) holds only rounding residue, which has no meaningful error relative to itself
  const flat = await tf.concat(model.parameters.map((p) => tf.reshape(grads[p.variable.name], [-1]))).data();
  const result = [Float32Array.from(await value.data()), Float32Array.from(flat)];
  tf.dispose([value, ...Object.values(grads)]);
  model.dispose();
  return { result, theta: mine };
}

function relErr(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  if (!Number.isFinite(diff)) return Infinity;
  return diff / Math.max(scale, 1e-6);
}

function compare(name: string, kind: 'op' | 'model', got: Result, want: Result, tolerance: number): CaseReport {
  const forwardRelErr = relErr(got[0], want[0]);
  const gradRelErr = Math.max(0, ...got.slice(1).map((g, i) => relErr(g, want[i + 1])));
  return { name, kind, forwardRelErr, gradRelErr, tolerance, pass: forwardRelErr <= tolerance && gradRelErr <= tolerance };
}

function args(): { backend: string; out?: string; adapter: boolean; opTolerance: number; modelTolerance: number } {
  const a = process.argv.slice(2);
  const get = (flag: string) => {
    const i = a.indexOf(flag);
    return i >= 0 ? a[i + 1] : undefined;
  };
  return { backend: get('--backend') ?? 'webgpu', out: get('--out'), adapter: a.includes('--adapter'), opTolerance: Number(get('--op-tolerance') ?? 1e-4), modelTolerance: Number(get('--model-tolerance') ?? 1e-3) };
}

function writeJson(file: string | undefined, body: Record<string, unknown>): void {
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), ...body }, null, 2) + '\n');
}

/** Starts the backend and reports it (the log line names the adapter, vendor, limits). */
async function adapterOnly(opts: ReturnType<typeof args>): Promise<number> {
  try {
    const b = await initBackend({ prefer: opts.backend as BackendPreference, gpu: true });
    process.stdout.write(`backend ${b.name}: ${b.reason}\n`);
    writeJson(opts.out, { name: 'adapter', backend: b.name, reason: b.reason, fixes: b.fixes });
    return 0;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    process.stdout.write(`backend '${opts.backend}' did not start: ${reason}\n`);
    writeJson(opts.out, { name: 'adapter', backend: null, reason });
    return 2;
  }
}

async function main(): Promise<number> {
  const opts = args();
  if (opts.adapter) return adapterOnly(opts);
  const t0 = performance.now();
  // reference numbers on cpu
  await initBackend({ prefer: 'cpu' });
  seed = 12345;
  const cases = opCases();
  const want: Result[] = [];
  for (const c of cases) want.push(await runCase(c));
  const models = ['transformer', 'bag-of-embeddings'] as const;
  const wantModels = [];
  for (const m of models) wantModels.push(await runModel(m));

  let backend;
  try {
    backend = await initBackend({ prefer: opts.backend as BackendPreference, gpu: true });
  } catch (err) {
    process.stderr.write(`kernel-check: backend '${opts.backend}' did not start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const reports: CaseReport[] = [];
  for (let i = 0; i < cases.length; i++) reports.push(compare(cases[i].name, 'op', await runCase(cases[i]), want[i], opts.opTolerance));
  for (let i = 0; i < models.length; i++) {
    const got = await runModel(models[i], wantModels[i].theta);
    reports.push(compare(`${models[i]} loss + all gradients`, 'model', got.result, wantModels[i].result, opts.modelTolerance));
  }
  const e = (x: number) => x.toExponential(1);
  const w = Math.max(...reports.map((r) => r.name.length));
  process.stdout.write(`kernel check: ${backend.name} vs cpu (${backend.reason})\n`);
  for (const r of reports) process.stdout.write(`  ${r.pass ? 'ok  ' : 'FAIL'} ${r.name.padEnd(w)}  forward ${e(r.forwardRelErr)}  grad ${e(r.gradRelErr)}  (tol ${e(r.tolerance)})\n`);
  const failed = reports.filter((r) => !r.pass).length;
  process.stdout.write(`${reports.length - failed} passed, ${failed} failed in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  writeJson(opts.out, { name: 'kernel-check', backend: backend.name, reason: backend.reason, passed: reports.length - failed, failed, reports });
  return failed ? 1 : 0;
}

// Exit explicitly: a Dawn (webgpu) process has been seen to hang at exit.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kernel-check: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
