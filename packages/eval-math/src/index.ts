// What the evaluator plugins share (a plugin never imports another plugin).
export { bootstrapMeanCi, BootstrapConfigSchema, type BootstrapConfig } from './bootstrap';
export { isDataTie, pairOutcome, decidedPairs } from './outcome';
export { quantileEdges, bucketAccuracy, type Bucket } from './buckets';
