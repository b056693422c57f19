module.exports = { ...require('../../jest.preset.js'), displayName: 'tokenizers', rootDir: __dirname };
