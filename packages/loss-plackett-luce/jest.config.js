module.exports = { ...require('../../jest.preset.js'), displayName: 'loss-plackett-luce', rootDir: __dirname };
