import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setLogSink } from '@rewardkit/core';

/** What a spec block works in: a temp dir, and the core logger's lines when they are recorded. */
export interface Scratch {
  /** The temp dir (under os.tmpdir()); read it in hooks and tests, not while the block is declared. */
  readonly dir: string;
  /** With logs 'record': every line the core logger wrote. The same array throughout, emptied when a new dir is made. */
  readonly lines: string[];
}

export interface ScratchOptions {
  /** A fresh dir (and fresh lines) per test instead of one for the whole block. */
  readonly each?: boolean;
  /** 'quiet' drops the core logger's lines, 'record' keeps them in `lines`; unset leaves the logger alone. */
  readonly logs?: 'quiet' | 'record';
  /**
   * Runs first when the block (or test) ends, while the dir and the log sink are still there: closing
   * processes that write into the dir or log. It is an option because jest runs after-hooks in the
   * order they were declared, so one the block declares itself would run after the dir is gone.
   * Setup needs no option: beforeAll/beforeEach hooks declared after this call already see the dir.
   */
  readonly teardown?: () => unknown;
}

/**
 * For a describe block: makes a temp dir named `prefix…` before its tests (or each test), quiets or
 * records the core logger meanwhile, and afterwards restores the logger and removes the dir.
 */
export function useScratch(prefix: string, options: ScratchOptions = {}): Scratch {
  let dir: string | undefined;
  const lines: string[] = [];
  const setup = () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    lines.length = 0;
    if (options.logs === 'quiet') setLogSink(() => undefined);
    if (options.logs === 'record') setLogSink((_level, line) => lines.push(line));
  };
  const cleanup = async () => {
    await options.teardown?.();
    if (options.logs) setLogSink(undefined);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
  if (options.each) {
    beforeEach(setup);
    afterEach(cleanup);
  } else {
    beforeAll(setup);
    afterAll(cleanup);
  }
  return {
    get dir() {
      if (dir === undefined) throw new Error(`useScratch('${prefix}'): the dir exists only inside hooks and tests`);
      return dir;
    },
    lines,
  };
}
