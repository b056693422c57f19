module.exports = { ...require('../../jest.preset.js'), displayName: 'loss-bradley-terry-ties', rootDir: __dirname };
