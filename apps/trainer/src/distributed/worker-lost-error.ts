import { CollectiveError } from '@rewardkit/core';

/** A worker died, went silent or lost its ring: the step can be replayed after `recover`. */
export class WorkerLostError extends CollectiveError {}
