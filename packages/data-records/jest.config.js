module.exports = { ...require('../../jest.preset.js'), displayName: 'data-records', rootDir: __dirname };
