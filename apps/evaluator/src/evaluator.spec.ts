import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '@rewardkit/backend';
import { exportModelDir } from '@rewardkit/engine';
import { createShippedRegistry } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { runApp } from '@rewardkit/testing';

describe('evaluator CLI', () => {
  let dir: string;
  let modelDir: string;
  let heldOut: string;
  let trainedAccuracy: number;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-eval-'));
    heldOut = path.join(dir, 'held-out.jsonl');
    fs.writeFileSync(heldOut, fs.readFileSync(hhRlhf.test, 'utf8').split('\n').slice(0, 80).join('\n') + '\n');
    const trained = runApp('trainer', ['launch', '--out', path.join(dir, 'run'), '--eval', heldOut, '--steps', '30', '--eval-every', '0']);
    expect(trained.status).toBe(0);
    trainedAccuracy = Number(/held-out accuracy: ([\d.]+)/.exec(trained.stdout)![1]);
    modelDir = path.join(dir, 'run', 'final');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints held-out accuracy and, with --json, ends stdout with one JSON object', () => {
    const res = runApp('evaluator', ['--model', modelDir, '--data', heldOut, '--json']);
    expect(res.status).toBe(0);
    const last = res.stdout.trim().split('\n').at(-1)!;
    const report = JSON.parse(last);
    expect(report).toEqual(expect.objectContaining({ n: 80, ties: expect.any(Number), mean_margin: expect.any(Number) }));
    // the evaluator re-scores the exported model: it must agree with the trainer's own evaluation
    expect(report.accuracy.toFixed(4)).toBe(trainedAccuracy.toFixed(4));
    expect(res.stdout).toMatch(/^held-out accuracy: \d\.\d{4} on 80 pairs/m);
  });

  it('explains a directory that is not an exported model', () => {
    const res = runApp('evaluator', ['--model', dir, '--data', heldOut]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/^error: .*has no config\.json/m);
  });

  it('refuses a model whose weights do not match its config', () => {
    const broken = path.join(dir, 'broken');
    fs.cpSync(modelDir, broken, { recursive: true });
    const cfgFile = path.join(broken, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
    cfg.rewardkit.model.config.bigramBuckets = 1024;
    fs.writeFileSync(cfgFile, JSON.stringify(cfg));
    const res = runApp('evaluator', ['--model', broken, '--data', heldOut]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/tensor "embed\.weight" has shape \[\d+,1\], the model expects \[51281,1\]/);
  });

  it('scores a plain Hugging Face GPT-2 sequence-classification directory (--max-length) as the same model exported by rewardkit', async () => {
    await initBackend({ prefer: 'cpu' });
    const registry = createShippedRegistry([]);
    const tokenizer = registry.create('tokenizer', 'gpt2-bpe', {}, {});
    const config = { nLayer: 1, nHead: 1, nEmbd: 8, nPositions: 64 };
    const model = registry.create('model', 'transformer', config, { vocabSize: tokenizer.vocabSize, padId: tokenizer.padId, eosId: tokenizer.eosId, seed: 5 });
    const ours = path.join(dir, 'transformer');
    await exportModelDir(ours, model, tokenizer, { name: 'transformer', config }, { maxLength: 64 });
    model.dispose();
    // What Python's save_pretrained would leave: no rewardkit sections anywhere.
    const plain = path.join(dir, 'plain-hf');
    fs.cpSync(ours, plain, { recursive: true });
    for (const f of ['config.json', 'tokenizer_config.json']) {
      const file = path.join(plain, f);
      const { rewardkit: _dropped, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8'));
      fs.writeFileSync(file, JSON.stringify(rest));
    }
    const report = (m: string) => {
      const res = runApp('evaluator', ['--model', m, '--data', heldOut, '--max-length', '64', '--json', '--backend', 'cpu']);
      expect(res.stderr).not.toMatch(/error/);
      return JSON.parse(res.stdout.trim().split('\n').at(-1)!);
    };
    const a = report(ours);
    const b = report(plain);
    expect(b.n).toBe(80);
    expect([b.accuracy, b.ties, b.truncated]).toEqual([a.accuracy, a.ties, a.truncated]);
    expect(Math.abs(b.mean_margin - a.mean_margin)).toBeLessThan(1e-6);
  }, 120_000);
});
