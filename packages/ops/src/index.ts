// Ops that models and losses call instead of a tfjs-core op that misbehaves on some backend or
// under a gradient tape; each has a float64 reference test of its value and gradient.
export { logSigmoid } from './log-sigmoid';
