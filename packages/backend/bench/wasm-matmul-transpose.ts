/**
 * wasm matMul rates before and after the transpose-first fix (a measurement, not a test).
 *
 *   npx tsx packages/backend/bench/wasm-matmul-transpose.ts        (or: npx nx run backend:bench-matmul)
 *
 * Prints a markdown table: plain A B, A B^T (the gradient layout), and a forward+backward pass
 * of sum(A B) through tf.grads, each on stock tfjs-backend-wasm and then with applyWasmFixes().
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes } from '../src/apply-wasm-fixes';
import { measureMatMulGflops } from '../src/measure-matmul';
import { registerAllGradients } from '../src/register-gradients';

const SIZES = [512, 1024];
const REPS = 3;

/** GFLOP/s of forward + backward of sum(A B): 3 matmuls of 2 n^3 flops (C, dA = dC B^T, dB = A^T dC). */
async function gradientGflops(n: number): Promise<number> {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const step = async (): Promise<void> => {
    const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([a, b]);
    await Promise.all(grads.map((g) => g.data()));
    tf.dispose(grads);
  };
  try {
    await step(); // warm-up, excluded
    const start = performance.now();
    for (let i = 0; i < REPS; i++) await step();
    return (3 * 2 * n ** 3 * REPS) / ((performance.now() - start) / 1000) / 1e9;
  } finally {
    tf.dispose([a, b]);
  }
}

async function measureAll(): Promise<Map<string, number>> {
  const rates = new Map<string, number>();
  for (const n of SIZES) {
    rates.set(`${n} A B`, await measureMatMulGflops(n, { reps: REPS }));
    rates.set(`${n} A B^T`, await measureMatMulGflops(n, { reps: REPS, transposeB: true }));
    rates.set(`${n} grads of sum(A B)`, await gradientGflops(n));
  }
  return rates;
}

async function main(): Promise<void> {
  registerAllGradients();
  await tf.setBackend('wasm');
  const before = await measureAll();
  applyWasmFixes();
  const after = await measureAll();
  const rows = [...before.keys()].map((k) => {
    const b = before.get(k)!;
    const a = after.get(k)!;
    return `| ${k} | ${b.toFixed(2)} | ${a.toFixed(2)} | ${(a / b).toFixed(1)}x |`;
  });
  process.stdout.write(
    [`wasm matMul, GFLOP/s (${REPS} reps after 1 warm-up; tfjs ${tf.version_core})`, '', '| case | stock wasm | with fixes | speed-up |', '|---|---|---|---|', ...rows, ''].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
