import { namesOf, type PluginKind } from './names';
import { dataSample, dataSource } from './templates/data';
import { evalSource } from './templates/eval';
import { lossSource } from './templates/loss';
import { modelSource } from './templates/model';
import { tokenizerSource } from './templates/tokenizer';

const SOURCES: Record<PluginKind, (n: ReturnType<typeof namesOf>) => string> = {
  data: dataSource,
  tokenizer: tokenizerSource,
  model: modelSource,
  loss: lossSource,
  eval: evalSource,
};

/** What each kind's package depends on: core and zod, plus the one library its template uses. */
const DEPENDENCIES: Record<PluginKind, Record<string, string>> = {
  data: { '@rewardkit/data-records': '*' },
  tokenizer: {},
  model: { '@tensorflow/tfjs-core': '4.22.0' },
  loss: { '@rewardkit/ops': '*', '@tensorflow/tfjs-core': '4.22.0' },
  eval: {},
};

const SUITES: Record<PluginKind, string> = {
  data: 'describeDataContract',
  tokenizer: 'describeTokenizerContract',
  model: 'describeModelContract',
  loss: 'describeLossContract',
  eval: 'describeEvalContract',
};

function specSource(kind: PluginKind, n: ReturnType<typeof namesOf>): string {
  const suite = SUITES[kind];
  const head = `import { ${suite} } from '@rewardkit/testing';\nimport { ${n.value} } from './${n.name}.plugin';\n`;
  if (kind === 'data') {
    return `import path from 'node:path';\n${head}
// The shared contract every data plugin passes, on the sample file; add your own tests below.
${suite}(${n.value}, path.join(__dirname, '..', 'fixtures', 'sample.tsv'));
`;
  }
  return `${head}
// The shared contract every ${kind} plugin passes; add your own tests below.
${suite}(${n.value});
`;
}

/**
 * The files of a new plugin package `packages/<kind>-<name>/`, keyed by path from the workspace
 * root: package.json, project.json (tags for the module-boundary lint), jest and TypeScript
 * configs, the plugin object, register(), a curated index.ts and a spec running the contract suite.
 */
export function pluginFiles(kind: PluginKind, name: string): Record<string, string> {
  const n = namesOf(name);
  const pkg = `${kind}-${name}`;
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  const files: Record<string, string> = {
    'package.json': json({
      name: `@rewardkit/${pkg}`,
      version: '0.1.0',
      description: `${kind} plugin "${name}" for rewardkit`,
      main: 'src/index.ts',
      types: 'src/index.ts',
      license: 'MIT',
      dependencies: { '@rewardkit/core': '*', ...DEPENDENCIES[kind], zod: '^4.1.0' },
      devDependencies: { '@rewardkit/testing': '*' },
    }),
    'project.json': json({
      name: pkg,
      $schema: '../../node_modules/nx/schemas/project-schema.json',
      sourceRoot: `packages/${pkg}/src`,
      projectType: 'library',
      tags: ['scope:plugin', `type:${kind}`],
      targets: { lint: {}, test: {}, typecheck: {} },
    }),
    'jest.config.js': `module.exports = { ...require('../../jest.preset.js'), displayName: '${pkg}', rootDir: __dirname };\n`,
    'tsconfig.json': '{ "extends": "../../tsconfig.base.json", "include": ["src/**/*.ts"] }\n',
    [`src/${name}.plugin.ts`]: SOURCES[kind](n),
    [`src/${name}.plugin.spec.ts`]: specSource(kind, n),
    'src/register.ts': `import type { PluginRegistry } from '@rewardkit/core';
import { ${n.value} } from './${name}.plugin';

/** Registers this package's plugin: ${kind}/${name}. */
export function register(registry: PluginRegistry): void {
  registry.register(${n.value});
}
`,
    'src/index.ts': `export { ${n.value}, ${n.type}ConfigSchema, type ${n.type}Config } from './${name}.plugin';\nexport { register } from './register';\n`,
  };
  if (kind === 'data') files['fixtures/sample.tsv'] = dataSample();
  return Object.fromEntries(Object.entries(files).map(([rel, text]) => [`packages/${pkg}/${rel}`, text]));
}
