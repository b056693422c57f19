import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { hhRlhf } from '@rewardkit/sample-data';
import { runApp } from '@rewardkit/testing';
import ts from 'typescript';
import { pluginGenerator } from './generators/plugin/generator';

const root = path.resolve(__dirname, '..', '..', '..');

/**
 * The whole authoring path of docs/plugins.md: generate a loss plugin, "publish" it (compile to
 * JavaScript, a package.json with peerDependencies) into a folder outside the workspace, and train
 * with it loaded by path: `trainer launch --plugin /that/folder --loss <name>`.
 */
describe('a plugin package outside the workspace, loaded by path', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-ext-plugin-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes the generated plugin's sources as CommonJS to <dir>/rm-loss-<name>/lib, as `tsc` would. */
  function publish(name: string): string {
    const tree = createTreeWithEmptyWorkspace();
    pluginGenerator(tree, { kind: 'loss', name });
    const pkgDir = path.join(dir, `rm-loss-${name}`);
    const src = `packages/loss-${name}/src/`;
    for (const change of tree.listChanges()) {
      if (!change.path.startsWith(src) || change.path.endsWith('.spec.ts')) continue;
      const js = ts.transpileModule(change.content!.toString(), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      }).outputText;
      const out = path.join(pkgDir, 'lib', change.path.slice(src.length).replace(/\.ts$/, '.js'));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, js);
    }
    const generated = JSON.parse(tree.read(`packages/loss-${name}/package.json`, 'utf-8')!);
    fs.writeFileSync(
      path.join(pkgDir, 'package.json'),
      JSON.stringify({ name: `rm-loss-${name}`, version: '1.0.0', main: 'lib/index.js', peerDependencies: generated.dependencies }, null, 2),
    );
    return pkgDir;
  }

  it('trains a few steps with the external loss, in the coordinator and in the workers', () => {
    const pkgDir = publish('far-focal');
    // The project that runs rewardkit has the peers installed: here, the workspace's node_modules.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const data = path.join(dir, 'pairs.jsonl');
    fs.writeFileSync(data, fs.readFileSync(hhRlhf.test, 'utf8').split('\n').slice(0, 40).join('\n') + '\n');
    const out = path.join(dir, 'run');
    const res = runApp('trainer', ['launch', '--out', out, '--train', data, '--eval', data, '--plugin', pkgDir, '--loss', 'far-focal', '--steps', '3', '--batch-size', '8', '--gpus', '2']);
    expect({ status: res.status, stderr: res.stderr.slice(-3000) }).toMatchObject({ status: 0 }); // shows the log on failure
    expect(res.stdout + res.stderr).toContain(`loaded plugin package ${pkgDir}: loss/far-focal`);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.loss.name).toBe('far-focal');
    expect(config.plugins).toEqual([pkgDir]);
    const steps = fs
      .readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step?: number; loss?: number })
      .filter((m) => typeof m.loss === 'number');
    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const s of steps) expect(Number.isFinite(s.loss)).toBe(true);
  }, 180_000);
});
