import { EarlyStop } from './early-stop';

const run = (tracker: EarlyStop, values: number[], metric = 'eval_loss') => values.map((v, i) => tracker.observe(10 * (i + 1), { [metric]: v }));

describe('EarlyStop', () => {
  it('eval_loss: keeps the lowest, stops after `patience` evaluations without improvement', () => {
    const t = new EarlyStop({ metric: 'eval_loss', patience: 2, minDelta: 0 });
    const verdicts = run(t, [0.7, 0.65, 0.66, 0.64, 0.64, 0.7]);
    expect(verdicts.map((v) => v.improved)).toEqual([true, true, false, true, false, false]);
    expect(verdicts.map((v) => v.stop)).toEqual([false, false, false, false, false, true]);
    expect(t.state).toEqual({ best: 0.64, bestStep: 40, sinceBest: 2, evaluations: 6, lastStep: 60 });
    expect(t.stopped).toBe(true);
    expect(t.describe(60, true)).toBe(
      'the checkpoint of step 40, best held-out eval_loss (0.6400) of 6 evaluation(s); training stopped at step 60 after 2 evaluation(s) without improvement',
    );
  });

  it('accuracy improves upwards; minDelta ignores small gains', () => {
    const t = new EarlyStop({ metric: 'accuracy', patience: 3, minDelta: 0.01 });
    expect(run(t, [0.5, 0.505, 0.52, 0.4], 'accuracy').map((v) => v.improved)).toEqual([true, false, true, false]);
    expect(t.bestStep).toBe(30);
  });

  it('a repeated evaluation of a step is not counted again', () => {
    const t = new EarlyStop({ metric: 'eval_loss', patience: 1, minDelta: 0 });
    t.observe(10, { eval_loss: 0.5 });
    expect(t.observe(10, { eval_loss: 0.9 })).toEqual({ improved: false, stop: false });
    expect(t.state.evaluations).toBe(1);
  });

  it('restores its state, and refuses a damaged one or a missing metric', () => {
    const a = new EarlyStop({ metric: 'eval_loss', patience: 2, minDelta: 0 });
    run(a, [0.7, 0.6, 0.65]);
    const b = new EarlyStop(a.cfg);
    b.restore(JSON.parse(JSON.stringify(a.state)));
    expect(b.observe(40, { eval_loss: 0.66 })).toEqual({ improved: false, stop: true });
    b.restore(undefined);
    expect(b.state.evaluations).toBe(0);
    expect(() => b.restore({ best: 1 })).toThrow(/early-stopping state is damaged/);
    expect(() => b.observe(10, { accuracy: 1 })).toThrow(/no finite "eval_loss"/);
  });
});
