import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './errors';
import { mergeConfig, parseRunConfig, readRunConfigFile } from './run-config';

describe('run config', () => {
  it('fills defaults for an empty config', () => {
    const cfg = parseRunConfig({});
    expect(cfg.model.name).toBe('bag-of-embeddings');
    expect(cfg.loss.name).toBe('bradley-terry');
    expect(cfg.train.batchSize).toBeGreaterThan(0);
    expect(cfg.gpus).toBe(1);
  });

  it('names every bad field in one error', () => {
    let err: unknown;
    try {
      parseRunConfig({ train: { lr: 'fast', steps: -1 }, gpus: 0, bogus: true }, 'my.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^my\.json is invalid/);
    expect(msg).toMatch(/train\.lr: .*expected number/);
    expect(msg).toMatch(/train\.steps: /);
    expect(msg).toMatch(/gpus: /);
    expect(msg).toMatch(/bogus/);
  });

  it('leaves the step count to the data unless given, and fills early stopping defaults when asked for', () => {
    const cfg = parseRunConfig({});
    expect(cfg.train.steps).toBeUndefined();
    expect(cfg.train.epochs).toBe(10.98);
    expect(cfg.train.earlyStop).toBeUndefined();
    expect(parseRunConfig({ train: { earlyStop: {} } }).train.earlyStop).toEqual({ metric: 'eval_loss', patience: 3, minDelta: 0 });
    expect(() => parseRunConfig({ train: { epochs: 0 } })).toThrow(/train\.epochs/);
    expect(() => parseRunConfig({ train: { earlyStop: { patience: 0, metric: 'loss' } } })).toThrow(/train\.earlyStop\.metric: .*eval_loss[\s\S]*train\.earlyStop\.patience: /);
  });

  it('rejects an unknown backend', () => {
    expect(() => parseRunConfig({ backend: 'tpu' })).toThrow(/backend/);
  });

  it('merges layers: later wins, nested objects merge, arrays replace', () => {
    const merged = mergeConfig<Record<string, unknown>>(
      { train: { lr: 1, steps: 2 }, plugins: ['a'] },
      { train: { lr: 3 }, plugins: ['b'] },
      { out: 'x' },
    );
    expect(merged).toEqual({ train: { lr: 3, steps: 2 }, plugins: ['b'], out: 'x' });
  });

  it('reports unreadable and malformed config files with their name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-cfg-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{ "train": ');
    expect(() => readRunConfigFile(bad)).toThrow(new RegExp(`config file ${bad} is not valid JSON`));
    expect(() => readRunConfigFile(path.join(dir, 'missing.json'))).toThrow(/cannot read config file .*missing\.json/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
