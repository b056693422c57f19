module.exports = { ...require('../../jest.preset.js'), displayName: 'loss-bradley-terry', rootDir: __dirname };
