import { checkWorkerCount, detectLocalDevices } from './worker-count';

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
