// Ops that models and losses call instead of a tfjs-core op that misbehaves on some backend or
// under a gradient tape, or that a backend runs as one fused kernel; each has a reference test
// of its value and gradient.
export { logSigmoid } from './log-sigmoid';
export { BIAS_GELU_KERNEL, BRADLEY_TERRY_LOSS_KERNEL, CAUSAL_ATTENTION_KERNEL, CAUSAL_ATTENTION_PACKED_KERNEL, FUSED_KERNEL_COVERS, hasFusedKernel, LAYER_NORM_KERNEL, type FusedKernelCovers } from './fused-kernel-names';
export { causalAttention, causalAttentionPacked, causalAttentionReference, paddedCausalBias, type AttentionShape } from './causal-attention';
export { layerNorm, layerNormReference } from './layer-norm';
export { biasGelu, biasGeluReference, gelu, type GeluActivation } from './bias-gelu';
export { bradleyTerryLossSum, bradleyTerryLossSumReference, type BradleyTerryLossOptions } from './bradley-terry-loss';
