module.exports = { ...require('../../jest.preset.js'), displayName: 'eval-sections', rootDir: __dirname };
