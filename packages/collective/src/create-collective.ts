/**
 * Building a collective, in two phases because of rendezvous: a worker binds its receive socket first
 * (so it can tell the coordinator where it listens, Hello.collective_address), and only learns its rank
 * and everyone's addresses later (Welcome). `bindCollective` is phase one; `endpoint.connect` phase
 * two. `createCollective` does both when the addresses are known up front (tests, fixed ipc paths).
 */
import { CollectiveError, createLogger } from '@rewardkit/core';
import * as zmq from 'zeromq';
import {
  DEFAULT_CHUNK_BYTES,
  DEFAULT_LINGER_MS,
  DEFAULT_TIMEOUT_MS,
  type Collective,
  type CollectiveAlgorithm,
  type CollectiveTuning,
  GRADIENT_WIRES,
} from './collective';
import { LocalCollective } from './local';
import { PeerLinks } from './peer-links';
import { RingCollective } from './ring-all-reduce';
import { StarCollective } from './star-all-reduce';

const log = createLogger('collective');

const ALGORITHMS: readonly CollectiveAlgorithm[] = ['ring', 'star', 'local'];

export interface ConnectOptions extends CollectiveTuning {
  readonly algorithm: CollectiveAlgorithm;
  readonly rank: number;
  readonly worldSize: number;
  /** Every rank's bound address, index = rank (this rank's own entry is not used). */
  readonly peerAddresses: readonly string[];
}

export interface CollectiveOptions extends ConnectOptions {
  /** Where this rank's receive socket binds; "tcp://127.0.0.1:0" picks a free port. */
  readonly bindAddress: string;
}

/** A bound receive socket waiting for its rank and peers. Owns the socket until `connect`. */
export interface CollectiveEndpoint {
  /** The address peers connect to (a tcp port 0 resolved to the real port). */
  readonly address: string;
  /** Hands the socket to a new collective; the endpoint is spent afterwards. */
  connect(opts: ConnectOptions): Collective;
  /** Releases the socket if `connect` was never called. */
  close(): void;
}

/** Binds this rank's receive socket (validation failures in `connect` close it). "tcp://host:0" (or ":*") binds a free port. */
export async function bindCollective(bindAddress: string): Promise<CollectiveEndpoint> {
  if (bindAddress.startsWith('inproc:')) {
    // inproc hands the sender's memory itself to the receiver, which the algorithms' zero-copy
    // reasoning (ring-all-reduce.ts) does not allow for; ipc is as cheap between processes.
    throw new CollectiveError(`cannot bind the collective socket at ${bindAddress}: inproc is not supported, use ipc:// or tcp://`);
  }
  const pull = new zmq.Pull();
  try {
    await pull.bind(bindAddress.replace(/^(tcp:\/\/.*):0$/, '$1:*'));
  } catch (err) {
    pull.close();
    throw new CollectiveError(`cannot bind the collective socket at ${bindAddress}: ${(err as Error).message}`);
  }
  const address = pull.lastEndpoint ?? bindAddress;
  let owned = true;
  return {
    address,
    connect(opts) {
      if (!owned) throw new CollectiveError(`collective endpoint ${address} was already connected or closed`);
      owned = false;
      try {
        return connectCollective(pull, address, opts);
      } catch (err) {
        pull.close();
        throw err;
      }
    },
    close() {
      if (owned) pull.close();
      owned = false;
    },
  };
}

/** Bind and connect in one step, for when every address is known before binding. */
export async function createCollective(opts: CollectiveOptions): Promise<Collective> {
  if (opts.algorithm === 'local') return connectCollective(undefined, '', opts);
  const endpoint = await bindCollective(opts.bindAddress);
  return endpoint.connect(opts);
}

function connectCollective(pull: zmq.Pull | undefined, address: string, opts: ConnectOptions): Collective {
  const { algorithm, rank, worldSize, peerAddresses } = opts;
  if (!ALGORITHMS.includes(algorithm)) {
    throw new CollectiveError(`unknown collective algorithm "${algorithm}" (known: ${ALGORITHMS.join(', ')})`);
  }
  if (!Number.isInteger(worldSize) || worldSize < 1 || !Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new CollectiveError(`invalid collective placement: rank ${rank} of world size ${worldSize}`);
  }
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!(chunkBytes >= 4)) throw new CollectiveError(`rank ${rank}: chunkBytes must be at least 4 (one float), got ${chunkBytes}`);
  const chunkElems = Math.floor(chunkBytes / 4);
  const wire = opts.wire ?? 'f32';
  if (!GRADIENT_WIRES.includes(wire)) {
    throw new CollectiveError(`rank ${rank}: unknown gradient wire "${wire}" (known: ${GRADIENT_WIRES.join(', ')})`);
  }
  const exactTail = opts.exactTail ?? 0;
  if (!(Number.isInteger(exactTail) && exactTail >= 0)) throw new CollectiveError(`rank ${rank}: exactTail must be a whole number >= 0, got ${exactTail}`);
  if (wire === 'bf16' && algorithm === 'star' && worldSize > 1) {
    throw new CollectiveError(`rank ${rank}: the bf16 gradient wire is built for the ring all-reduce only, not "${algorithm}"`);
  }
  if (algorithm === 'local' || !pull) {
    if (worldSize !== 1) throw new CollectiveError(`rank ${rank}: the local collective only serves world size 1, not ${worldSize}`);
    pull?.close(); // bound by a generic endpoint, not needed by one process
    return new LocalCollective();
  }
  if (worldSize > 1 && peerAddresses.length !== worldSize) {
    throw new CollectiveError(`rank ${rank}: ${peerAddresses.length} peer addresses for a world of ${worldSize}`);
  }
  const settings = {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    lingerMs: opts.lingerMs ?? DEFAULT_LINGER_MS,
    generation: opts.generation ?? 0,
    key: opts.key,
  };
  const others = Array.from({ length: worldSize }, (_, r) => r).filter((r) => r !== rank);
  const sendTo = worldSize === 1 ? [] : algorithm === 'ring' ? [(rank + 1) % worldSize] : others;
  const links = new PeerLinks(rank, pull, peerAddresses, sendTo, settings);
  log.debug(`rank ${rank}/${worldSize} ${algorithm} at ${address}, sends to ${sendTo.map((r) => `${r}@${peerAddresses[r]}`).join(', ') || 'nobody'}`);
  return algorithm === 'ring'
    ? new RingCollective(links, rank, worldSize, chunkElems, wire, exactTail)
    : new StarCollective(links, rank, worldSize, chunkElems);
}
