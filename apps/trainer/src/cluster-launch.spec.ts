import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { RunConfig, RunConfigInput } from '@rewardkit/core';
import { clusterSetup } from './cluster-launch';
import { smallRun, relativeDifference } from './distributed/distributed-test-config.spec-helper';
import { useScratch } from './scratch.spec-helper';
import { train } from './train';

const REPO = path.resolve(__dirname, '..', '..', '..');
const TOKEN = 'cluster-spec-secret';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A free port in Slurm's derived range (29400 + job id % 1000), so the job id alone places the coordinator. */
async function freeSlurmPort(): Promise<number> {
  for (let p = 29400 + Math.floor(Math.random() * 1000), n = 0; n < 1000; n++, p = 29400 + ((p - 29400 + 1) % 1000)) {
    const ok = await new Promise<boolean>((resolve) => {
      const srv = net.createServer().once('error', () => resolve(false));
      srv.listen(p, '0.0.0.0', () => srv.close(() => resolve(true)));
    });
    if (ok) return p;
  }
  throw new Error('no free port in 29400-30399');
}

type Simulated = 'slurm' | 'kubernetes' | 'torchrun';

/**
 * What each scheduler would set for rank `rank` of `n`, on loopback: two "nodes" of n/2 ranks for
 * Slurm and torchrun (local ranks repeat), one pod per rank for Kubernetes. Slurm's coordinator
 * comes from its node list and its job id's port; Kubernetes' pod-0 DNS name does not resolve here,
 * so REWARDKIT_COORDINATOR_HOST stands in for it; the token arrives as a mounted file or a variable.
 */
function schedulerEnv(kind: Simulated, rank: number, n: number, port: number, tokenFile: string): Record<string, string> {
  const perNode = Math.max(1, Math.ceil(n / 2));
  switch (kind) {
    case 'slurm':
      return {
        SLURM_PROCID: String(rank),
        SLURM_NTASKS: String(n),
        SLURM_LOCALID: String(rank % perNode),
        SLURM_JOB_ID: String(4_000_000 + port - 29400),
        SLURM_STEP_NODELIST: '127.0.0.1',
        REWARDKIT_TOKEN: TOKEN,
      };
    case 'kubernetes':
      return {
        JOB_COMPLETION_INDEX: String(rank),
        HOSTNAME: `rk-spec-${rank}`,
        REWARDKIT_SERVICE: 'rk-spec',
        REWARDKIT_WORLD_SIZE: String(n),
        REWARDKIT_COORDINATOR_HOST: '127.0.0.1',
        REWARDKIT_COORDINATOR_PORT: String(port),
        REWARDKIT_TOKEN_FILE: tokenFile,
      };
    case 'torchrun':
      return { RANK: String(rank), WORLD_SIZE: String(n), LOCAL_RANK: String(rank % perNode), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), REWARDKIT_TOKEN_FILE: tokenFile };
  }
}

describe('clusterSetup', () => {
  const env = { RANK: '1', WORLD_SIZE: '2', LOCAL_RANK: '1', MASTER_ADDR: '127.0.0.1', MASTER_PORT: '29500', REWARDKIT_TOKEN: 't' };
  const base = { bind: 'tcp://127.0.0.1:0' };
  it('refuses a token on the command line, --external-workers, and --gpus other than the ranks', () => {
    expect(() => clusterSetup('torchrun', { ...base, token: 'argv-secret' }, env)).toThrow(/--token is refused \(the command line shows in `ps`\)/);
    expect(() => clusterSetup('torchrun', { ...base, externalWorkers: true }, env)).toThrow(/--external-workers is implied/);
    expect(() => clusterSetup('torchrun', { ...base, gpus: 4 }, env)).toThrow(/--gpus=4 but the scheduler started 2 ranks/);
  });
  it('gives the role, the token and a loopback ring address for a loopback coordinator', () => {
    const setup = clusterSetup('auto', { ...base, gpus: 2 }, env)!;
    expect([setup.role.rank, setup.role.worldSize, setup.token, setup.collectiveHost]).toEqual([1, 2, 't', '127.0.0.1']);
    expect(clusterSetup('none', base, env)).toBeUndefined();
  });
});

interface Rank {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr: string;
}

describe('trainer launch --cluster (real processes, simulated schedulers, loopback)', () => {
  let tokenFile: string;
  const started: ChildProcess[] = [];
  const scratch = useScratch('rk-cluster-', {
    logs: 'quiet',
    teardown: () => {
      // each rank leads its own process group (as a scheduler's task does): take rank 0's child with it
      for (const c of started) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
    },
  });
  beforeAll(() => {
    tokenFile = path.join(scratch.dir, 'token');
    fs.writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  });

  /** Starts every rank of one job with the same command, as srun / the Job / torchrun would. */
  const startJob = (kind: Simulated, n: number, port: number, cfg: RunConfig, only?: number): Rank[] => {
    const configFile = path.join(scratch.dir, `${path.basename(cfg.out)}.json`);
    fs.writeFileSync(configFile, JSON.stringify(cfg));
    return Array.from({ length: n }, (_, rank) => rank).filter((rank) => only === undefined || rank === only).map((rank) => {
      const args = ['--import', 'tsx', 'apps/trainer/src/main.ts', 'launch', '--cluster', kind === 'slurm' ? 'auto' : kind, '--config', configFile, '--out', cfg.out];
      const child = spawn(process.execPath, args, {
        cwd: REPO,
        env: { ...process.env, ...schedulerEnv(kind, rank, n, port, tokenFile) },
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      });
      started.push(child);
      const r: Rank = { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))), stderr: '' };
      child.stderr!.on('data', (d: Buffer) => (r.stderr += d.toString()));
      return r;
    });
  };

  const finish = async (ranks: Rank[]): Promise<(number | null)[]> => {
    const codes = await Promise.all(ranks.map((r) => r.exited));
    if (codes.some((c) => c !== 0)) throw new Error(`exit codes ${codes.join(', ')}; rank 0 said:\n${ranks[0].stderr}\nrank 1 said:\n${ranks[1]?.stderr}`);
    return codes;
  };

  const reference = async (name: string, overrides: RunConfigInput = {}) => (await train(smallRun(scratch.dir, name, { ...overrides, gpus: 1 }))).finalDir;

  // one case per scheduler; 3 ranks put torchrun's local ranks on uneven "nodes" (2 + 1)
  it.each([
    ['slurm', 4],
    ['kubernetes', 2],
    ['torchrun', 3],
  ] as const)('%s with %i ranks reaches the weights of one worker', async (kind, n) => {
    const port = kind === 'slurm' ? await freeSlurmPort() : await freePort();
    const cfg = smallRun(scratch.dir, `${kind}-${n}`);
    const ranks = startJob(kind, n, port, cfg);
    await finish(ranks);
    // rank 0 coordinated n workers, its own child among them, each holding the rank its scheduler gave it
    expect(ranks[0].stderr).toMatch(new RegExp(`${n} workers ready`));
    const one = await reference(`one-${kind}-${n}`);
    // ring sums in another order than one process: float32 rounding only (equivalence.spec.ts)
    expect(relativeDifference(one, path.join(cfg.out, 'final'))).toBeLessThan(1e-5);
    const metrics = fs.readFileSync(path.join(cfg.out, 'metrics.jsonl'), 'utf8');
    expect(metrics).toContain(`"step":8`);
  }, 180_000);

  const waitForStep = async (cfg: RunConfig, step: number, rank0: Rank) => {
    const metrics = path.join(cfg.out, 'metrics.jsonl');
    const deadline = Date.now() + 120_000;
    while (!(fs.existsSync(metrics) && fs.readFileSync(metrics, 'utf8').includes(`"step":${step},`))) {
      if (Date.now() > deadline) throw new Error(`no step ${step}:\n${rank0.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('a rank killed mid-run and restarted by its scheduler rejoins; the others regroup and the run ends with one worker\'s weights', async () => {
    const long: RunConfigInput = { train: { steps: 40 }, checkpointEvery: 10 };
    const cfg = smallRun(scratch.dir, 'rejoin', long);
    const port = await freePort();
    const ranks = startJob('torchrun', 3, port, cfg);
    await waitForStep(cfg, 15, ranks[0]);
    process.kill(-ranks[2].child.pid!, 'SIGKILL');
    expect(await ranks[2].exited).toBeNull();
    // the scheduler starts rank 2 again with the same command
    const again = startJob('torchrun', 3, port, cfg, 2);
    await finish([ranks[0], ranks[1], again[0]]);
    expect(ranks[0].stderr).toMatch(/rank 2 (started again|silent for).*recovering \(1\/5\) from .*step-0000(10|20)/);
    expect(ranks[0].stderr).toMatch(/regrouping: waiting for all 3 ranks/);
    const one = await reference('one-rejoin', long);
    expect(relativeDifference(one, path.join(cfg.out, 'final'))).toBeLessThan(1e-5);
  }, 300_000);

  it('SIGTERM to the whole job checkpoints and exits 143; the requeued job resumes and ends with the uninterrupted weights', async () => {
    const long: RunConfigInput = { train: { steps: 120 }, checkpointEvery: 0 };
    const whole = smallRun(scratch.dir, 'whole', long);
    await finish(startJob('torchrun', 2, await freePort(), whole));

    const cfg = smallRun(scratch.dir, 'preempted', long);
    const port = await freePort();
    const first = startJob('torchrun', 2, port, cfg);
    // once some steps are done, the scheduler signals every process of every rank
    const metrics = path.join(cfg.out, 'metrics.jsonl');
    const deadline = Date.now() + 120_000;
    while (!(fs.existsSync(metrics) && fs.readFileSync(metrics, 'utf8').includes('"step":5,'))) {
      if (Date.now() > deadline) throw new Error(`no step 5:\n${first[0].stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const r of first) process.kill(-r.child.pid!, 'SIGTERM');
    const codes = await Promise.all(first.map((r) => r.exited));
    // rank 0 stopped on the signal; rank 1, told the run is not over, fails so the scheduler runs it again
    expect(codes).toEqual([143, 75]);
    const stopped = /stopped at step (\d+) of 120/.exec(first[0].stderr);
    expect(stopped).not.toBeNull();
    expect(Number(stopped![1])).toBeLessThan(120);
    expect(fs.existsSync(path.join(cfg.out, 'final'))).toBe(false);

    // requeued: the same command on every rank
    const again = startJob('torchrun', 2, port, cfg);
    await finish(again);
    expect(again[0].stderr).toMatch(new RegExp(`resumed from .*step-${stopped![1].padStart(6, '0')} at step ${stopped![1]}`));
    expect(relativeDifference(path.join(whole.out, 'final'), path.join(cfg.out, 'final'))).toBe(0);
  }, 300_000);
});
