module.exports = { ...require('../../jest.preset.js'), displayName: 'eval-data-health', rootDir: __dirname };
