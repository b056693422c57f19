import * as tf from '@tensorflow/tfjs-core';
import { describeModelContract } from '@rewardkit/testing';
import { transformerModel } from './transformer.plugin';

tf.env().set('IS_TEST', true); // quiets tfjs's "install tfjs-node" banner

// The shared model suite, on the reference backend and on the one training uses.
const config = { nLayer: 1, nHead: 2, nEmbd: 16, nPositions: 32 };
describeModelContract(transformerModel, { config, backend: 'cpu' });
describeModelContract(transformerModel, { config, backend: 'wasm' });
// Pooled over the response instead of read at the EOS: the same contract (padding, gradients, leaks).
describeModelContract(transformerModel, { config: { ...config, pool: 'response' }, backend: 'wasm' });
