import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModelDir, scorePairs } from '@rewardkit/engine';
import { createShippedRegistry } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { runApp, useBackend } from '@rewardkit/testing';
import { encodePairs } from '@rewardkit/tokenizers';
import { ScorerClient } from './client';

useBackend('wasm');

const root = path.resolve(__dirname, '..', '..', '..');

/** Starts `scorer serve` on a free loopback port; resolves with its URL once it listens. */
function serve(args: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const proc = spawn(process.execPath, [tsx, path.join(root, 'apps/scorer/src/main.ts'), '--port', '0', ...args], { cwd: root });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`scorer did not start: ${err}`)), 30_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1] });
      }
    });
    proc.on('exit', (code) => reject(new Error(`scorer exited ${code}: ${err}`)));
  });
}

describe('scorer serve with a trained model', () => {
  let dir: string;
  let modelDir: string;
  let pairs: { id: string; prompt: string; chosen: string; rejected: string }[];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-serve-'));
    const lines = fs.readFileSync(hhRlhf.test, 'utf8').split('\n').filter(Boolean);
    const heldOut = path.join(dir, 'held-out.jsonl');
    fs.writeFileSync(heldOut, lines.slice(0, 40).join('\n') + '\n');
    const trained = runApp('trainer', ['launch', '--out', path.join(dir, 'run'), '--eval', heldOut, '--steps', '10', '--eval-every', '0']);
    expect(trained.status).toBe(0);
    modelDir = path.join(dir, 'run', 'final');
    pairs = lines.slice(200, 206).map((l, k) => ({ id: `p${k}`, ...(JSON.parse(l) as { prompt: string; chosen: string; rejected: string }) }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the rewards the engine computes for the same texts, on /score and on the OpenRLHF route', async () => {
    const { model, tokenizer } = loadModelDir(modelDir, createShippedRegistry([]));
    const ref = await scorePairs(model, encodePairs(pairs, tokenizer, { maxLength: 512 }).encoded, tokenizer.padId);
    model.dispose();
    const { proc, url } = await serve(['--model', modelDir, '--token', 'tok']);
    try {
      const c = new ScorerClient(url, 'tok');
      const info = await c.info();
      expect(info).toEqual(expect.objectContaining({ model_plugin: 'bag-of-embeddings', backend: 'wasm', normalization: expect.objectContaining({ default: false }) }));
      const got = await Promise.all(pairs.map((p) => c.score(p.prompt, [p.chosen, p.rejected])));
      got.forEach(([chosen, rejected], i) => {
        expect(chosen).toBeCloseTo(ref.chosen[i], 6);
        expect(rejected).toBeCloseTo(ref.rejected[i], 6);
      });
      const viaOpenRlhf = await c.getReward(pairs.map((p) => p.prompt + p.chosen), pairs.map((p) => p.prompt));
      viaOpenRlhf.forEach((r, i) => expect(r).toBeCloseTo(ref.chosen[i], 6));
      const { mean, std } = info.normalization as { mean: number; std: number };
      const normalized = await c.score(pairs[0].prompt, [pairs[0].chosen], true);
      expect(normalized[0]).toBeCloseTo((ref.chosen[0] - mean) / std, 4);
    } finally {
      proc.kill('SIGTERM');
    }
  });
});
