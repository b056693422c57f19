// Lints source texts as if they were files at the given paths, through ESLint's Node API and the
// workspace's eslint.config.mjs: stdin is [{filePath, text}], stdout the messages of each.
// Used by module-boundaries.spec.ts (jest cannot load an ESM config itself). Needs Nx's cached
// project graph (run-lint.sh, or `npx nx show projects`).
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const cases = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: root });
const out = [];
for (const { filePath, text } of cases) {
  const [result] = await eslint.lintText(text, { filePath: path.join(root, filePath) });
  out.push(result.messages.map(({ ruleId, line, message }) => ({ ruleId, line, message })));
}
process.stdout.write(JSON.stringify(out));
