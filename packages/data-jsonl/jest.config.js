module.exports = { ...require('../../jest.preset.js'), displayName: 'data-jsonl', rootDir: __dirname };
