module.exports = { ...require('../../jest.preset.js'), displayName: 'data-parquet', rootDir: __dirname };
