module.exports = { ...require('../../jest.preset.js'), displayName: 'eval-calibration', rootDir: __dirname };
