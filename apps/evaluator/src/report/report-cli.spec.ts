/**
 * `evaluator --out DIR` end to end: a model trained for a few steps (its run directory's
 * metrics.jsonl beside final/), evaluated with --json and --out; report.json must hold exactly the
 * figures --json printed, and report.html the charts those figures and the training log allow.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hhRlhf } from '@rewardkit/sample-data';
import { runApp } from '@rewardkit/testing';

describe('evaluator --out', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-report-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes report.json (every figure of --json) and report.html with the training curves', () => {
    const heldOut = path.join(dir, 'held-out.jsonl');
    fs.writeFileSync(heldOut, fs.readFileSync(hhRlhf.test, 'utf8').split('\n').slice(0, 60).join('\n') + '\n');
    const trained = runApp('trainer', ['launch', '--out', path.join(dir, 'run'), '--eval', heldOut, '--steps', '20', '--eval-every', '10']);
    expect(trained.status).toBe(0);

    const out = path.join(dir, 'report');
    const res = runApp('evaluator', ['--model', path.join(dir, 'run', 'final'), '--data', heldOut, '--json', '--out', out]);
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.status).toBe(0);
    const printed = JSON.parse(res.stdout.trim().split('\n').at(-1)!);
    const written = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(written).toEqual(expect.objectContaining(printed));
    expect(written.margin_histogram.reduce((s: number, b: { n: number }) => s + b.n, 0)).toBe(60);
    expect(written.training_log).toEqual({ file: path.join(dir, 'run', 'metrics.jsonl'), points: 22, unreadable_lines: 0 });

    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    const charts = [...html.matchAll(/data-chart="([a-z-]+)"/g)].map((m) => m[1]);
    expect(charts).toEqual(expect.arrayContaining(['reliability', 'margin-histogram', 'length-buckets', 'margin-buckets', 'sections', 'training-loss', 'training-accuracy']));
  }, 120000);
});
