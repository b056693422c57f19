// Training-only code, kept out of @rewardkit/runtime so that apps which only score (the
// evaluator) do not load the optimizer and replica machinery.
export { buildReplica } from './build-replica';
