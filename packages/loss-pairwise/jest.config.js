module.exports = { ...require('../../jest.preset.js'), displayName: 'loss-pairwise', rootDir: __dirname };
