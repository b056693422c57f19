/**
 * The offline bundle: `npx nx run trainer:bundle` (or `npx tsx tools/bundle/src/build-bundle.ts`)
 * writes dist/rewardkit-linux-x64.tar.gz, which runs with a plain `node` (20+) on a linux-x64 host
 * with no registry and no `npm ci`: how a trainer ships to an air-gapped GPU cluster.
 *
 *   rewardkit-linux-x64/
 *     bin/trainer.cjs evaluator.cjs bench.cjs kernel-check.cjs gpu-report.cjs step-profile.cjs   esbuild bundles (cjs, node)
 *     bin/*.wasm             tfjs-backend-wasm's binaries: its Node build loads them from __dirname
 *     node_modules/          only what cannot be inlined: zeromq (+ cmake-ts's loader), webgpu (dawn.node)
 *     hh-rlhf/               the embedded sample (sample-data resolves it as bin/../hh-rlhf)
 *     proto/                 the wire schema, read at run time (REWARDKIT_PROTO_DIR, set by the banner)
 *     tools/gpu-check.sh tools/gpu/torch_peer.py   the GPU check and its PyTorch peer
 *     README.md BUILD.json
 *
 * Workers: spawn-worker.ts runs `node bin/trainer.cjs worker` when REWARDKIT_BUNDLED_TRAINER is
 * defined, which only this build does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { copyNativeAddons, copyWasmBinaries } from './native-addons';
import { webgpuRequirePlugin } from './webgpu-require-plugin';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const BUNDLE_NAME = 'rewardkit-linux-x64';
export const ARCHIVE = path.join(REPO_ROOT, 'dist', `${BUNDLE_NAME}.tar.gz`);
/** The issue's limit for the archive (Node itself not included). */
export const MAX_ARCHIVE_BYTES = 40 * 1024 * 1024;

/** bin/<name>.cjs from each entry point (repo-relative). */
const ENTRIES: Readonly<Record<string, string>> = {
  trainer: 'apps/trainer/src/main.ts',
  evaluator: 'apps/evaluator/src/main.ts',
  bench: 'apps/trainer/bench/train-bench.ts',
  'kernel-check': 'tools/gpu/src/kernel-check.ts',
  'gpu-report': 'tools/gpu/src/gpu-report.ts',
  'step-profile': 'tools/gpu/src/step-profile.ts',
};

// The proto loader looks three directories above its source; in the bundle it sits in bin/.
const BANNER = "process.env.REWARDKIT_PROTO_DIR ??= require('node:path').join(__dirname, '..', 'proto');";

export interface BuildResult {
  readonly archive: string;
  readonly archiveBytes: number;
  /** The unpacked tree (kept under dist/ for inspection). */
  readonly stageDir: string;
  readonly seconds: number;
}

function copyTree(from: string, to: string, keep: (name: string) => boolean = () => true): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (!keep(e.name)) continue;
    if (e.isDirectory()) copyTree(path.join(from, e.name), path.join(to, e.name), keep);
    else fs.copyFileSync(path.join(from, e.name), path.join(to, e.name));
  }
}

async function bundleEntries(binDir: string): Promise<void> {
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, path.join(REPO_ROOT, src)])),
    outdir: binDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // native or optional: resolved at run time from the bundle's node_modules/ (or absent)
    external: ['zeromq', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'tsx'],
    // `import '@tensorflow/tfjs-backend-cpu'` registers the backend; its package.json calls that
    // side-effect-free, and esbuild would drop the import
    ignoreAnnotations: true,
    // gpt-tokenizer's cjs/ subpaths are exported under "require" only
    conditions: ['require'],
    define: { REWARDKIT_BUNDLED_TRAINER: JSON.stringify('trainer.cjs') },
    // vega-canvas's node build opens with a top-level await (an optional node-canvas), which cjs cannot
    // hold; the evaluator's report charts need no canvas, and its browser build is the same without it
    alias: { 'vega-canvas': path.join(REPO_ROOT, 'node_modules/vega-canvas/build/vega-canvas.browser.js') },
    banner: { js: BANNER },
    plugins: [webgpuRequirePlugin],
    tsconfig: path.join(REPO_ROOT, 'tsconfig.base.json'),
    logLevel: 'error',
    legalComments: 'none',
  });
  if (result.errors.length) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join('; ')}`);
}

/** HEAD's short hash, '+dirty' when the working tree (which is what gets bundled) has changes. */
function gitDescribe(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : '');
  } catch {
    return 'unknown';
  }
}

/** Builds the bundle tree under dist/ and packs it; returns the archive's path and size. */
export async function buildBundle(): Promise<BuildResult> {
  const t0 = performance.now();
  const stageDir = path.join(REPO_ROOT, 'dist', BUNDLE_NAME);
  fs.rmSync(stageDir, { recursive: true, force: true });
  const bin = path.join(stageDir, 'bin');
  await bundleEntries(bin);
  const wasm = copyWasmBinaries(REPO_ROOT, bin);
  const { zeromqAddons } = copyNativeAddons(REPO_ROOT, path.join(stageDir, 'node_modules'));
  copyTree(path.join(REPO_ROOT, 'packages', 'sample-data', 'hh-rlhf'), path.join(stageDir, 'hh-rlhf'));
  copyTree(path.join(REPO_ROOT, 'proto'), path.join(stageDir, 'proto'), (n) => !n.startsWith('.') && (n.endsWith('.proto') || !n.includes('.')));
  fs.mkdirSync(path.join(stageDir, 'tools', 'gpu'), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'tools', 'gpu-check.sh'), path.join(stageDir, 'tools', 'gpu-check.sh'));
  fs.chmodSync(path.join(stageDir, 'tools', 'gpu-check.sh'), 0o755);
  fs.copyFileSync(path.join(REPO_ROOT, 'tools', 'gpu', 'torch_peer.py'), path.join(stageDir, 'tools', 'gpu', 'torch_peer.py'));
  fs.copyFileSync(path.join(__dirname, '..', 'BUNDLE-README.md'), path.join(stageDir, 'README.md'));
  const build = { commit: gitDescribe(), built: new Date().toISOString(), node: process.version, wasm, zeromqAddons, entries: ENTRIES };
  fs.writeFileSync(path.join(stageDir, 'BUILD.json'), JSON.stringify(build, null, 2) + '\n');

  fs.rmSync(ARCHIVE, { force: true });
  // --owner/--group keep the listing free of this machine's users
  execFileSync('tar', ['-I', 'gzip -9', '-cf', ARCHIVE, '--owner=0', '--group=0', '-C', path.dirname(stageDir), BUNDLE_NAME]);
  const archiveBytes = fs.statSync(ARCHIVE).size;
  return { archive: ARCHIVE, archiveBytes, stageDir, seconds: (performance.now() - t0) / 1000 };
}

if (require.main === module) {
  buildBundle().then(
    (r) => {
      const mib = (r.archiveBytes / 1024 / 1024).toFixed(1);
      process.stdout.write(`bundle: ${path.relative(process.cwd(), r.archive)} (${mib} MiB, limit 40) in ${r.seconds.toFixed(1)} s\n`);
      if (r.archiveBytes > MAX_ARCHIVE_BYTES) {
        process.stderr.write(`bundle: ${mib} MiB is over the 40 MiB limit\n`);
        process.exit(1);
      }
    },
    (err: unknown) => {
      process.stderr.write(`bundle: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
