module.exports = { ...require('../../jest.preset.js'), displayName: 'sample-data', rootDir: __dirname };
