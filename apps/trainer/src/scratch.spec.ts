import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logRaw } from '@rewardkit/core';
import { useScratch } from './scratch.spec-helper';

// 'error' passes any REWARDKIT_LOG_LEVEL, so each line reaches the sink
const log = (line: string) => logRaw('error', line);

/** Whether the core logger writes `line` to stderr (its sink when no test has set one). */
const reachesStderr = (line: string): boolean => {
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    log(line);
    return write.mock.calls.some(([chunk]) => chunk === `${line}\n`);
  } finally {
    write.mockRestore();
  }
};

const seen: { dirs: string[]; atTeardown?: { dirExists: boolean; lines: string[] } } = { dirs: [] };

describe('useScratch for a whole block', () => {
  const scratch = useScratch('rk-scratch-', {
    logs: 'record',
    teardown: () => {
      log('closing');
      seen.atTeardown = { dirExists: fs.existsSync(scratch.dir), lines: [...scratch.lines] };
    },
  });

  it('makes one dir under os.tmpdir() named by the prefix and records the log lines', () => {
    seen.dirs.push(scratch.dir);
    expect(path.dirname(scratch.dir)).toBe(os.tmpdir());
    expect(path.basename(scratch.dir)).toMatch(/^rk-scratch-\w{6}$/);
    expect(fs.statSync(scratch.dir).isDirectory()).toBe(true);
    log('first');
    expect(scratch.lines).toEqual(['first']);
  });

  it('keeps the dir and the lines for the next test', () => {
    expect(scratch.dir).toBe(seen.dirs[0]);
    expect(scratch.lines).toEqual(['first']);
  });
});

describe('useScratch after a block', () => {
  it('ran the teardown while the dir and the recording were still there, then removed the dir and gave stderr back', () => {
    expect(seen.atTeardown).toEqual({ dirExists: true, lines: ['first', 'closing'] });
    expect(fs.existsSync(seen.dirs[0])).toBe(false);
    expect(reachesStderr('useScratch spec: the logger is back on stderr (expected line)')).toBe(true);
  });
});

describe('useScratch per test, quiet', () => {
  const scratch = useScratch('rk-scratch-each-', { each: true, logs: 'quiet' });
  const dirs: string[] = [];

  it.each([1, 2])('test %i gets a fresh dir, the one before is gone, and nothing is logged', (n) => {
    dirs.push(scratch.dir);
    expect(fs.existsSync(scratch.dir)).toBe(true);
    expect(new Set(dirs).size).toBe(n);
    if (n === 2) expect(fs.existsSync(dirs[0])).toBe(false);
    expect(reachesStderr(`useScratch spec: quiet test ${n}`)).toBe(false);
  });
});

describe('useScratch per test, recording', () => {
  const scratch = useScratch('rk-scratch-lines-', { each: true, logs: 'record' });

  it.each([1, 2])('test %i starts with no lines', (n) => {
    expect(scratch.lines).toEqual([]);
    log(`test ${n}`);
    expect(scratch.lines).toEqual([`test ${n}`]);
  });
});

describe('useScratch while the block is declared', () => {
  const scratch = useScratch('rk-scratch-early-');
  let early: unknown;
  try {
    early = scratch.dir;
  } catch (err) {
    early = err;
  }

  it('refuses to give a dir that does not exist yet', () => {
    expect(early).toBeInstanceOf(Error);
    expect((early as Error).message).toMatch(/useScratch\('rk-scratch-early-'\): the dir exists only inside hooks and tests/);
  });
});
