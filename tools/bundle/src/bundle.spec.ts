/**
 * Builds the offline bundle once, unpacks it into a temporary directory (no node_modules above
 * it, nothing of the repository reachable) and runs it with plain `node`: training with 1 and 2
 * worker processes, the evaluator on the exported model, and the benchmark.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ARCHIVE, BUNDLE_NAME, buildBundle, MAX_ARCHIVE_BYTES, type BuildResult } from './build-bundle';
import { inlineBackendRequires } from './webgpu-require-plugin';

let built: BuildResult;
let tmp: string;
let root: string;
let oneWorkerAccuracy: number | undefined;

/** Plain node, in the unpacked bundle, with nothing inherited that could reach the repository. */
function node(args: string[], timeoutMs = 120_000): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['NODE_OPTIONS', 'NODE_PATH', 'REWARDKIT_PROTO_DIR', 'VK_ICD_FILENAMES', 'VK_DRIVER_FILES']) delete env[k];
  const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function heldOut(stdout: string): number {
  const m = /held-out accuracy: ([0-9.]+)/.exec(stdout);
  if (!m) throw new Error(`no held-out accuracy in:\n${stdout}`);
  return Number(m[1]);
}

beforeAll(async () => {
  built = await buildBundle();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rewardkit-bundle-'));
  execFileSync('tar', ['-xzf', ARCHIVE, '-C', tmp]);
  root = path.join(tmp, BUNDLE_NAME);
}, 240_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('offline bundle', () => {
  it('is one archive under 40 MiB with linux-x64 native addons only', () => {
    expect(built.archiveBytes).toBeLessThan(MAX_ARCHIVE_BYTES);
    expect(fs.existsSync(path.join(tmp, 'node_modules'))).toBe(false);
    const natives: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.node')) natives.push(path.relative(root, p));
      }
    };
    walk(root);
    expect(natives.length).toBeGreaterThanOrEqual(2); // zeromq + dawn
    for (const n of natives) expect(n).toMatch(/linux[-/]x64/);
    expect(natives).toContain(path.join('node_modules', 'webgpu', 'dist', 'linux-x64', 'dawn.node'));
    for (const f of ['bin/trainer.cjs', 'bin/evaluator.cjs', 'bin/bench.cjs', 'bin/tfjs-backend-wasm-simd.wasm', 'hh-rlhf/train.jsonl', 'README.md', 'tools/gpu-check.sh', 'tools/gpu/torch_peer.py']) {
      expect(fs.existsSync(path.join(root, f))).toBe(true);
    }
  });

  it('trains 5 steps with plain node (1 worker, wasm from the bundle) and the evaluator agrees', () => {
    const out = path.join(tmp, 'run-1');
    const train = node(['bin/trainer.cjs', 'launch', '--steps', '5', '--eval-every', '0', '--out', out]);
    expect(train.stderr + train.stdout).toMatch(/tfjs backend 'wasm'/);
    expect(train.status).toBe(0);
    const acc = heldOut(train.stdout);
    oneWorkerAccuracy = acc;
    const evaluated = node(['bin/evaluator.cjs', '--model', path.join(out, 'final'), '--data', 'hh-rlhf/test.jsonl', '--json']);
    expect(evaluated.status).toBe(0);
    const report = JSON.parse(evaluated.stdout.trim().split('\n').pop()!) as { accuracy: number; n: number };
    expect(report.n).toBe(555);
    expect(report.accuracy).toBeCloseTo(acc, 4);
  }, 120_000);

  it('trains 5 steps with 2 worker processes spawned from the bundle, as 1 worker does', () => {
    const train = node(['bin/trainer.cjs', 'launch', '--steps', '5', '--eval-every', '0', '--gpus', '2', '--out', path.join(tmp, 'run-2')]);
    expect(train.status).toBe(0);
    expect(train.stderr).toMatch(/2 worker/);
    if (oneWorkerAccuracy !== undefined) expect(heldOut(train.stdout)).toBeCloseTo(oneWorkerAccuracy, 3);
  }, 120_000);

  it('runs the benchmark on a preset', () => {
    const file = path.join(tmp, 'bench.json');
    const bench = node(['bin/bench.cjs', '--preset', 'tiny', '--backend', 'wasm', '--workers', '', '--steps', '2', '--no-matmul', '--out', file]);
    expect(bench.status).toBe(0);
    const rows = (JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: { model: string; 'pairs/s': number }[] }).rows;
    expect(rows[0].model).toBe('transformer:tiny');
    expect(rows[0]['pairs/s']).toBeGreaterThan(0);
  }, 60_000);
});

describe('inlineBackendRequires', () => {
  it('spells require(CONST) as the literal for @tensorflow/tfjs-backend-* constants only', () => {
    const src = "const PKG = '@tensorflow/tfjs-backend-webgpu';\nconst OTHER = 'zeromq';\nrequire(PKG); require(OTHER);";
    expect(inlineBackendRequires(src)).toBe("const PKG = '@tensorflow/tfjs-backend-webgpu';\nconst OTHER = 'zeromq';\nrequire('@tensorflow/tfjs-backend-webgpu'); require(OTHER);");
  });
});
