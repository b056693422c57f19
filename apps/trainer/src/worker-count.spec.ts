import { autoWorkerCount, checkWorkerCount, detectLocalDevices, MIN_PAIRS_PER_WORKER } from './worker-count';

describe('checkWorkerCount', () => {
  it('lets 4 workers run on a 2-core machine without a GPU (the headline --gpus=4)', () => {
    expect(() => checkWorkerCount(4, { cores: 2, gpus: 0 })).not.toThrow();
    expect(() => checkWorkerCount(8, { cores: 2, gpus: 0 })).not.toThrow();
  });

  it('refuses more than 4 workers per core, naming the cores and the way out', () => {
    expect(() => checkWorkerCount(1000, { cores: 2, gpus: 0 })).toThrow(
      /--gpus=1000: this machine has 0 GPU\(s\) the workers can use and 2 CPU core\(s\); .* more than 4 per CPU core \(at most 8 here\).*--oversubscribe/,
    );
    expect(() => checkWorkerCount(9, { cores: 2, gpus: 0 })).toThrow(/at most 8/);
  });

  it('counts per GPU when the workers run on GPUs', () => {
    expect(() => checkWorkerCount(4, { cores: 64, gpus: 1 })).not.toThrow();
    expect(() => checkWorkerCount(5, { cores: 64, gpus: 1 })).toThrow(/1 GPU\(s\) .* 64 CPU core\(s\); .* more than 4 per GPU \(at most 4 here\)/);
    expect(() => checkWorkerCount(32, { cores: 64, gpus: 8 })).not.toThrow();
  });

  it('starts them anyway when told to oversubscribe', () => {
    expect(() => checkWorkerCount(1000, { cores: 2, gpus: 0 }, true)).not.toThrow();
  });

  it('counts no GPU for a CPU backend', () => {
    expect(detectLocalDevices('cpu').gpus).toBe(0);
    expect(detectLocalDevices('wasm').cores).toBeGreaterThanOrEqual(1);
  });
});

describe('autoWorkerCount', () => {
  it('keeps a light step (the bag model, ~0.01 GFLOP) in one worker on any number of cores', () => {
    expect(autoWorkerCount({ cores: 2, gpus: 0 }, { pairs: 32, gflop: 0.01 }).workers).toBe(1);
    expect(autoWorkerCount({ cores: 64, gpus: 0 }, { pairs: 32, gflop: 0.01 }).workers).toBe(1);
  });

  it('splits a heavy step (the default transformer, ~6 GFLOP) over the cores, each worker keeping MIN_PAIRS_PER_WORKER pairs', () => {
    expect(autoWorkerCount({ cores: 2, gpus: 0 }, { pairs: 32, gflop: 6.4 })).toEqual({ workers: 2, reason: expect.stringMatching(/~6\.4 GFLOP on 2 CPU core\(s\), limited by the cores/) });
    expect(autoWorkerCount({ cores: 16, gpus: 0 }, { pairs: 32, gflop: 6.4 })).toEqual({ workers: 4, reason: expect.stringMatching(/limited by at least 8 of the 32 pairs/) });
    expect(autoWorkerCount({ cores: 16, gpus: 0 }, { pairs: 64, gflop: 3.5 })).toEqual({ workers: 3, reason: expect.stringMatching(/at least 1 GFLOP of each step per worker/) });
    expect(autoWorkerCount({ cores: 1, gpus: 0 }, { pairs: 32, gflop: 6.4 }).workers).toBe(1);
  });

  it(`gives each GPU a worker, no more than one per ${MIN_PAIRS_PER_WORKER} pairs, without needing the step's cost`, () => {
    expect(autoWorkerCount({ cores: 2, gpus: 4 }, { pairs: 32 }).workers).toBe(4);
    expect(autoWorkerCount({ cores: 2, gpus: 8 }, { pairs: 16 })).toEqual({ workers: 2, reason: expect.stringMatching(/one per GPU \(8 found\), limited by/) });
  });

  it('runs one worker on the CPU when the step cost is unknown', () => {
    expect(autoWorkerCount({ cores: 8, gpus: 0 }, { pairs: 32 }).workers).toBe(1);
  });
});
