import { describeWebGpu, stopWebGpu } from '@rewardkit/backend';
import { setLogSink } from '@rewardkit/core';
import { profileSteps } from './step-profile-run';

// The profile's submit and upload counts and the copy/backward overlap rows (issue 15, items 3-4).
describeWebGpu('step profile: submits, uploads, submit batches, overlap (tiny preset, webgpu)', () => {
  afterAll(() => {
    setLogSink(undefined);
    stopWebGpu();
  });

  it('counts submits and uploads per step, fewer submits at a larger batch, and times buffered steps with the overlap off and on', async () => {
    const r = await profileSteps({ preset: 'tiny', backend: 'webgpu', pairs: 2, steps: 1, warmup: 1, modes: 'on', copyMb: '', matmulN: '', submitBatch: '15,128', overlap: true, top: 5 });
    const [on] = r.modes;
    expect(on!.submitsPerStep).toBeGreaterThanOrEqual(1);
    expect(on!.uploadsPerStep).toBeGreaterThan(0); // token ids at least
    const [small, large] = r.submitBatches;
    expect(small!.dispatchesPerStep).toBe(large!.dispatchesPerStep);
    expect(small!.submitsPerStep).toBeGreaterThanOrEqual(Math.floor(small!.dispatchesPerStep / 15));
    expect(large!.submitsPerStep).toBeLessThan(small!.submitsPerStep);
    expect(r.overlap.map((o) => o.overlap)).toEqual([false, true]);
    for (const o of r.overlap) expect(o.stepMs > 0 && o.computeMs > 0 && o.computeMs <= o.stepMs).toBe(true);
  }, 180_000);
});
