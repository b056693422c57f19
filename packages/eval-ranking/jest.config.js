module.exports = { ...require('../../jest.preset.js'), displayName: 'eval-ranking', rootDir: __dirname };
