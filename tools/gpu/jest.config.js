module.exports = { ...require('../../jest.preset.js'), displayName: 'gpu-tools', rootDir: __dirname };
