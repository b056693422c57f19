// The public API of @rewardkit/collective: what a worker needs to sum gradients with its peers.
export type { Collective, CollectiveAlgorithm, CollectiveTuning } from './collective';
export { bindCollective, createCollective, type CollectiveEndpoint, type CollectiveOptions, type ConnectOptions } from './create-collective';
export { collectiveKey } from './link-auth';
export { LocalCollective } from './local';
