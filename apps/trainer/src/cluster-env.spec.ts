import { ConfigError } from '@rewardkit/core';
import { clusterRole, collectiveHostFor, coordinatorAddress, coordinatorBindAddress, detectScheduler, firstHost, jobToken } from './cluster-env';

/** What `srun` sets for task 5 of 8 (2 nodes x 4 tasks), job 123456. */
const SLURM = { SLURM_PROCID: '5', SLURM_NTASKS: '8', SLURM_LOCALID: '1', SLURM_JOB_ID: '123456', SLURM_STEP_NODELIST: 'gpu[07-08]', SLURM_JOB_NODELIST: 'gpu[01-08]' };
/** What an Indexed Job `rk-train` with 4 completions gives pod 2, plus the manifest's own variables. */
const K8S = { JOB_COMPLETION_INDEX: '2', HOSTNAME: 'rk-train-2', REWARDKIT_SERVICE: 'rk-train', REWARDKIT_WORLD_SIZE: '4' };
/** What torchrun gives local rank 3 on the second node of 2 x 4. */
const TORCHRUN = { RANK: '7', WORLD_SIZE: '8', LOCAL_RANK: '3', MASTER_ADDR: '10.0.0.1', MASTER_PORT: '29500', TORCHELASTIC_RUN_ID: 'abc' };

describe('clusterRole', () => {
  it('reads Slurm: rank, size, local rank as GPU, first node of the step, a port from the job id', () => {
    expect(clusterRole('slurm', SLURM)).toEqual({
      scheduler: 'slurm',
      rank: 5,
      worldSize: 8,
      localRank: 1,
      gpuIndex: 1,
      coordinatorHost: 'gpu07',
      coordinatorPort: 29400 + 456,
      jobId: 'slurm-123456',
    });
  });

  it('reads a Kubernetes Indexed Job: pod 0 behind the headless Service, no GPU index (the device plugin placed it)', () => {
    expect(clusterRole('kubernetes', K8S)).toEqual({
      scheduler: 'kubernetes',
      rank: 2,
      worldSize: 4,
      localRank: 0,
      gpuIndex: undefined,
      coordinatorHost: 'rk-train-0.rk-train',
      coordinatorPort: 29400,
      jobId: 'k8s-rk-train',
    });
  });

  it('reads torchrun-style variables', () => {
    expect(clusterRole('torchrun', TORCHRUN)).toEqual({
      scheduler: 'torchrun',
      rank: 7,
      worldSize: 8,
      localRank: 3,
      gpuIndex: 3,
      coordinatorHost: '10.0.0.1',
      coordinatorPort: 29500,
      jobId: 'abc',
    });
  });

  it('under torchrun itself, takes the port above MASTER_PORT (its agent serves a store there)', () => {
    expect(clusterRole('torchrun', { ...TORCHRUN, TORCHELASTIC_USE_AGENT_STORE: 'True' })!.coordinatorPort).toBe(29501);
    expect(clusterRole('torchrun', { ...TORCHRUN, TORCHELASTIC_USE_AGENT_STORE: 'True', REWARDKIT_COORDINATOR_PORT: '7000' })!.coordinatorPort).toBe(7000);
  });

  it('reads Open MPI and MPICH ranks', () => {
    const ompi = clusterRole('mpi', { OMPI_COMM_WORLD_RANK: '1', OMPI_COMM_WORLD_SIZE: '2', OMPI_COMM_WORLD_LOCAL_RANK: '1', MASTER_ADDR: 'n1' })!;
    expect([ompi.rank, ompi.worldSize, ompi.gpuIndex, ompi.coordinatorHost, ompi.coordinatorPort]).toEqual([1, 2, 1, 'n1', 29400]);
    const mpich = clusterRole('mpi', { PMI_RANK: '3', PMI_SIZE: '4', MPI_LOCALRANKID: '0', REWARDKIT_COORDINATOR_HOST: 'n0', MASTER_PORT: '7000' })!;
    expect([mpich.rank, mpich.worldSize, mpich.localRank, mpich.coordinatorHost, mpich.coordinatorPort]).toEqual([3, 4, 0, 'n0', 7000]);
  });

  it('lets REWARDKIT_COORDINATOR_HOST / _PORT / REWARDKIT_JOB_ID override what is derived', () => {
    const over = { REWARDKIT_COORDINATOR_HOST: '10.1.2.3', REWARDKIT_COORDINATOR_PORT: '6000', REWARDKIT_JOB_ID: 'mine' };
    for (const [kind, env] of [['slurm', SLURM], ['kubernetes', K8S], ['torchrun', TORCHRUN]] as const) {
      const r = clusterRole(kind, { ...env, ...over })!;
      expect([r.coordinatorHost, r.coordinatorPort, r.jobId]).toEqual(['10.1.2.3', 6000, 'mine']);
    }
  });

  it('auto prefers the launcher inside the allocation: torchrun/mpirun variables over Slurm and Kubernetes ones', () => {
    expect(detectScheduler(SLURM)).toBe('slurm');
    expect(detectScheduler(K8S)).toBe('kubernetes');
    expect(detectScheduler({ ...SLURM, ...TORCHRUN })).toBe('torchrun');
    expect(detectScheduler({ ...K8S, OMPI_COMM_WORLD_RANK: '0' })).toBe('mpi');
    expect(clusterRole('auto', { ...SLURM, ...TORCHRUN })!.rank).toBe(7);
    expect(() => detectScheduler({ HOME: '/root' })).toThrow(/no scheduler environment found.*SLURM_PROCID/);
    expect(clusterRole('none', SLURM)).toBeUndefined();
  });

  it('names the variable that is missing or malformed', () => {
    const without = (env: Record<string, string>, name: string) => Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));
    expect(() => clusterRole('slurm', without(SLURM, 'SLURM_LOCALID'))).toThrow(/--cluster=slurm: SLURM_LOCALID is not set/);
    expect(() => clusterRole('kubernetes', without(K8S, 'REWARDKIT_WORLD_SIZE'))).toThrow(/REWARDKIT_WORLD_SIZE is not set/);
    expect(() => clusterRole('kubernetes', without(K8S, 'REWARDKIT_SERVICE'))).toThrow(/REWARDKIT_SERVICE is not set/);
    expect(() => clusterRole('kubernetes', { ...K8S, HOSTNAME: 'elsewhere' })).toThrow(/REWARDKIT_COORDINATOR_HOST is not set \(HOSTNAME "elsewhere" is not <job>-2\)/);
    expect(() => clusterRole('torchrun', without(TORCHRUN, 'MASTER_ADDR'))).toThrow(/--cluster=torchrun: MASTER_ADDR is not set/);
    expect(() => clusterRole('torchrun', without(TORCHRUN, 'MASTER_PORT'))).toThrow(/MASTER_PORT is not set/);
    expect(() => clusterRole('torchrun', { ...TORCHRUN, RANK: 'x1' })).toThrow(/RANK="x1" is not a non-negative integer/);
    expect(() => clusterRole('torchrun', { ...TORCHRUN, MASTER_PORT: '70000' })).toThrow(/MASTER_PORT="70000" is not a TCP port/);
    expect(() => clusterRole('torchrun', { ...TORCHRUN, RANK: '8' })).toThrow(/rank 8 is not below the world size 8/);
    expect(() => clusterRole('torchrun', { ...TORCHRUN, WORLD_SIZE: '0', RANK: '0' })).toThrow(/WORLD_SIZE=0 must be at least 1/);
    expect(() => clusterRole('slurm', SLURM)).not.toThrow(ConfigError);
  });
});

describe('firstHost', () => {
  it.each([
    ['gpu07', 'gpu07'],
    ['gpu[07-08]', 'gpu07'],
    ['gpu[003,009-010],cpu1', 'gpu003'],
    ['n1,n[2-3]', 'n1'],
    ['rack[1-2]-n[07-08]', 'rack1-n07'],
    ['node-a.cluster.local', 'node-a.cluster.local'],
  ])('%s -> %s', (list, first) => expect(firstHost(list)).toBe(first));

  it('refuses what is no host list', () => expect(() => firstHost('[')).toThrow(/cannot read the first host/));
});

describe('addresses', () => {
  const role = clusterRole('torchrun', TORCHRUN)!;
  it('binds on the coordinator IP, or on every interface for a host name', () => {
    expect(coordinatorBindAddress(role)).toBe('tcp://10.0.0.1:29500');
    expect(coordinatorBindAddress(clusterRole('kubernetes', K8S)!)).toBe('tcp://0.0.0.0:29400');
    expect(coordinatorAddress(clusterRole('kubernetes', K8S)!)).toBe('tcp://rk-train-0.rk-train:29400');
  });

  it('puts the ring socket on an address peers can dial', () => {
    const ifaces = { lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }], eth0: [{ address: 'fe80::1', family: 'IPv6', internal: false }, { address: '10.0.0.7', family: 'IPv4', internal: false }] };
    expect(collectiveHostFor(role, {}, ifaces)).toBe('10.0.0.7');
    expect(collectiveHostFor(role, { POD_IP: '10.244.1.5' }, ifaces)).toBe('10.244.1.5');
    expect(collectiveHostFor(role, { REWARDKIT_COLLECTIVE_HOST: '192.168.0.2', POD_IP: '10.244.1.5' }, ifaces)).toBe('192.168.0.2');
    expect(collectiveHostFor({ ...role, coordinatorHost: '127.0.0.1' }, {}, ifaces)).toBe('127.0.0.1');
    expect(() => collectiveHostFor(role, {}, { lo: ifaces.lo })).toThrow(/set REWARDKIT_COLLECTIVE_HOST/);
  });
});

describe('jobToken', () => {
  const files: Record<string, string> = { '/var/run/secrets/rewardkit/token': 's3cret\n', '/empty': '  \n' };
  const read = (f: string) => {
    if (!(f in files)) throw new Error(`ENOENT: no such file, open '${f}'`);
    return files[f];
  };
  it('reads the mounted secret file first, trimmed, then REWARDKIT_TOKEN', () => {
    expect(jobToken({ REWARDKIT_TOKEN_FILE: '/var/run/secrets/rewardkit/token', REWARDKIT_TOKEN: 'other' }, read)).toBe('s3cret');
    expect(jobToken({ REWARDKIT_TOKEN: 'plain' }, read)).toBe('plain');
  });
  it('says which source failed', () => {
    expect(() => jobToken({ REWARDKIT_TOKEN_FILE: '/missing' }, read)).toThrow(/REWARDKIT_TOKEN_FILE=\/missing: cannot read the job token: ENOENT/);
    expect(() => jobToken({ REWARDKIT_TOKEN_FILE: '/empty' }, read)).toThrow(/REWARDKIT_TOKEN_FILE=\/empty is empty/);
    expect(() => jobToken({}, read)).toThrow(/set REWARDKIT_TOKEN_FILE \(a mounted secret\) or REWARDKIT_TOKEN/);
  });
});
