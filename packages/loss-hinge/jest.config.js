module.exports = { ...require('../../jest.preset.js'), displayName: 'loss-hinge', rootDir: __dirname };
