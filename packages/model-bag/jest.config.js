module.exports = { ...require('../../jest.preset.js'), displayName: 'model-bag', rootDir: __dirname };
