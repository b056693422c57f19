/**
 * The tensor backends rewardkit can run on, named once: the run-config schema, the trainer's
 * `--backend` choices and `@rewardkit/backend` all read this list.
 *
 * 'tensorflow' is native TensorFlow (@tensorflow/tfjs-node or -gpu), 'webgpu' is
 * @tensorflow/tfjs-backend-webgpu over Dawn (Vulkan on Linux), 'wasm' and 'cpu' are tfjs's own.
 */
export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** 'auto' picks the fastest that loads (order and rules: packages/backend/src/init-backend.ts). */
export const BACKEND_PREFERENCES = ['auto', ...BACKEND_NAMES] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
