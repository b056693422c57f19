// Socket tests run many ranks on a 2-core machine shared with other suites: allow more than jest's 5 s.
module.exports = { ...require('../../jest.preset.js'), displayName: 'collective', rootDir: __dirname, testTimeout: 30_000 };
