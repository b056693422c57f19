const path = require('node:path');
const preset = require('../../jest.preset.js');

// The report's charts come from vega and vega-lite, ESM-only like their d3 modules: jest compiles them to
// CommonJS as it does hyparquet. vega-canvas's node build opens with a top-level await (an optional
// import of node-canvas, which is not installed), so jest takes its browser build: the same functions
// without that import, and SVG text is measured by estimate either way.
module.exports = {
  ...preset,
  displayName: 'evaluator',
  rootDir: __dirname,
  transformIgnorePatterns: [
    '/node_modules/(?!(hyparquet|hyparquet-writer|@huggingface|vega[a-z-]*|d3-[a-z-]+|internmap|delaunator|robust-predicates|topojson-client|json-stringify-pretty-compact)/)',
  ],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^vega-canvas$': path.join(__dirname, '../../node_modules/vega-canvas/build/vega-canvas.browser.js'),
  },
};
