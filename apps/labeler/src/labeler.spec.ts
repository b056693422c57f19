import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PreferencePair } from '@rewardkit/core';
import { loadModelDir, scorePairs } from '@rewardkit/engine';
import { createShippedRegistry } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { runApp, useBackend } from '@rewardkit/testing';
import { encodePairs } from '@rewardkit/tokenizers';

useBackend('wasm');

describe('labeler CLI', () => {
  let dir: string;
  let modelDir: string;
  let samples: string;
  let pairs: PreferencePair[];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-label-'));
    const lines = fs.readFileSync(hhRlhf.test, 'utf8').split('\n').filter(Boolean);
    const heldOut = path.join(dir, 'held-out.jsonl');
    fs.writeFileSync(heldOut, lines.slice(0, 40).join('\n') + '\n');
    const trained = runApp('trainer', ['launch', '--out', path.join(dir, 'run'), '--eval', heldOut, '--steps', '10', '--eval-every', '0']);
    expect(trained.status).toBe(0);
    modelDir = path.join(dir, 'run', 'final');
    // 24 prompts: two completions each as separate lines, three as one `outputs` record, and one alone
    const recs = lines.slice(100, 124).map((l) => JSON.parse(l) as { prompt: string; chosen: string; rejected: string });
    pairs = recs.map((r, k) => ({ id: `p${k}`, prompt: r.prompt, chosen: r.chosen, rejected: r.rejected }));
    const out: string[] = [];
    recs.forEach((r, k) => {
      if (k === 23) out.push(JSON.stringify({ prompt_id: `p${k}`, prompt: r.prompt, output: r.chosen }));
      else if (k % 3 === 0) out.push(JSON.stringify({ prompt: r.prompt, outputs: [r.chosen, r.rejected, recs[k + 1].chosen] }));
      else out.push(...[r.chosen, r.rejected].map((output) => JSON.stringify({ prompt_id: `p${k}`, prompt: r.prompt, output })));
    });
    samples = path.join(dir, 'samples.jsonl');
    fs.writeFileSync(samples, out.join('\n') + '\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const label = (out: string, extra: string[] = [], env?: NodeJS.ProcessEnv) =>
    runApp('labeler', ['--model', modelDir, '--samples', samples, '--out', out, '--batch-size', '8', ...extra], env ? { env } : {});

  it('scores each response exactly as the trainer scores it inside a pair', async () => {
    const out = path.join(dir, 'max.jsonl');
    const res = label(out);
    expect(res.stderr).not.toMatch(/error/);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^prompts: 24, samples: 55 \(scored now: 55\), prompts with a single sample: 1$/m);
    expect(res.stdout).toMatch(/^pairs kept: \d+, dropped by the threshold: \d+ \(reward gap > 0 \(mode max\)\)$/m);
    expect(res.stdout).toMatch(/^reward gaps of the 23 candidate pairs:$/m);
    const records = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // reference: the engine's pair scoring over the same texts, as evaluation does
    const { model, tokenizer } = loadModelDir(modelDir, createShippedRegistry([]));
    const ref = await scorePairs(model, encodePairs(pairs, tokenizer, { maxLength: 512 }).encoded, tokenizer.padId);
    model.dispose();
    const byText = new Map<string, number>();
    pairs.forEach((p, i) => byText.set(`${p.prompt}|${p.chosen}`, ref.chosen[i]).set(`${p.prompt}|${p.rejected}`, ref.rejected[i]));
    let checked = 0;
    for (const r of records) {
      for (const [text, reward] of [[r.chosen, r.chosen_reward], [r.rejected, r.rejected_reward]]) {
        const want = byText.get(`${r.prompt}|${text}`);
        if (want === undefined) continue;
        expect(reward).toBeCloseTo(want, 6);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('scoring across 2 worker processes writes the same file as scoring in-process', () => {
    const out = path.join(dir, 'two-workers.jsonl');
    const res = label(out, ['--workers', '2']);
    expect(res.status).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(dir, 'max.jsonl'), 'utf8'));
  });

  it('an interrupted run, run again, writes the same file as an uninterrupted one, scoring each sample once', () => {
    const whole = path.join(dir, 'whole.jsonl');
    expect(label(whole, ['--mode', 'random', '--seed', '5']).status).toBe(0);
    const resumed = path.join(dir, 'resumed.jsonl');
    const killed = label(resumed, ['--mode', 'random', '--seed', '5'], { REWARDKIT_LABELER_CRASH_AFTER_BATCHES: '3' });
    expect([null, 137]).toContain(killed.status); // SIGKILL, as a preempted job gets (tsx reports it as 137)
    expect(fs.existsSync(resumed)).toBe(false);
    fs.appendFileSync(`${resumed}.scores.jsonl`, '{"i":5'); // a write the kill cut short
    const again = label(resumed, ['--mode', 'random', '--seed', '5']);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/resuming: 24 of 55 samples already scored/);
    expect(again.stdout).toMatch(/scored now: 31\)/);
    expect(fs.readFileSync(resumed, 'utf8')).toBe(fs.readFileSync(whole, 'utf8'));
    const cached = fs.readFileSync(`${resumed}.scores.jsonl`, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l).i);
    expect(cached.sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 55 }, (_, i) => i));
  });

  it('writes KTO labels at a per-prompt median', () => {
    const out = path.join(dir, 'kto.jsonl');
    const res = label(out, ['--feedback', 'binary', '--threshold', 'median', '--threshold-scope', 'prompt']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^examples: 54, desirable: \d+ \(reward > median \(prompt\)\)$/m);
    const recs = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const r of recs) expect(r.label).toBe(r.reward > r.threshold);
  });

  it('refuses a resume file of other samples, and bad options, with one line', () => {
    const out = path.join(dir, 'max.jsonl');
    fs.writeFileSync(`${out}.other.jsonl`, fs.readFileSync(samples, 'utf8').split('\n').slice(0, 3).join('\n'));
    const res = runApp('labeler', ['--model', modelDir, '--samples', `${out}.other.jsonl`, '--out', out]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/^error: .*max\.jsonl\.scores\.jsonl: the resume file is for other samples or another model/m);
    const bad = label(path.join(dir, 'x.jsonl'), ['--mode', 'best']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: --mode must be one of max, min, random; got "best"$/m);
  });

  it('a labeled file trains the next model with trainer:launch', () => {
    const out = path.join(dir, 'round2.jsonl');
    expect(label(out, ['--mode', 'random']).status).toBe(0);
    const res = runApp('trainer', ['launch', '--train', out, '--eval', out, '--out', path.join(dir, 'run2'), '--steps', '3', '--batch-size', '4', '--eval-every', '0']);
    expect(res.stderr).not.toMatch(/^error/m);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/held-out accuracy: [\d.]+ \(\d+ pairs/);
  });
});
