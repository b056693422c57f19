import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { PluginRegistry } from '@rewardkit/core';
import { pluginGenerator } from './generator';
import { KINDS } from './names';

const root = path.resolve(__dirname, '..', '..', '..', '..', '..');

/** Every file the generator put in the tree, relative to the package folder. */
function created(tree: Tree, pkgDir: string): string[] {
  return tree
    .listChanges()
    .filter((c) => c.type === 'CREATE' && c.path.startsWith(pkgDir + '/'))
    .map((c) => c.path.slice(pkgDir.length + 1))
    .sort();
}

describe('plugin generator (virtual tree)', () => {
  it.each(KINDS)('scaffolds a %s plugin package, tagged for the boundary lint', (kind) => {
    const tree = createTreeWithEmptyWorkspace();
    pluginGenerator(tree, { kind, name: 'my-thing' });
    const dir = `packages/${kind}-my-thing`;
    const expected = ['jest.config.js', 'package.json', 'project.json', 'src/index.ts', 'src/my-thing.plugin.spec.ts', 'src/my-thing.plugin.ts', 'src/register.ts', 'tsconfig.json'];
    if (kind === 'data') expected.push('fixtures/sample.tsv');
    expect(created(tree, dir)).toEqual(expected.sort());
    const project = JSON.parse(tree.read(`${dir}/project.json`, 'utf-8')!);
    expect(project.tags).toEqual(['scope:plugin', `type:${kind}`]);
    const pkg = JSON.parse(tree.read(`${dir}/package.json`, 'utf-8')!);
    expect(pkg.name).toBe(`@rewardkit/${kind}-my-thing`);
    // plugins depend on core (+ ops, their kind's shared code), never on the backend or another plugin
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith('@rewardkit/'))).toEqual(
      expect.arrayContaining(['@rewardkit/core']),
    );
    expect(Object.keys(pkg.dependencies)).not.toContain('@rewardkit/backend');
    expect(tree.read(`${dir}/src/my-thing.plugin.spec.ts`, 'utf-8')).toMatch(/describe\w+Contract\(myThing/);
  });

  it('refuses bad names, unknown kinds and existing packages', () => {
    const tree = createTreeWithEmptyWorkspace();
    expect(() => pluginGenerator(tree, { kind: 'loss', name: 'My_Loss' })).toThrow(/kebab-case/);
    expect(() => pluginGenerator(tree, { kind: 'optimizer' as never, name: 'x' })).toThrow(/--kind must be one of data, tokenizer, model, loss, eval/);
    pluginGenerator(tree, { kind: 'loss', name: 'once' });
    expect(() => pluginGenerator(tree, { kind: 'loss', name: 'once' })).toThrow(/packages\/loss-once already exists/);
  });
});

/**
 * The generated packages, written to a scratch workspace inside the repository (tmp/ is
 * git-ignored, and inside the repo so the code resolves the workspace's dependencies), with
 * shims standing in for the root's jest preset and tsconfig.
 */
const scratch = path.join(root, 'tmp');
fs.mkdirSync(scratch, { recursive: true });
const ws = fs.mkdtempSync(path.join(scratch, 'gen-'));
// top level, so that it runs even when a -t filter skips every test of the describe below
afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));

describe('generated packages', () => {

  const tree = createTreeWithEmptyWorkspace();
  for (const kind of KINDS) pluginGenerator(tree, { kind, name: 'my-thing' });
  for (const change of tree.listChanges()) {
    if (change.type !== 'CREATE' || !change.path.startsWith('packages/')) continue;
    fs.mkdirSync(path.dirname(path.join(ws, change.path)), { recursive: true });
    fs.writeFileSync(path.join(ws, change.path), change.content!);
  }
  const up = path.relative(ws, root);
  fs.writeFileSync(path.join(ws, 'jest.preset.js'), `module.exports = require(${JSON.stringify(path.join(up, 'jest.preset.js'))});\n`);
  fs.writeFileSync(path.join(ws, 'tsconfig.base.json'), JSON.stringify({ extends: path.join(up, 'tsconfig.base.json') }));
  fs.writeFileSync(path.join(ws, 'tsconfig.json'), JSON.stringify({ extends: './tsconfig.base.json', include: ['packages/*/src/**/*.ts'] }));

  it('type-check (tsc, the same settings as the workspace)', () => {
    const res = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ws, 'tsconfig.json'), '--noEmit'], {
      encoding: 'utf8',
    });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  }, 120_000);

  it.each(KINDS)('%s: register() adds the plugin, its config validates, jest config loads', (kind) => {
    const dir = path.join(ws, 'packages', `${kind}-my-thing`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, 'src', 'index.ts')) as { register(r: PluginRegistry): void };
    const registry = new PluginRegistry();
    mod.register(registry);
    const plugin = registry.get(kind, 'my-thing');
    expect(plugin.configSchema.safeParse({}).success).toBe(true);
    expect(plugin.configSchema.safeParse({ typo: 1 }).success).toBe(false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require(path.join(dir, 'jest.config.js')).displayName).toBe(`${kind}-my-thing`);
  });

  // Each generated spec runs here as written: the kind's contract suite against the new plugin.
  for (const kind of KINDS) {
    describe(`${kind}-my-thing's own spec`, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(ws, 'packages', `${kind}-my-thing`, 'src', 'my-thing.plugin.spec.ts'));
    });
  }
});

describe('nx g @rewardkit/workspace-plugin:plugin', () => {
  it('is declared to Nx and dry-runs without writing', () => {
    const res = spawnSync('npx', ['nx', 'g', '@rewardkit/workspace-plugin:plugin', '--kind=tokenizer', '--name=dry-run-check', '--dry-run'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    expect(res.status).toBe(0);
    // CI=true makes Nx colour its output whatever the terminal: compare the text, not the escapes
    const out = stripVTControlCharacters(res.stdout);
    expect(out).toContain('CREATE packages/tokenizer-dry-run-check/src/dry-run-check.plugin.ts');
    expect(out + stripVTControlCharacters(res.stderr)).toMatch(/dryRun.*no changes were made/);
    expect(fs.existsSync(path.join(root, 'packages', 'tokenizer-dry-run-check'))).toBe(false);
  }, 120_000);
});
