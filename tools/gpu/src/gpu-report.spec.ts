import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectReport, formatReport } from './gpu-report';

/** Pieces as gpu-check.sh leaves them: a webgpu bench, two torch modes, one failed and one skipped step. */
function pieces(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-report-'));
  const w = (f: string, s: string) => fs.writeFileSync(path.join(dir, f), s);
  w('steps.jsonl', ['{"step":"adapter","rc":0,"seconds":2}', '{"step":"bench-mid","rc":124,"seconds":90}', '{"step":"workers","rc":-1,"seconds":0,"skipped":true}'].join('\n') + '\n');
  w('adapter.json', JSON.stringify({ name: 'adapter', backend: 'webgpu', reason: 'hardware adapter "H200"' }));
  w('kernels.json', JSON.stringify({ name: 'kernel-check', backend: 'webgpu', passed: 19, failed: 0 }));
  const row = (store: string, pairsPerSec: number, lossLast: number | null) =>
    ({ model: 'transformer:small', params: 3710208, pairs: 16, store, 'ms/step': 16000 / pairsPerSec, 'pairs/s': pairsPerSec, 'loss last': lossLast });
  // the host-store file sorts first: the summary must still take the device row
  w('bench-small-host.json', JSON.stringify({ preset: 'small', backend: 'webgpu', rows: [row('host', 40, 0.1)] }));
  w('bench-small.json', JSON.stringify({ preset: 'small', backend: 'webgpu', rows: [row('device', 80, 0.1)] }));
  w('bench-big.json', JSON.stringify({ preset: 'big', backend: 'webgpu', rows: [{ ...row('device', 2, null), model: 'transformer:big', params: 1e8 }] }));
  const mode = (fused: boolean, stepMs: number, dispatches: number, kernelMs?: number) =>
    ({ fused, stepMs, pairsPerSec: 16000 / stepMs, dispatchesPerStep: dispatches, submitsPerStep: Math.ceil(dispatches / 128), uploadsPerStep: 12, kernelCallsPerStep: dispatches, kernelMs, wallOverKernel: kernelMs ? stepMs / kernelMs : undefined });
  const overlap = [{ overlap: false, stepMs: 120, computeMs: 110 }, { overlap: true, stepMs: 105, computeMs: 95 }];
  const submitBatches = [{ dispatchesPerSubmit: 15, stepMs: 130, dispatchesPerStep: 1200, submitsPerStep: 80 }, { dispatchesPerSubmit: 128, stepMs: 100, dispatchesPerStep: 1200, submitsPerStep: 10 }];
  w('profile-small.json', JSON.stringify({ preset: 'small', params: 3710208, modes: [mode(true, 100, 1200, 80), mode(false, 200, 3000)], overlap, submitBatches, matmuls: [{ n: 4096, kernel: 'stock', product: 'A.B', tflops: 9.2 }, { n: 4096, kernel: 'tiled', product: 'A.B', tflops: 21.5 }], copies: [{ mb: 64, uploadGBs: 1.5, readGBs: 1.25, readDataGBs: 1.05 }] }));
  w('gpu-workers.json', JSON.stringify({ preset: 'mid', workerRows: [{ workers: 2, 'ms/step': 1360, 'pairs/s': 11.77, 'speed-up vs 1 worker': 0.83, 'allreduce ms': 212, 'allreduce share': 0.156 }] }));
  w('host.json', JSON.stringify({ hostname: 'h', cores: 16, nvidia_smi: 'GPU 0: NVIDIA H200 (UUID: x);', quick: 0 }));
  w('torch.jsonl', ['not json', JSON.stringify({ impl: 'pytorch-cuda-fp32', preset: 'small', pairs: 16, pairs_s: 2800, params: 3710208 }), JSON.stringify({ impl: 'pytorch-cuda-bf16', preset: 'small', pairs_s: 3100 })].join('\n'));
  return dir;
}

describe('gpu-report', () => {
  it('pairs each preset with the PyTorch modes and says what failed and what was skipped', () => {
    const dir = pieces();
    try {
      const r = collectReport(dir);
      expect(r.summary.find((x) => x.preset === 'small')).toEqual({
        preset: 'small',
        params: 3710208,
        pairs: 16,
        'webgpu pairs/s': 80,
        'webgpu ms/step': 200,
        store: 'device',
        'webgpu loss finite': true,
        'webgpu host-store pairs/s': 40,
        'torch fp32': 2800,
        'torch tf32': undefined,
        'torch bf16': 3100,
        'fp32 / webgpu': 35,
      });
      expect(r.summary.find((x) => x.preset === 'big')?.['webgpu loss finite']).toBe(false);
      const text = formatReport(r);
      expect(text).toContain('| small | 3.7M | 16 | 80.0 | 200 | 40.0 | 2800 | - | 3100 | 35.0x |');
      expect(text).toContain('| big | 100.0M | 16 | 2.0 (loss NaN: failed) |');
      expect(text).toContain('| 2 | 2.0 | mid | 1360 | 11.77 | 0.83 | 212 | 15.6% |'); // two processes on the one GPU
      expect(text).toContain('steps: 2 run, 1 failed: bench-mid (rc 124: timed out); skipped for time: workers');
      expect(text).toContain('kernel check: 19 passed, 0 failed');
      // fused on and off side by side; no timestamp queries: no kernel time, no ratio
      expect(text).toContain('| small | on | 100 | 160 | 1200 | 10 | 12 | 1200 | 80.0 | 1.25 |');
      expect(text).toContain('| small | off | 200 | 80.00 | 3000 | 24 | 12 | 3000 | - | - |');
      expect(text).toContain('| | small | 15 | 130 | 1200 | 80 |');
      expect(text).toContain('| | small | on | 105 | 95.0 |');
      expect(text).toContain('| 64 | 1.50 | 1.25 | 1.05 |');
      expect(text).toContain('| 4096 | A.B | 9.20 | 21.50 |');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
