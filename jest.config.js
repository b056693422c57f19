// One jest run over every project (packages/*, apps/*, tools/*): `npm test` and .ci/run use it.
const fs = require('node:fs');
const path = require('node:path');

const projects = ['packages', 'apps', 'tools'].flatMap((group) => {
  const dir = path.join(__dirname, group);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => path.join(dir, name, 'jest.config.js'))
    .filter((file) => fs.existsSync(file));
});

// some tests train real models or run several processes; none should come near this
module.exports = { projects, testTimeout: 60000 };
