module.exports = { ...require('../../jest.preset.js'), displayName: 'eval-reward-stats', rootDir: __dirname };
