module.exports = { ...require('../../jest.preset.js'), displayName: 'eval-length-bias', rootDir: __dirname };
