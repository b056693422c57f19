module.exports = { ...require('../../jest.preset.js'), displayName: 'eval-accuracy', rootDir: __dirname };
