// The public API of @rewardkit/engine: one replica (its step, parameter store and optimizer), the
// service that runs it for 1 or N workers, and what a training loop or a scoring app needs around it.
export { GRADIENT_STATS, Replica, type ReplicaConfig, type StepOutcome } from './replica';
export { ReplicaService, type GradientReducer, type ModelRef, type ReplicaServiceOptions, type StepRequest } from './replica-service';
export { PARAMETER_STORE_ENV, type StoreChoice, type StoreKind } from './parameter-store';
export { type RowSparseMode } from './row-sparse';
export { BatchSampler, type BatchSamplerOptions, type SamplerState } from './batch-sampler';
export { learningRate } from './lr-schedule';
export { DynamicLossScale, type LossScaleOptions, type LossScaleState } from './loss-scale';
export { readTensorInto } from './parameter-store-transfer';
export { GRAD_READ_OVERLAP_ENV, setGradientReadOverlap } from './gradient-overlap';
export { shardByTokens } from './shard-by-tokens';
export { WeightAverage, type WeightAverageState } from './weight-average';
export {
  checkpointDir,
  latestCheckpoint,
  listCheckpoints,
  pruneCheckpoints,
  readCheckpoint,
  readCheckpointState,
  saveCheckpoint,
  verifyCheckpoint,
  type CheckpointState,
} from './checkpoint';
export { exportModelDir, loadModelDir, type LoadedModelDir, type ModelDirMeta } from './model-dir';
export { scorePairs, type PairRewards } from './score-pairs';
export { scoreSequences } from './score-sequences';
