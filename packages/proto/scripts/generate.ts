/**
 * Writes src/generated/rewardkit.ts from proto/rewardkit/v1/rewardkit.proto.
 *   npx nx run proto:generate        (or: npx tsx packages/proto/scripts/generate.ts)
 *   ... generate.ts --check          exits 1 when the committed file is stale, writes nothing
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadSchema, PROTO_FILE, PROTO_PACKAGE } from '../src/schema';
import { renderTypes } from './render-types';

/** The committed output file. */
export const GENERATED_FILE = path.resolve(__dirname, '../src/generated/rewardkit.ts');

/** What the generated file should contain for the current schema. */
export function renderGenerated(): string {
  return renderTypes(loadSchema(), PROTO_PACKAGE, {
    source: `proto/${PROTO_FILE}`,
    generator: 'packages/proto/scripts/generate.ts (npx nx run proto:generate)',
  });
}

function main(): void {
  const text = renderGenerated();
  const current = fs.existsSync(GENERATED_FILE) ? fs.readFileSync(GENERATED_FILE, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (current !== text) {
      process.stderr.write(`${GENERATED_FILE} is stale: run npx nx run proto:generate\n`);
      process.exitCode = 1;
    }
    return;
  }
  if (current === text) return;
  fs.mkdirSync(path.dirname(GENERATED_FILE), { recursive: true });
  fs.writeFileSync(GENERATED_FILE, text);
  process.stderr.write(`wrote ${path.relative(process.cwd(), GENERATED_FILE)}\n`);
}

if (require.main === module) main();
