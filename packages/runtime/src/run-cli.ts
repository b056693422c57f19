import type { Command } from 'commander';
import { RewardkitError } from '@rewardkit/core';

/**
 * Runs a command-line program. A user error (bad input, bad config) prints one line and exits 1,
 * with no stack trace; anything else is a bug and keeps its stack.
 */
export async function runCli(program: Command, argv = process.argv): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof RewardkitError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
