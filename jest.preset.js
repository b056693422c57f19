// Shared jest settings: swc compiles TypeScript (type checking is the separate `typecheck` target),
// and @rewardkit/* resolves to the packages' sources, as tsconfig.base.json's `paths` does.
const path = require('node:path');

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  // some tests train real models or run several processes; none should come near this
  testTimeout: 60000,
  transform: {
    '^.+\\.(t|j|mj)s$': [
      require.resolve('@swc/jest'),
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // ESM-only dependencies are compiled to CommonJS like our own sources.
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-writer|@huggingface)/)'],
  moduleNameMapper: {
    '^@rewardkit/([a-z0-9-]+)$': path.join(root, 'packages/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
