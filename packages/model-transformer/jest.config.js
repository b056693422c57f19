module.exports = { ...require('../../jest.preset.js'), displayName: 'model-transformer', rootDir: __dirname };
