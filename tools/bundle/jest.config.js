module.exports = { ...require('../../jest.preset.js'), displayName: 'bundle', rootDir: __dirname };
