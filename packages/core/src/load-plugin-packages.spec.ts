import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PluginError } from './errors';
import { loadPluginPackages } from './load-plugin-packages';
import { PluginRegistry } from './registry';

/** Writes a fake npm package under `<dir>/node_modules/<name>`. */
function writePackage(dir: string, name: string, source: string): void {
  const pkg = path.join(dir, 'node_modules', name);
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), source);
}

const pluginSource = (name: string) => `{
  kind: 'loss', name: '${name}', description: 'external test loss',
  configSchema: { safeParse: (v) => ({ success: true, data: v }) },
  create: () => () => ({ lossSum: null, count: 0 }),
}`;

describe('loadPluginPackages', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-plugins-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('registers the plugin objects a package exports', () => {
    writePackage(dir, '@acme/rm-loss-focal', `exports.focal = ${pluginSource('focal')};`);
    const registry = new PluginRegistry();
    expect(loadPluginPackages(['@acme/rm-loss-focal'], registry, dir)).toEqual(['loss/focal']);
    expect(registry.get('loss', 'focal').description).toBe('external test loss');
  });

  it('calls register(registry) when the package exports one', () => {
    writePackage(dir, 'rm-plugins', `exports.register = (r) => r.register(${pluginSource('hinge')});`);
    const registry = new PluginRegistry();
    loadPluginPackages(['rm-plugins'], registry, dir);
    expect(registry.list('loss')).toEqual(['hinge']);
  });

  it('says how to fix a missing package', () => {
    expect(() => loadPluginPackages(['@acme/nope'], new PluginRegistry(), dir)).toThrow(
      /plugin package "@acme\/nope" not found .*npm install @acme\/nope/,
    );
  });

  it('loads a package by path, absolute or relative to fromDir', () => {
    const pkg = path.join(dir, 'plugins', 'focal');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'rm-loss-focal', main: 'lib/main.js' }));
    fs.mkdirSync(path.join(pkg, 'lib'));
    fs.writeFileSync(path.join(pkg, 'lib', 'main.js'), `exports.focal = ${pluginSource('focal')};`);
    expect(loadPluginPackages([pkg], new PluginRegistry(), os.tmpdir())).toEqual(['loss/focal']);
    expect(loadPluginPackages(['./plugins/focal'], new PluginRegistry(), dir)).toEqual(['loss/focal']);
  });

  it('says what is wrong with a path: missing, nothing to load, or a dependency it cannot resolve', () => {
    expect(() => loadPluginPackages(['./nope'], new PluginRegistry(), dir)).toThrow(
      `plugin package path "./nope" does not exist (resolved to ${path.join(dir, 'nope')})`,
    );
    fs.mkdirSync(path.join(dir, 'empty'));
    expect(() => loadPluginPackages(['./empty'], new PluginRegistry(), dir)).toThrow(/has nothing to load: give it a package\.json/);
    fs.mkdirSync(path.join(dir, 'needs-dep'));
    fs.writeFileSync(path.join(dir, 'needs-dep', 'index.js'), "require('@acme/rm-shared');");
    expect(() => loadPluginPackages(['./needs-dep'], new PluginRegistry(), dir)).toThrow(
      /"\.\/needs-dep" failed to load: Cannot find module '@acme\/rm-shared'.* \(its @rewardkit\/\* and @tensorflow\/\* imports must resolve .*peerDependencies/,
    );
  });

  it('refuses a package that exports no plugin', () => {
    writePackage(dir, 'empty-pkg', 'exports.x = 1;');
    expect(() => loadPluginPackages(['empty-pkg'], new PluginRegistry(), dir)).toThrow(PluginError);
  });

  it('refuses a package whose plugin clashes with a registered one', () => {
    writePackage(dir, 'clash', `exports.p = ${pluginSource('focal')};`);
    writePackage(dir, 'clash2', `exports.p = ${pluginSource('focal')};`);
    const registry = new PluginRegistry();
    loadPluginPackages(['clash'], registry, dir);
    expect(() => loadPluginPackages(['clash2'], registry, dir)).toThrow(/already registered as "loss\/focal"/);
  });
});
