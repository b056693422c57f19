import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The dependency arrows (eslint.config.mjs): each fixture is linted as if it sat in a real project,
 * and the whole tree must lint clean. The fixtures are checked in under fixtures/ (excluded from the
 * normal lint run) and handed to ESLint as text, so no file appears in another project's folder.
 */
const root = path.resolve(__dirname, '..', '..', '..');
const BOUNDARY = '@nx/enforce-module-boundaries';

interface LintMessage {
  readonly ruleId: string | null;
  readonly line: number;
  readonly message: string;
}

function run(command: string, args: string[], input?: string) {
  const res = spawnSync(command, args, { cwd: root, input, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } });
  if (res.error) throw res.error;
  return res;
}

/** Lints each fixture as `asFile`; returns the messages per fixture. */
function lintAs(cases: ReadonlyArray<{ fixture: string; asFile: string }>): LintMessage[][] {
  const input = cases.map(({ fixture, asFile }) => ({
    filePath: asFile,
    text: fs.readFileSync(path.join(__dirname, '..', 'fixtures', fixture), 'utf8'),
  }));
  const res = run(process.execPath, [path.join(__dirname, '..', 'lint-cases.mjs')], JSON.stringify(input));
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout) as LintMessage[][];
}

const LOSS = 'packages/loss-bradley-terry/src/fixture.ts';
/** fixture, the file it is linted as, what the boundary error must say (undefined: must pass) */
const CASES: ReadonlyArray<readonly [string, string, RegExp | undefined]> = [
  ['plugin-imports-plugin.ts', LOSS, /tagged with "scope:plugin" can only depend on libs tagged with "scope:core", "scope:ops"/],
  ['plugin-imports-backend.ts', LOSS, /tagged with "scope:plugin" can only depend on/],
  ['plugin-imports-by-path.ts', LOSS, /cannot be imported by a relative or absolute path/],
  ['model-imports-data-records.ts', 'packages/model-bag/src/fixture.ts', /tagged with "type:model" can not depend on libs tagged with "type:data"/],
  ['engine-imports-runtime.ts', 'packages/engine/src/fixture.ts', /tagged with "scope:engine" can only depend on/],
  ['scoring-app-imports-training.ts', 'apps/evaluator/src/fixture.ts', /tagged with "app:scoring" can not depend on libs tagged with "scope:training"/],
  // the control case: the same rule, an allowed arrow
  ['loss-imports-ops.ts', LOSS, undefined],
];

describe('module boundaries', () => {
  let results: LintMessage[][];
  beforeAll(() => {
    // the rule skips itself (a warning, no error) without Nx's cached project graph
    expect(run('npx', ['nx', 'show', 'projects']).status).toBe(0);
    results = lintAs(CASES.map(([fixture, asFile]) => ({ fixture, asFile }))); // one ESLint start for all
  }, 120_000);

  it.each(CASES.map((c, i) => [...c, i] as const))('%s linted as %s', (_fixture, _asFile, why, i) => {
    expect(results[i]).toEqual(why ? [{ ruleId: BOUNDARY, line: 3, message: expect.stringMatching(why) }] : []);
  });

  it('the workspace lints clean, as CI runs it', () => {
    const res = run('bash', ['tools/lint/run-lint.sh', '--format', 'json']);
    const files = JSON.parse(res.stdout) as Array<{ filePath: string; messages: LintMessage[] }>;
    const problems = files.flatMap((f) => f.messages.map((m) => `${path.relative(root, f.filePath)}:${m.line} ${m.ruleId}: ${m.message}`));
    expect(problems).toEqual([]);
    expect(res.status).toBe(0);
    // it linted the real tree, fixtures excluded
    expect(files.some((f) => f.filePath.endsWith(path.join('packages', 'core', 'src', 'registry.ts')))).toBe(true);
    expect(files.some((f) => f.filePath.includes(path.join('tools', 'lint', 'fixtures')))).toBe(false);
  }, 120_000);
});
