import os from 'node:os';
import type { Logger } from '@rewardkit/core';

/** Ctrl-C, and what job schedulers, `docker stop` and `kill` send. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * The coordinator's answer to SIGINT and SIGTERM alike: the first asks the training loop to finish
 * its step, write a checkpoint and reap the workers, and aborts any wait (for external workers);
 * a second leaves at once. Either way the process ends with the shell's code for the signal
 * (130 for SIGINT, 143 for SIGTERM), so a script or scheduler never mistakes a stop for success.
 */
export class StopSignals {
  private received?: StopSignal;
  private readonly controller = new AbortController();
  private readonly handler = (signal: StopSignal) => {
    if (this.received) process.exit(exitCodeFor(signal)); // the second: leave now
    this.received = signal;
    this.log.warn(`${signal}: finishing this step and writing a checkpoint (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit at once)`);
    this.controller.abort(signal);
  };

  constructor(private readonly log: Logger) {
    for (const s of STOP_SIGNALS) process.on(s, this.handler);
  }

  /** True once a stop signal came. */
  get requested(): boolean {
    return this.received !== undefined;
  }

  /** Aborted by the first stop signal: hand it to anything that waits. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** 128 + the signal's number once one came (the shell's convention), else undefined. */
  get exitCode(): number | undefined {
    return this.received && exitCodeFor(this.received);
  }

  dispose(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.handler);
  }
}

export function exitCodeFor(signal: NodeJS.Signals): number {
  return 128 + os.constants.signals[signal];
}
