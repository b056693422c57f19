/**
 * Probing the native TensorFlow packages, which are optional: their install downloads
 * libtensorflow (and CUDA libraries for -gpu), which fails offline, and npm then drops them
 * quietly. Loading one registers a backend named 'tensorflow' on the shared tfjs-core engine.
 */
import * as tf from '@tensorflow/tfjs-core';

export const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
export const TFJS_NODE = '@tensorflow/tfjs-node';
export type NodeBackendPackage = typeof TFJS_NODE_GPU | typeof TFJS_NODE;

export type NodeBackendProbe = { readonly loaded: true } | { readonly loaded: false; readonly reason: string };

/** One probe per package per process: a failed native load is not retried, a good one not redone. */
const probes = new Map<NodeBackendPackage, NodeBackendProbe>();

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}

function load(pkg: NodeBackendPackage): NodeBackendProbe {
  // A variable target keeps bundlers and the type checker from resolving the optional package.
  const id: string = pkg;
  try {
    require.resolve(id);
  } catch {
    return {
      loaded: false,
      reason: `${pkg} is not installed (optional dependency; its install needs network access to download libtensorflow)`,
    };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(id);
  } catch (err) {
    // Installed but broken: typically the native binding or a CUDA library is missing.
    return { loaded: false, reason: `${pkg} is installed but failed to load: ${firstLine(err)}` };
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    return {
      loaded: false,
      reason: `${pkg} loaded but registered no 'tensorflow' backend on this @tensorflow/tfjs-core (two tfjs-core copies installed?)`,
    };
  }
  return { loaded: true };
}

/** Loads `pkg` once (side effect: registers the 'tensorflow' backend) and says whether it worked. */
export function probeNodeBackend(pkg: NodeBackendPackage): NodeBackendProbe {
  let probe = probes.get(pkg);
  if (probe === undefined) {
    probe = load(pkg);
    probes.set(pkg, probe);
  }
  return probe;
}

/** What CUDA_VISIBLE_DEVICES lets TensorFlow see; '' and '-1' hide every GPU. */
export function cudaVisibility(env: NodeJS.ProcessEnv = process.env): { readonly visible: boolean; readonly note: string } {
  const devices = env.CUDA_VISIBLE_DEVICES;
  if (devices === undefined) return { visible: true, note: 'CUDA_VISIBLE_DEVICES unset: every GPU visible' };
  const trimmed = devices.trim();
  if (trimmed === '' || trimmed === '-1') {
    return { visible: false, note: `CUDA_VISIBLE_DEVICES=${JSON.stringify(devices)} hides every GPU` };
  }
  return { visible: true, note: `CUDA_VISIBLE_DEVICES=${trimmed}` };
}
