import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@rewardkit/core';
import { namesOf, pluginSource, specSource, type NewPluginKind } from './templates';

export interface NewPluginOptions {
  readonly kind: NewPluginKind;
  readonly name: string;
  /** Workspace root (default: this repository). */
  readonly root?: string;
}

const KINDS: readonly NewPluginKind[] = ['loss', 'eval', 'model'];
const WORKSPACE = path.resolve(__dirname, '..', '..', '..', '..');

/**
 * Writes packages/<kind>-<name>/: package.json, project.json, jest and TypeScript configs, the
 * plugin object, register(), index.ts and a spec running the contract suite. Returns the files.
 * Refuses to overwrite an existing package.
 */
export function generatePlugin(opts: NewPluginOptions): string[] {
  if (!KINDS.includes(opts.kind)) throw new ConfigError(`--kind must be one of ${KINDS.join(', ')}, got "${opts.kind}"`);
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(opts.name)) throw new ConfigError(`--name must be kebab-case (e.g. focal), got "${opts.name}"`);
  const root = path.resolve(opts.root ?? WORKSPACE);
  const pkgName = `${opts.kind}-${opts.name}`;
  const dir = path.join(root, 'packages', pkgName);
  if (fs.existsSync(dir)) throw new ConfigError(`${dir} already exists`);
  const n = namesOf(opts.name);
  const deps: Record<string, string> = { '@rewardkit/core': '*', zod: '^4.1.0' };
  if (opts.kind !== 'eval') deps['@tensorflow/tfjs-core'] = '4.22.0';
  const files: Record<string, string> = {
    'package.json': JSON.stringify(
      {
        name: `@rewardkit/${pkgName}`,
        version: '0.1.0',
        description: `${opts.kind} plugin "${opts.name}" for rewardkit`,
        main: 'src/index.ts',
        types: 'src/index.ts',
        license: 'MIT',
        dependencies: deps,
        devDependencies: { '@rewardkit/testing': '*' },
      },
      null,
      2,
    ),
    'project.json': JSON.stringify(
      {
        name: pkgName,
        $schema: '../../node_modules/nx/schemas/project-schema.json',
        sourceRoot: `packages/${pkgName}/src`,
        projectType: 'library',
        tags: ['scope:plugin'],
        targets: { test: {}, typecheck: {} },
      },
      null,
      2,
    ),
    'jest.config.js': `module.exports = { ...require('../../jest.preset.js'), displayName: '${pkgName}', rootDir: __dirname };`,
    'tsconfig.json': '{ "extends": "../../tsconfig.base.json", "include": ["src/**/*.ts"] }',
    [`src/${opts.name}.plugin.ts`]: pluginSource(opts.kind, n),
    [`src/${opts.name}.plugin.spec.ts`]: specSource(opts.kind, n),
    'src/register.ts': `import type { PluginRegistry } from '@rewardkit/core';
import { ${n.value} } from './${opts.name}.plugin';

export function register(registry: PluginRegistry): void {
  registry.register(${n.value});
}
`,
    'src/index.ts': `export * from './${opts.name}.plugin';\nexport * from './register';\n`,
  };
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text.endsWith('\n') ? text : text + '\n');
    written.push(file);
  }
  return written;
}
