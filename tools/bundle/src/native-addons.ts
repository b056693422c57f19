/**
 * The three packages a bundle cannot inline, copied into its node_modules/ for linux-x64 only:
 * zeromq (its JavaScript and the glibc x64 addons its loader may pick), cmake-ts's loader (which
 * zeromq requires to pick an addon) and webgpu (index.js, package.json and dawn.node). Everything
 * else (typings, sources, source maps, other platforms' binaries: ~60 MB) stays behind.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A zeromq build/manifest.json key, e.g. {"os":"linux","arch":"x64","libc":"glibc","abi":115,...}. */
interface AddonConfig {
  readonly os: string;
  readonly arch: string;
  readonly libc: string;
}

function copy(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

function copyJs(fromDir: string, toDir: string): void {
  for (const e of fs.readdirSync(fromDir, { withFileTypes: true })) {
    if (e.isDirectory()) copyJs(path.join(fromDir, e.name), path.join(toDir, e.name));
    else if (e.name.endsWith('.js')) copy(path.join(fromDir, e.name), path.join(toDir, e.name));
  }
}

/** Copies zeromq with only the linux x64 glibc addons, and a manifest naming only those. */
function copyZeromq(repoRoot: string, modules: string): string[] {
  const src = path.dirname(require.resolve('zeromq/package.json', { paths: [repoRoot] }));
  const dst = path.join(modules, 'zeromq');
  copy(path.join(src, 'package.json'), path.join(dst, 'package.json'));
  copyJs(path.join(src, 'lib'), path.join(dst, 'lib'));
  const manifest = JSON.parse(fs.readFileSync(path.join(src, 'build', 'manifest.json'), 'utf8')) as Record<string, string>;
  const kept: Record<string, string> = {};
  for (const [key, rel] of Object.entries(manifest)) {
    const c = JSON.parse(key) as AddonConfig;
    if (c.os !== 'linux' || c.arch !== 'x64' || c.libc !== 'glibc') continue;
    if (!fs.existsSync(path.join(src, 'build', rel))) continue;
    copy(path.join(src, 'build', rel), path.join(dst, 'build', rel));
    kept[key] = rel;
  }
  if (Object.keys(kept).length === 0) throw new Error(`zeromq at ${src} has no linux x64 glibc addon in build/manifest.json`);
  fs.writeFileSync(path.join(dst, 'build', 'manifest.json'), JSON.stringify(kept));
  // zeromq's one dependency at run time: the loader that picks an addon from the manifest
  const loader = require.resolve('cmake-ts/build/loader', { paths: [src] });
  const cmakeTs = path.dirname(path.dirname(loader));
  copy(path.join(cmakeTs, 'package.json'), path.join(modules, 'cmake-ts', 'package.json'));
  copy(loader, path.join(modules, 'cmake-ts', 'build', 'loader.js'));
  return Object.values(kept);
}

/** Copies webgpu's entry, manifest and linux-x64 Dawn binding (21 MB, ~7 MB compressed). */
function copyWebgpu(repoRoot: string, modules: string): void {
  const src = path.dirname(require.resolve('webgpu/package.json', { paths: [repoRoot] }));
  const dst = path.join(modules, 'webgpu');
  for (const f of ['package.json', 'index.js', 'LICENSE.md', path.join('dist', 'linux-x64', 'dawn.node')]) {
    if (fs.existsSync(path.join(src, f))) copy(path.join(src, f), path.join(dst, f));
  }
  if (!fs.existsSync(path.join(dst, 'dist', 'linux-x64', 'dawn.node'))) throw new Error(`webgpu at ${src} has no dist/linux-x64/dawn.node`);
}

/** Fills `modules` (the bundle's node_modules/) with the native packages; returns what it copied. */
export function copyNativeAddons(repoRoot: string, modules: string): { zeromqAddons: string[] } {
  const zeromqAddons = copyZeromq(repoRoot, modules);
  copyWebgpu(repoRoot, modules);
  return { zeromqAddons };
}

/** tfjs-backend-wasm's .wasm files: its Node build loads them from the bundle's own directory. */
export function copyWasmBinaries(repoRoot: string, binDir: string): string[] {
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm', { paths: [repoRoot] }));
  const files = fs.readdirSync(dist).filter((f) => f.endsWith('.wasm'));
  for (const f of files) copy(path.join(dist, f), path.join(binDir, f));
  return files;
}
