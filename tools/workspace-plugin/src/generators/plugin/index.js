// Nx loads generator factories with plain require(); Node 20 cannot strip types and neither
// ts-node nor @swc-node is installed, so register tsx (a dependency already) and load the TS.
require('tsx/cjs');
module.exports = require('./generator.ts');
