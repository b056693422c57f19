// Lint for the dependency arrows (STYLE.md habit 10), kept fast: the parser reads syntax only
// (no type information), and the rules are Nx's module-boundary rule plus a few cheap ones.
// Run `bash tools/lint/run-lint.sh` (what CI runs): it computes Nx's project graph first, which the
// rule needs (without a cached graph it skips itself with only a warning), then runs `eslint`.
// Per project: `npx nx run <project>:lint`.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Which tags a project with `sourceTag` may import. Tags are set in each project.json. */
const depConstraints = [
  // the contracts everything else builds on: depends on nothing of ours
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
  // backend-agnostic tensor ops for models and losses (its specs use the test helpers)
  { sourceTag: 'scope:ops', onlyDependOnLibsWithTags: ['scope:core', 'scope:testing'] },
  // file formats and the sample data: leaves
  { sourceTag: 'scope:util', onlyDependOnLibsWithTags: ['scope:core', 'scope:util'] },
  // code plugins of one kind share (data-records): the same freedoms as a plugin
  { sourceTag: 'scope:plugin-lib', onlyDependOnLibsWithTags: ['scope:core', 'scope:ops', 'scope:util', 'scope:testing'] },
  // plugins: core + ops (+ safetensors, sample data), their kind's shared code, the contract suites;
  // never another plugin, the backend, the collective, the engine or an app
  {
    sourceTag: 'scope:plugin',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:ops', 'scope:util', 'scope:plugin-lib', 'scope:testing'],
  },
  // a kind's shared code is for that kind only
  { sourceTag: 'type:data', notDependOnLibsWithTags: ['type:tokenizer', 'type:model', 'type:loss', 'type:eval'] },
  { sourceTag: 'type:tokenizer', notDependOnLibsWithTags: ['type:data', 'type:model', 'type:loss', 'type:eval'] },
  { sourceTag: 'type:model', notDependOnLibsWithTags: ['type:data', 'type:tokenizer', 'type:loss', 'type:eval'] },
  { sourceTag: 'type:loss', notDependOnLibsWithTags: ['type:data', 'type:tokenizer', 'type:model', 'type:eval'] },
  { sourceTag: 'type:eval', notDependOnLibsWithTags: ['type:data', 'type:tokenizer', 'type:model', 'type:loss'] },
  // the contract suites start a backend for the specs that use them
  { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:core', 'scope:ops', 'scope:util', 'scope:backend'] },
  { sourceTag: 'scope:backend', onlyDependOnLibsWithTags: ['scope:core', 'scope:util'] },
  { sourceTag: 'scope:proto', onlyDependOnLibsWithTags: ['scope:core', 'scope:util'] },
  { sourceTag: 'scope:collective', onlyDependOnLibsWithTags: ['scope:core', 'scope:util', 'scope:proto', 'scope:testing'] },
  // the training engine runs any plugin through its contract, so it imports none (specs may)
  {
    sourceTag: 'scope:engine',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:ops', 'scope:util', 'scope:backend', 'scope:collective', 'scope:proto', 'scope:testing'],
  },
  // what every app shares (registry of shipped plugins, dataset preparation): no training code
  { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: ['scope:core', 'scope:ops', 'scope:util', 'scope:plugin', 'scope:plugin-lib'] },
  {
    sourceTag: 'scope:training',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:ops', 'scope:util', 'scope:engine', 'scope:runtime', 'scope:plugin', 'scope:testing'],
  },
  // workspace tooling (scaffolder, bundler, GPU checks) may use any library, but not import an app
  { sourceTag: 'scope:tools', notDependOnLibsWithTags: ['scope:app'] },
  // apps compose everything; nothing imports an app
  { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['*'] },
  // an app that only scores (the evaluator) does not load the training code
  { sourceTag: 'app:scoring', notDependOnLibsWithTags: ['scope:training'] },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', 'tmp/**', '.nx/**', 'packages/proto/src/generated/**', 'tools/lint/fixtures/**'] },
  {
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts', 'tools/*/src/**/*.ts', 'tools/lint/**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@nx': nx, '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allowCircularSelfDependency: false, depConstraints },
      ],
      '@typescript-eslint/no-require-imports': 'error',
      'no-debugger': 'error',
    },
  },
];
