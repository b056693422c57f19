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

  it('runs every shipped evaluator: a compact table, and with --json one JSON object of every figure; --scores and --train', () => {
    const scoresFile = path.join(dir, 'scores.jsonl');
    // the held-out file as its own "training file": every prompt and pair is shared
    const res = runApp('evaluator', ['--model', modelDir, '--data', heldOut, '--json', '--scores', scoresFile, '--train', heldOut]);
    expect(res.status).toBe(0);
    const last = res.stdout.trim().split('\n').at(-1)!;
    const report = JSON.parse(last);
    const bucket = { lo: expect.any(Number), hi: expect.any(Number), n: expect.any(Number), accuracy: expect.any(Number) };
    expect(report).toEqual(
      expect.objectContaining({
        accuracy: expect.any(Number),
        accuracy_ci: [expect.any(Number), expect.any(Number)],
        ties: expect.any(Number),
        tie_rate: expect.any(Number),
        n: 80,
        reward_mean: expect.any(Number),
        reward_std: expect.any(Number),
        margin_mean: expect.any(Number),
        ece: expect.any(Number),
        brier: expect.any(Number),
        temperature: expect.any(Number),
        longer_wins: expect.any(Number),
        length_reward_corr: expect.any(Number),
        length_unit: 'tokens',
        sections_overall: expect.any(Number),
      }),
    );
    for (const key of ['margin_buckets', 'length_buckets']) for (const b of report[key]) expect(b).toEqual(bucket);
    for (const b of report.reliability) expect(b).toEqual({ ...bucket, confidence: expect.any(Number) });
    // the embedded sample's records carry a `source`: one section
    expect(report.sections).toEqual([expect.objectContaining({ n: 80, ci: [expect.any(Number), expect.any(Number)], subsets: [expect.objectContaining({ n: 80 })] })]);
    expect(report.health).toEqual(expect.objectContaining({ duplicates: 0, identical: 0, shared_prompts: 80, shared_pairs: 80 }));
    // the evaluator re-scores the exported model: it must agree with the trainer's own evaluation
    expect(report.accuracy.toFixed(4)).toBe(trainedAccuracy.toFixed(4));
    expect(res.stdout).toMatch(/^held-out accuracy: \d\.\d{4} on 80 pairs \(95% CI \d\.\d{3}-\d\.\d{3}, ties \d+, mean margin -?\d\.\d{4}\)$/m);
    expect(res.stdout).toMatch(/^ {2}calibration +ECE \d\.\d{4}, Brier \d\.\d{4}, temperature /m);
    expect(res.stdout).toMatch(/^ {2}data +duplicates 0, .*prompts shared with training 80/m);

    // one line per pair, in order, agreeing with the report
    const rows = fs.readFileSync(scoresFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(80);
    expect(Object.keys(rows[0])).toEqual(['id', 'reward_chosen', 'reward_rejected', 'margin', 'tokens_chosen', 'tokens_rejected', 'truncated']);
    expect(rows[0].id).toBe('held-out.jsonl:1');
    for (const r of rows) {
      expect(r.margin).toBeCloseTo(r.reward_chosen - r.reward_rejected, 12);
      expect(Number.isInteger(r.tokens_chosen) && r.tokens_chosen > 0).toBe(true);
      expect(typeof r.truncated).toBe('boolean');
    }
    const acc = rows.reduce((a, r) => a + (r.margin > 0 ? 1 : r.margin === 0 ? 0.5 : 0), 0) / rows.length;
    expect(acc).toBeCloseTo(report.accuracy, 12);
    expect(rows.filter((r) => r.truncated).length).toBe(report.truncated);
  });

  it('takes the evaluators and their configs from --config, --set overriding it', () => {
    const cfgFile = path.join(dir, 'eval-config.json');
    fs.writeFileSync(cfgFile, JSON.stringify({ evaluators: ['accuracy', { name: 'calibration', config: { bins: 2 } }] }));
    const res = runApp('evaluator', ['--model', modelDir, '--data', heldOut, '--json', '--config', cfgFile]);
    expect(res.status).toBe(0);
    const report = JSON.parse(res.stdout.trim().split('\n').at(-1)!);
    expect(report).toEqual(expect.objectContaining({ accuracy: expect.any(Number), ece: expect.any(Number) }));
    expect(report).not.toHaveProperty('reward_mean');
    expect(report).not.toHaveProperty('health');
    // two bins of confidence: [0.5, 0.75) and [0.75, 1]
    for (const b of report.reliability) expect([0.5, 0.75]).toContain(b.lo);
    // a bad config fails at once, naming the entry and the field
    const bad = runApp('evaluator', ['--model', modelDir, '--data', heldOut, '--config', cfgFile, '--set', 'evaluators=[{"name":"calibration","config":{"bins":0}}]']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: evaluators\[0\]: invalid config for eval plugin "calibration":[\s\S]*bins/m);
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
    expect(Math.abs(b.margin_mean - a.margin_mean)).toBeLessThan(1e-6);
  }, 120_000);
});
