// The public API of @rewardkit/collective: what a worker needs to sum gradients with its peers.
export { GRADIENT_WIRES, type Collective, type CollectiveAlgorithm, type CollectiveTuning, type GradientWire } from './collective';
export { fromBf16, roundToBf16, toBf16 } from './bf16';
export { bindCollective, createCollective, type CollectiveEndpoint, type CollectiveOptions, type ConnectOptions } from './create-collective';
export { collectiveKey } from './link-auth';
export { LocalCollective } from './local';
