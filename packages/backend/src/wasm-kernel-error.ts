/**
 * A wasm kernel of ours that cannot run where it should: names the kernel or module and why.
 * (Lives here, not in @rewardkit/core's errors.ts, because only the backend raises it.)
 */
import { RewardkitError } from '@rewardkit/core';

export class WasmKernelError extends RewardkitError {
  constructor(
    readonly kernel: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super('E_WASM_KERNEL', `wasm kernel ${kernel}: ${problem}`);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
