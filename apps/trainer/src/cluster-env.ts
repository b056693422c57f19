/**
 * Who this process is in a scheduled job, read from the variables the scheduler sets: rank, world
 * size, rank on its node, and where rank 0 (the coordinator) listens. One pure function per
 * scheduler, from an environment object to a ClusterRole; nothing here opens a socket or a file.
 *
 *   slurm       SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID; the coordinator is the first host of
 *               SLURM_STEP_NODELIST (or SLURM_JOB_NODELIST), a hostlist such as `gpu[01-04]`
 *   kubernetes  an Indexed Job: JOB_COMPLETION_INDEX, REWARDKIT_WORLD_SIZE (= completions); the
 *               coordinator is pod 0 behind the headless Service REWARDKIT_SERVICE, i.e.
 *               `<job>-0.<service>` (the Job names its pods' hostnames `<job>-<index>`)
 *   torchrun    RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (torchrun, Kubeflow's
 *               PyTorchJob, and most launchers that copy them)
 *   mpi         OMPI_COMM_WORLD_{RANK,SIZE,LOCAL_RANK} (Open MPI) or PMI_RANK/PMI_SIZE/MPI_LOCALRANKID
 *               (MPICH, Intel MPI); the coordinator from MASTER_ADDR or REWARDKIT_COORDINATOR_HOST
 * Everywhere REWARDKIT_COORDINATOR_HOST / REWARDKIT_COORDINATOR_PORT / REWARDKIT_JOB_ID override
 * what is derived. `auto` tries the most specific launcher first: torchrun and mpirun set their
 * variables inside a Slurm or Kubernetes allocation, and then theirs are the true ranks.
 */
import net from 'node:net';
import { ConfigError } from '@rewardkit/core';

export const CLUSTER_KINDS = ['auto', 'slurm', 'kubernetes', 'torchrun', 'mpi', 'none'] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];
export type Scheduler = Exclude<ClusterKind, 'auto' | 'none'>;

/** The coordinator's port where the scheduler names none (torchrun's MASTER_PORT is 29500; keep clear of it). */
export const DEFAULT_COORDINATOR_PORT = 29400;

export type Env = Readonly<Record<string, string | undefined>>;

export interface ClusterRole {
  readonly scheduler: Scheduler;
  /** 0 is the coordinator (and also runs worker rank 0); 1..worldSize-1 are workers. */
  readonly rank: number;
  readonly worldSize: number;
  /** This rank's index among the ranks on its node. */
  readonly localRank: number;
  /**
   * The GPU this rank's worker uses on its node; undefined where the scheduler already gave the
   * process its own device (a Kubernetes pod sees only the GPU the device plugin allotted it).
   */
  readonly gpuIndex?: number;
  /** Host (name or IP) every rank reaches the coordinator at. */
  readonly coordinatorHost: string;
  readonly coordinatorPort: number;
  /** Same on every rank of one job, different between jobs: the coordinator admits only it. */
  readonly jobId: string;
}

/** The role for `kind` (undefined for `none`); a ConfigError names any variable missing or malformed. */
export function clusterRole(kind: ClusterKind, env: Env): ClusterRole | undefined {
  if (kind === 'none') return undefined;
  const scheduler = kind === 'auto' ? detectScheduler(env) : kind;
  const role = READERS[scheduler](env);
  if (role.rank >= role.worldSize) {
    throw new ConfigError(`--cluster=${scheduler}: rank ${role.rank} is not below the world size ${role.worldSize}`);
  }
  return role;
}

/** The scheduler whose variables are present, most specific launcher first. */
export function detectScheduler(env: Env): Scheduler {
  if (env.RANK !== undefined && env.WORLD_SIZE !== undefined) return 'torchrun';
  if (env.OMPI_COMM_WORLD_RANK !== undefined || env.PMI_RANK !== undefined) return 'mpi';
  if (env.JOB_COMPLETION_INDEX !== undefined) return 'kubernetes';
  if (env.SLURM_PROCID !== undefined) return 'slurm';
  throw new ConfigError(
    '--cluster=auto: no scheduler environment found (looked for RANK+WORLD_SIZE, OMPI_COMM_WORLD_RANK or PMI_RANK, ' +
      'JOB_COMPLETION_INDEX, SLURM_PROCID); name one with --cluster=slurm|kubernetes|torchrun|mpi',
  );
}

const READERS: Record<Scheduler, (env: Env) => ClusterRole> = {
  slurm(env) {
    const jobNumber = env.SLURM_JOB_ID;
    const localRank = int(env, 'slurm', 'SLURM_LOCALID');
    const nodelist = env.SLURM_STEP_NODELIST ?? env.SLURM_JOB_NODELIST ?? env.SLURM_NODELIST;
    return {
      scheduler: 'slurm',
      rank: int(env, 'slurm', 'SLURM_PROCID'),
      worldSize: positive(env, 'slurm', env.SLURM_NTASKS !== undefined ? 'SLURM_NTASKS' : 'SLURM_NPROCS'),
      localRank,
      gpuIndex: localRank,
      coordinatorHost: env.REWARDKIT_COORDINATOR_HOST ?? firstHost(required(env, 'slurm', 'SLURM_STEP_NODELIST', nodelist)),
      // two jobs sharing a node must not both want one port: derive it from the job's number
      coordinatorPort: port(env, 'slurm', DEFAULT_COORDINATOR_PORT + (Number(jobNumber ?? 0) % 1000)),
      jobId: env.REWARDKIT_JOB_ID ?? `slurm-${required(env, 'slurm', 'SLURM_JOB_ID')}`,
    };
  },
  kubernetes(env) {
    const rank = int(env, 'kubernetes', 'JOB_COMPLETION_INDEX');
    // an Indexed Job's pod is named <job>-<index>-<random>, its hostname <job>-<index>
    const hostname = env.HOSTNAME ?? '';
    const job = hostname.endsWith(`-${rank}`) ? hostname.slice(0, -`-${rank}`.length) : undefined;
    const coordinatorHost =
      env.REWARDKIT_COORDINATOR_HOST ??
      (job
        ? `${job}-0.${required(env, 'kubernetes', 'REWARDKIT_SERVICE')}`
        : required(env, 'kubernetes', 'REWARDKIT_COORDINATOR_HOST', undefined, `HOSTNAME "${hostname}" is not <job>-${rank}`));
    return {
      scheduler: 'kubernetes',
      rank,
      worldSize: positive(env, 'kubernetes', 'REWARDKIT_WORLD_SIZE'),
      localRank: 0, // one pod per rank
      gpuIndex: undefined, // the device plugin gave the pod its GPU
      coordinatorHost,
      coordinatorPort: port(env, 'kubernetes', DEFAULT_COORDINATOR_PORT),
      jobId: env.REWARDKIT_JOB_ID ?? `k8s-${job ?? required(env, 'kubernetes', 'REWARDKIT_JOB_ID')}`,
    };
  },
  torchrun(env) {
    const host = env.REWARDKIT_COORDINATOR_HOST ?? required(env, 'torchrun', 'MASTER_ADDR');
    const masterPort = required(env, 'torchrun', 'MASTER_PORT', env.REWARDKIT_COORDINATOR_PORT ?? env.MASTER_PORT);
    const localRank = int(env, 'torchrun', 'LOCAL_RANK');
    // torchrun's own agent may already serve its store on MASTER_PORT: take the port above
    const agentStore = env.TORCHELASTIC_USE_AGENT_STORE === 'True' ? 1 : 0;
    return {
      scheduler: 'torchrun',
      rank: int(env, 'torchrun', 'RANK'),
      worldSize: positive(env, 'torchrun', 'WORLD_SIZE'),
      localRank,
      gpuIndex: localRank,
      coordinatorHost: host,
      coordinatorPort: port(env, 'torchrun', Number(masterPort) + agentStore, 'MASTER_PORT'),
      jobId: env.REWARDKIT_JOB_ID ?? env.TORCHELASTIC_RUN_ID ?? `torchrun-${host}-${masterPort}`,
    };
  },
  mpi(env) {
    const ompi = env.OMPI_COMM_WORLD_RANK !== undefined;
    const [rankVar, sizeVar, localVar] = ompi
      ? ['OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE', 'OMPI_COMM_WORLD_LOCAL_RANK']
      : ['PMI_RANK', 'PMI_SIZE', 'MPI_LOCALRANKID'];
    const localRank = int(env, 'mpi', localVar);
    const host = env.REWARDKIT_COORDINATOR_HOST ?? required(env, 'mpi', 'MASTER_ADDR');
    return {
      scheduler: 'mpi',
      rank: int(env, 'mpi', rankVar),
      worldSize: positive(env, 'mpi', sizeVar),
      localRank,
      gpuIndex: localRank,
      coordinatorHost: host,
      coordinatorPort: port(env, 'mpi', env.MASTER_PORT !== undefined ? Number(env.MASTER_PORT) : DEFAULT_COORDINATOR_PORT, 'MASTER_PORT'),
      jobId: env.REWARDKIT_JOB_ID ?? `mpi-${host}`,
    };
  },
};

/**
 * The first host of a Slurm hostlist: `gpu[03-05,09],cpu1` -> `gpu03`, `rack[1-2]-n[07-08]` ->
 * `rack1-n07` (zero padding kept, as Slurm writes it).
 */
export function firstHost(hostlist: string): string {
  let depth = 0;
  let end = hostlist.length;
  for (let i = 0; i < hostlist.length; i++) {
    const c = hostlist[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      end = i;
      break;
    }
  }
  const first = hostlist.slice(0, end).replace(/\[([^\]]*)\]/g, (_, ranges: string) => ranges.split(',')[0].split('-')[0]);
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(first)) throw new ConfigError(`cannot read the first host of the Slurm node list "${hostlist}"`);
  return first;
}

/** Where rank 0 binds: the coordinator's IP where it is one, else every interface (ZeroMQ binds no host names). */
export function coordinatorBindAddress(role: ClusterRole): string {
  return `tcp://${net.isIPv4(role.coordinatorHost) ? role.coordinatorHost : '0.0.0.0'}:${role.coordinatorPort}`;
}

/** What every rank connects to. */
export function coordinatorAddress(role: ClusterRole): string {
  return `tcp://${role.coordinatorHost}:${role.coordinatorPort}`;
}

export interface NetworkInterfaceInfo {
  readonly address: string;
  readonly family: string | number;
  readonly internal: boolean;
}

/**
 * The IPv4 address this rank's ring socket binds and peers dial: REWARDKIT_COLLECTIVE_HOST, loopback
 * when the coordinator is on loopback (one host), the pod's IP (POD_IP, from the downward API), else
 * this host's first non-internal IPv4 address.
 */
export function collectiveHostFor(role: ClusterRole, env: Env, interfaces: Record<string, NetworkInterfaceInfo[] | undefined>): string {
  if (env.REWARDKIT_COLLECTIVE_HOST) return env.REWARDKIT_COLLECTIVE_HOST;
  if (role.coordinatorHost === 'localhost' || role.coordinatorHost.startsWith('127.')) return '127.0.0.1';
  if (env.POD_IP) return env.POD_IP;
  for (const list of Object.values(interfaces)) {
    const found = list?.find((i) => (i.family === 'IPv4' || i.family === 4) && !i.internal);
    if (found) return found.address;
  }
  throw new ConfigError('--cluster: no non-loopback IPv4 address on this host for the ring socket; set REWARDKIT_COLLECTIVE_HOST');
}

/**
 * The job token: the contents of REWARDKIT_TOKEN_FILE (a mounted Secret; surrounding whitespace
 * dropped), else REWARDKIT_TOKEN. Never argv: `ps` shows every process's command line.
 */
export function jobToken(env: Env, readFile: (file: string) => string): string {
  const file = env.REWARDKIT_TOKEN_FILE;
  let token: string | undefined;
  if (file) {
    try {
      token = readFile(file).trim();
    } catch (err) {
      throw new ConfigError(`REWARDKIT_TOKEN_FILE=${file}: cannot read the job token: ${(err as Error).message}`);
    }
    if (!token) throw new ConfigError(`REWARDKIT_TOKEN_FILE=${file} is empty`);
  } else token = env.REWARDKIT_TOKEN;
  if (!token) {
    throw new ConfigError('--cluster: no job token; set REWARDKIT_TOKEN_FILE (a mounted secret) or REWARDKIT_TOKEN, the same on every rank');
  }
  return token;
}

// --- reading variables

function required(env: Env, who: string, name: string, value = env[name], why = ''): string {
  if (value === undefined || value === '') throw new ConfigError(`--cluster=${who}: ${name} is not set${why ? ` (${why})` : ''}`);
  return value;
}

function int(env: Env, who: string, name: string): number {
  const raw = required(env, who, name);
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`--cluster=${who}: ${name}="${raw}" is not a non-negative integer`);
  return Number(raw);
}

function positive(env: Env, who: string, name: string): number {
  const n = int(env, who, name);
  if (n < 1) throw new ConfigError(`--cluster=${who}: ${name}=${n} must be at least 1`);
  return n;
}

function port(env: Env, who: string, fallback: number, fallbackName = ''): number {
  const name = env.REWARDKIT_COORDINATOR_PORT !== undefined ? 'REWARDKIT_COORDINATOR_PORT' : fallbackName;
  const n = env.REWARDKIT_COORDINATOR_PORT !== undefined ? Number(env.REWARDKIT_COORDINATOR_PORT) : fallback;
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ConfigError(`--cluster=${who}: ${name || 'the coordinator port'}="${name ? env[name] : n}" is not a TCP port (1-65535)`);
  }
  return n;
}
