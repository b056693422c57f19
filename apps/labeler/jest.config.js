module.exports = { ...require('../../jest.preset.js'), displayName: 'labeler', rootDir: __dirname };
