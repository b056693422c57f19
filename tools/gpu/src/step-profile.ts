/**
 * The GPU check's step profile (`node bin/step-profile.cjs`, or `tsx tools/gpu/src/step-profile.ts`):
 * where a transformer training step's time goes on webgpu, with the fused kernels on and off in
 * the same process and on the same batches, so before/after comes from one run:
 *   - step wall time (median of --steps timed steps through Replica.trainStep, after --warmup);
 *   - GPU dispatches per step (every program tfjs-webgpu records, ours included) and tfjs kernel calls;
 *   - summed GPU kernel time of one profiled step (timestamp queries; absent where the adapter has
 *     none), the ratio wall / kernel time, and the kernels taking the most time;
 *   - host<->GPU copy rates: upload (tensor from a Float32Array, made resident) and read-back
 *     (readTensorInto, the trainer's path: reused staging buffers straight into a host array; and
 *     tfjs's `await data()` beside it), GB/s each way, per size.
 *   - queue submits per step, and with --submit-batch the step time and submits at each setting of
 *     dispatches per submit (tfjs's WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE; webgpu-backend.ts sets ours);
 *   - with --overlap, buffered steps (the gradient read back, as with several workers) with the
 *     copy/backward overlap (engine gradient-overlap.ts) off and on;
 *   - plain matMul TFLOP/s with tfjs's kernel and with the opt-in tiled one (webgpu-tiled-matmul.ts),
 *     A.B, A.B^T and A^T.B at each --matmul-n.
 * Modes alternate step by step, so drift in a shared machine's speed hits all alike: `on` (fused
 * kernels), `off` (tfjs ops only), `tiled` (fused kernels and the tiled matMul), `f16` (fused
 * kernels, f16 compute and loss scaling, as `train.precision=f16`; where the adapter has shader-f16).
 * The matMul rows add the tiled kernel with f16 operands where the adapter has shader-f16.
 *   node bin/step-profile.cjs [--preset tiny|small|mid|gpt2-small] [--backend webgpu] [--pairs N]
 *        [--steps 3] [--warmup 1] [--modes on,off,tiled] [--copy-mb 16,64,256] [--matmul-n 1024,4096] [--submit-batch 15,128,1024] [--overlap]
 *        [--top 12] [--out FILE]
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { TRANSFORMER_PRESET_NAMES } from '@rewardkit/model-transformer';
import { profileSteps, type StepProfileOptions } from './step-profile-run';

const int = (v: string) => Number.parseInt(v, 10);

function print(r: Awaited<ReturnType<typeof profileSteps>>): void {
  const f = (v: number | undefined, d = 1) => (v === undefined ? '-' : v.toFixed(d));
  const lines = [`step profile: ${r.preset} (${(r.params / 1e6).toFixed(1)}M parameters) on ${r.backend}`, 'mode  | step ms | pairs/s | dispatches | submits | uploads | tfjs kernels | GPU kernel ms | wall/kernel | loss (its last step)'];
  for (const m of r.modes) {
    lines.push(`${m.mode.padEnd(5)} | ${f(m.stepMs)} | ${f(m.pairsPerSec, 2)} | ${m.dispatchesPerStep} | ${m.submitsPerStep} | ${m.uploadsPerStep} | ${m.kernelCallsPerStep} | ${f(m.kernelMs)} | ${f(m.wallOverKernel, 2)} | ${m.loss.toFixed(4)}`);
  }
  for (const o of r.overlap) lines.push(`buffered step (read back, as with several workers), copy/backward overlap ${o.overlap ? 'on' : 'off'}: ${f(o.stepMs)} ms, gradient on the host + update ${f(o.computeMs)} ms`);
  for (const b of r.submitBatches) lines.push(`submit batch ${b.dispatchesPerSubmit} (fused on): ${f(b.stepMs)} ms a step, ${b.dispatchesPerStep} dispatches in ${b.submitsPerStep} submits`);
  for (const m of r.modes) lines.push(`top kernels, ${m.mode}: ${m.topKernels.map((k) => `${k.name} x${k.calls} ${k.ms.toFixed(1)} ms`).join('; ')}`);
  for (const m of r.matmuls) lines.push(`matMul ${m.n} ${m.product} ${m.kernel}: ${(m.tflops * 1000).toFixed(1)} GFLOP/s`);
  for (const c of r.copies) lines.push(`copies ${c.mb} MB: upload ${c.uploadGBs.toFixed(2)} GB/s, read-back ${c.readGBs.toFixed(2)} GB/s (tfjs data(): ${c.readDataGBs.toFixed(2)})`);
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<number> {
  const opts = new Command('step-profile')
    .addOption(new Option('--preset <name>', 'transformer preset').choices(TRANSFORMER_PRESET_NAMES).default('tiny'))
    .option('--backend <name>', 'tensor backend', 'webgpu')
    .option('--pairs <n>', "pairs per step (default: the preset's reference)", int)
    .option('--steps <n>', 'timed steps per mode', int, 3)
    .option('--warmup <n>', 'untimed steps per mode first (shader compilation)', int, 1)
    .option('--modes <modes>', 'on (fused kernels), off (tfjs ops), tiled (fused + tiled matMul), f16 (fused + f16 compute + loss scale), in order', 'on,off,tiled')
    .option('--copy-mb <sizes>', 'host<->GPU copy sizes in MB (empty: none)', '16,64')
    .option('--matmul-n <sizes>', 'plain n x n matMul sizes, stock vs tiled kernel (empty: none)', '')
    .option('--overlap', 'also time buffered steps with the copy/backward overlap off and on', false)
    .option('--submit-batch <sizes>', 'dispatches per submit to compare, fused kernels on (empty: none)', '')
    .option('--top <n>', 'kernels listed per mode', int, 12)
    .option('--out <file>', 'JSON results')
    .parse()
    .opts<StepProfileOptions>();
  const r = await profileSteps(opts);
  print(r);
  if (opts.out) {
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(opts.out, JSON.stringify({ name: 'step-profile', date: new Date().toISOString(), ...r }, null, 2) + '\n');
  }
  return 0;
}

// Exit explicitly: a Dawn (webgpu) process has been seen to hang at exit.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`step-profile: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
