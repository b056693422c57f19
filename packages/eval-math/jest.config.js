module.exports = { ...require('../../jest.preset.js'), displayName: 'eval-math', rootDir: __dirname };
