import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { registerAllGradients } from './register-gradients';
import { countWebGpuWork, setWebGpuSubmitBatch, stopWebGpu } from './webgpu-backend';
import { registerWebGpuBtLoss } from './webgpu-bt-loss';
import { BT_LOSS_KERNEL } from './fused-kernels';
import { expectFusedMatchesReference, type FusedCase } from './fused-kernel.spec-helper';
import { describeWebGpu } from './webgpu-test-adapter';

/** @rewardkit/ops's bradleyTerryLossSumReference, in tfjs ops (the backend may not import ops). */
function reference(x: Record<string, tf.Tensor>, eps: number, margins: boolean, weights: boolean): tf.Tensor {
  let d = tf.sub(x.rChosen as tf.Tensor, x.rRejected as tf.Tensor);
  if (margins) d = tf.sub(d, x.margins as tf.Tensor);
  let l = tf.softplus(tf.neg(d));
  if (eps > 0) l = tf.add(tf.mul(l, 1 - eps), tf.mul(tf.softplus(d), eps));
  return tf.reshape(tf.sum(weights ? tf.mul(l, x.weights as tf.Tensor) : l), [1]);
}

function btCase(n: number, eps: number, margins: boolean, weights: boolean): FusedCase {
  const floats: FusedCase['floats'] = {
    rChosen: { shape: [n], scale: 6 }, // |d| up to ~12: both softplus tails
    rRejected: { shape: [n], scale: 6 },
    ...(margins ? { margins: { shape: [n] } } : {}),
    ...(weights ? { weights: { shape: [n], offset: 1 } } : {}),
  };
  // a missing input is a placeholder the kernel ignores (what the op passes)
  const ints: FusedCase['ints'] = {
    ...(margins ? {} : { margins: { shape: [1], values: [0] } }),
    ...(weights ? {} : { weights: { shape: [1], values: [0] } }),
  };
  return {
    name: `n=${n}, eps=${eps}${margins ? ', margins' : ''}${weights ? ', weights' : ''}`,
    floats,
    ints,
    kernel: BT_LOSS_KERNEL,
    attrs: { labelSmoothing: eps, hasMargins: margins, hasWeights: weights },
    reference: (x) => reference(x, eps, margins, weights),
  };
}

describeWebGpu('webgpu fused Bradley-Terry loss against the unfused reference on cpu (1e-4)', () => {
  beforeAll(async () => {
    registerAllGradients();
    await initBackend({ prefer: 'webgpu' });
    expect(tf.getKernel(BT_LOSS_KERNEL, 'webgpu')).toBeDefined();
    expect(registerWebGpuBtLoss()).toBe('fused Bradley-Terry loss');
  });
  afterAll(() => stopWebGpu());

  for (const c of [btCase(13, 0, false, false), btCase(13, 0.1, true, true), btCase(700, 0, true, false), btCase(700, 0.5, false, true), btCase(1, 0.2, true, true)]) {
    it(`forward and the gradient of every input: ${c.name}`, async () => {
      await expectFusedMatchesReference(c);
    });
  }

  it('is one dispatch forward and one backward, both reward gradients from the one', async () => {
    await tf.setBackend('webgpu');
    const [rc, rr, m, w] = [tf.randomNormal([64]), tf.randomNormal([64]), tf.randomNormal([64]), tf.randomUniform([64])].map((t) => tf.add(t, 0)); // resident on the GPU
    const attrs = { labelSmoothing: 0.1, hasMargins: true, hasWeights: true };
    const fwd = await countWebGpuWork(() => tf.dispose(tf.engine().runKernel(BT_LOSS_KERNEL, { rChosen: rc, rRejected: rr, margins: m, weights: w }, attrs) as tf.Tensor));
    expect(fwd.dispatches).toBe(1);
    const dy = tf.add(tf.ones([1]), 0);
    const bwd = await countWebGpuWork(() => tf.dispose(tf.engine().runKernel('RewardkitBradleyTerryLossGrad', { rChosen: rc, rRejected: rr, margins: m, weights: w, dy }, attrs) as tf.Tensor[]));
    expect(bwd.dispatches).toBe(1);
    tf.dispose([rc, rr, m, w, dy]);
  });

  it('runs under tf.profile (its own timed pass) and back to back past a submit batch, with the same values', async () => {
    await tf.setBackend('webgpu');
    const rc = tf.add(tf.randomNormal([300], 0, 3, 'float32', 1), 0);
    const rr = tf.add(tf.randomNormal([300], 0, 3, 'float32', 2), 0);
    const attrs = { labelSmoothing: 0, hasMargins: false, hasWeights: false };
    const ph = tf.zeros([1]);
    const grad = () => tf.engine().runKernel('RewardkitBradleyTerryLossGrad', { rChosen: rc, rRejected: rr, margins: ph, weights: ph, dy: tf.ones([1]) }, attrs) as tf.Tensor[];
    const plain = grad();
    const want = await plain[0]!.data();
    let profiled: tf.Tensor[] = [];
    const info = await tf.profile(() => void (profiled = grad()));
    expect(info.kernels.some((k) => k.name === 'RewardkitBradleyTerryLossGrad')).toBe(true);
    expect(await profiled[0]!.data()).toEqual(want);
    // 40 dispatches with a submit every 15: runRawProgram itself ends the pass and submits twice
    // (the default batch, 128, would never reach that branch here)
    const batch = tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number;
    setWebGpuSubmitBatch(15);
    let many: tf.Tensor[][] = [];
    try {
      const work = await countWebGpuWork(() => void (many = Array.from({ length: 40 }, grad)));
      expect(work).toMatchObject({ dispatches: 40, submits: 2 });
    } finally {
      setWebGpuSubmitBatch(batch);
    }
    for (const i of [0, 14, 15, 39]) {
      expect(await many[i]![0]!.data()).toEqual(want);
      expect(await many[i]![1]!.data()).toEqual(await plain[1]!.data());
    }
    tf.dispose([rc, rr, ph, ...plain, ...profiled, ...many.flat()]);
  });

  it('refuses smoothing outside [0, 0.5] and a weights input of the wrong length', async () => {
    await tf.setBackend('webgpu');
    const [a, b, short] = [tf.zeros([4]), tf.zeros([4]), tf.zeros([3])];
    expect(() => tf.engine().runKernel(BT_LOSS_KERNEL, { rChosen: a, rRejected: b, margins: a, weights: a }, { labelSmoothing: 0.7, hasMargins: false, hasWeights: false })).toThrow(
      /labelSmoothing 0.7 is outside \[0, 0.5\]/,
    );
    expect(() => tf.engine().runKernel(BT_LOSS_KERNEL, { rChosen: a, rRejected: b, margins: a, weights: short }, { labelSmoothing: 0, hasMargins: false, hasWeights: true })).toThrow(
      /input weights has shape \[3\], expected \[4\]/,
    );
    tf.dispose([a, b, short]);
  });
});
