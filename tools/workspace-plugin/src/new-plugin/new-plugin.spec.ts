import fs from 'node:fs';
import path from 'node:path';
import { PluginRegistry } from '@rewardkit/core';
import { generatePlugin } from './new-plugin';

describe('new-plugin generator', () => {
  let root: string;
  beforeAll(() => {
    // inside the repository (tmp/ is git-ignored) so the generated code resolves its dependencies
    const scratch = path.resolve(__dirname, '..', '..', '..', '..', 'tmp');
    fs.mkdirSync(scratch, { recursive: true });
    root = fs.mkdtempSync(path.join(scratch, 'gen-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it.each(['loss', 'eval', 'model'] as const)('scaffolds a %s plugin whose code loads, registers and validates its config', (kind) => {
    const files = generatePlugin({ kind, name: 'my-thing', root });
    const dir = path.join(root, 'packages', `${kind}-my-thing`);
    expect(files.map((f) => path.relative(dir, f)).sort()).toEqual(
      ['jest.config.js', 'package.json', 'project.json', 'src/index.ts', 'src/my-thing.plugin.spec.ts', 'src/my-thing.plugin.ts', 'src/register.ts', 'tsconfig.json'],
    );
    // the generated sources compile (through the same transform as the repo's) and work
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, 'src', 'index.ts')) as { register(r: PluginRegistry): void };
    const registry = new PluginRegistry();
    mod.register(registry);
    const plugin = registry.get(kind, 'my-thing');
    expect(plugin.configSchema.safeParse({}).success).toBe(true);
    expect(plugin.configSchema.safeParse({ typo: 1 }).success).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'src', 'my-thing.plugin.spec.ts'), 'utf8')).toMatch(/describe\w+Contract\(myThing\)/);
  });

  it('refuses bad names, unknown kinds and existing packages', () => {
    expect(() => generatePlugin({ kind: 'loss', name: 'My_Loss', root })).toThrow(/kebab-case/);
    expect(() => generatePlugin({ kind: 'optimizer' as never, name: 'x', root })).toThrow(/--kind must be one of/);
    generatePlugin({ kind: 'loss', name: 'once', root });
    expect(() => generatePlugin({ kind: 'loss', name: 'once', root })).toThrow(/already exists/);
  });
});
