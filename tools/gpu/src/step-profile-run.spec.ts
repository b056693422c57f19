import { describeWebGpu, stopWebGpu } from '@rewardkit/backend';
import { setLogSink } from '@rewardkit/core';
import { profileSteps } from './step-profile-run';

// The fused kernels' point, kept from regressing: the transformer reaches them (through
// @rewardkit/ops) and a training step records far fewer GPU dispatches with them than without.
describeWebGpu('step profile on webgpu (tiny preset)', () => {
  afterAll(() => {
    setLogSink(undefined);
    stopWebGpu();
  });

  it('measures fused on and off (and f16) in one process: fewer than half the dispatches, every loss finite', async () => {
    const r = await profileSteps({ preset: 'tiny', backend: 'webgpu', pairs: 2, steps: 1, warmup: 1, modes: 'on,off,f16', copyMb: '1', matmulN: '32', top: 100 });
    const [on, off, f16] = r.modes;
    expect([on?.mode, off?.mode, f16?.mode]).toEqual(['on', 'off', 'f16']);
    // f16: the tiled matMul (f16 operands) in place of tfjs's, the fused attention, and the loss scale's one read
    expect(f16!.topKernels.map((k) => k.name)).toEqual(expect.arrayContaining(['RewardkitCausalAttentionPacked', 'BatchMatMul']));
    expect(Number.isFinite(f16!.loss)).toBe(true);
    expect(on!.dispatchesPerStep).toBeGreaterThan(0);
    expect(on!.dispatchesPerStep).toBeLessThan(0.5 * off!.dispatchesPerStep);
    expect(on!.topKernels.map((k) => k.name)).toEqual(expect.arrayContaining(['RewardkitCausalAttentionPacked', 'RewardkitLayerNorm']));
    expect(off!.topKernels.map((k) => k.name)).not.toContain('RewardkitLayerNorm');
    expect(Number.isFinite(on!.loss) && Number.isFinite(off!.loss)).toBe(true);
    expect(r.matmuls).toHaveLength(9); // 3 products x (tfjs, tiled, tiled f16: lavapipe has shader-f16)
    expect(r.copies[0]?.uploadGBs).toBeGreaterThan(0);
    expect(r.copies[0]?.readGBs).toBeGreaterThan(0);
    expect(r.copies[0]?.readDataGBs).toBeGreaterThan(0);
  }, 120_000);
});
