import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { DEFAULT_COORDINATOR_PORT } from './cluster-env';
import { smallRun } from './distributed/distributed-test-config.spec-helper';
import { useScratch } from './scratch.spec-helper';

const REPO = path.resolve(__dirname, '..', '..', '..');
const DEPLOY = path.join(REPO, 'deploy');
const SBATCH = path.join(DEPLOY, 'slurm', 'rewardkit.sbatch');

type Obj = Record<string, any>;

function manifest(file: string): Obj {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(DEPLOY, 'kubernetes', file), 'utf8'));
  expect(docs).toHaveLength(1);
  expect(docs[0].errors).toEqual([]);
  return docs[0].toJSON() as Obj;
}

/** Keys beyond `allowed` are typos Kubernetes would reject (strict decoding) or silently drop. */
function onlyKeys(obj: Obj, allowed: string[], where: string): void {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  expect({ where, extra }).toEqual({ where, extra: [] });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Beside the schema validation above: that the objects name each other consistently and as
 * `--cluster=kubernetes` expects (kinds, fields, the token key, the service and its port).
 */
/** Runs tools/deploy/validate-manifests.mjs (kubernetes-models: the API's own OpenAPI schemas). */
function validate(files: string[] = []): { status: number | null; results: Obj[] } {
  const res = spawnSync(process.execPath, [path.join(REPO, 'tools', 'deploy', 'validate-manifests.mjs'), ...files], { cwd: REPO, encoding: 'utf8' });
  const results = res.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Obj);
  return { status: res.status, results };
}

describe('deploy/kubernetes against the Kubernetes schemas', () => {
  it('every manifest validates', () => {
    const { status, results } = validate();
    expect(results.map((r) => [r.kind, r.valid, r.error])).toEqual([
      ['Job', true, undefined],
      ['PersistentVolumeClaim', true, undefined],
      ['Secret', true, undefined],
      ['Service', true, undefined],
    ]);
    expect(status).toBe(0);
  });

  it('a broken Job fails the validation (the check can fail)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-k8s-'));
    try {
      const job = YAML.parse(fs.readFileSync(path.join(DEPLOY, 'kubernetes', 'job.yaml'), 'utf8')) as Obj;
      job.spec.completionMode = 'Sorted'; // not an enum value
      job.spec.template.spec.containers[0].ports = [{ containerPort: 'twenty' }]; // not an integer
      const file = path.join(tmp, 'job.yaml');
      fs.writeFileSync(file, YAML.stringify(job));
      const { status, results } = validate([file]);
      expect(status).toBe(1);
      expect(results[0].valid).toBe(false);
      expect(results[0].error).toMatch(/completionMode|containerPort|must be/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('deploy/kubernetes', () => {
  const secret = manifest('secret.yaml');
  const service = manifest('service.yaml');
  const pvc = manifest('pvc.yaml');
  const job = manifest('job.yaml');

  it('uses known kinds, API groups and valid names', () => {
    const kinds = [secret, service, pvc, job].map((m) => [m.apiVersion, m.kind]);
    expect(kinds).toEqual([
      ['v1', 'Secret'],
      ['v1', 'Service'],
      ['v1', 'PersistentVolumeClaim'],
      ['batch/v1', 'Job'],
    ]);
    for (const m of [secret, service, pvc, job]) {
      onlyKeys(m, ['apiVersion', 'kind', 'metadata', 'spec', 'type', 'stringData', 'data'], m.kind);
      expect(m.metadata.name).toMatch(DNS_LABEL);
    }
  });

  it('the Secret holds the token under the key the pods read', () => {
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.stringData)).toEqual(['token']);
  });

  it('a headless Service that publishes not-ready pods selects the Job\'s pods on the coordinator port', () => {
    onlyKeys(service.spec, ['clusterIP', 'publishNotReadyAddresses', 'selector', 'ports'], 'Service.spec');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.publishNotReadyAddresses).toBe(true);
    expect(service.spec.selector).toEqual({ 'job-name': job.metadata.name });
    expect(service.spec.ports).toEqual([{ name: 'coordinator', port: DEFAULT_COORDINATOR_PORT, targetPort: DEFAULT_COORDINATOR_PORT }]);
  });

  it('an Indexed Job whose pods find rank 0, the token and the shared run directory', () => {
    onlyKeys(job.spec, ['completionMode', 'completions', 'parallelism', 'backoffLimit', 'template'], 'Job.spec');
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.parallelism).toBe(job.spec.completions);
    const pod = job.spec.template.spec;
    onlyKeys(pod, ['subdomain', 'restartPolicy', 'terminationGracePeriodSeconds', 'securityContext', 'containers', 'volumes'], 'PodSpec');
    expect(['OnFailure', 'Never']).toContain(pod.restartPolicy);
    // pods are <job>-<index>.<subdomain>: the subdomain must be the headless Service
    expect(pod.subdomain).toBe(service.metadata.name);
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    onlyKeys(c, ['name', 'image', 'command', 'args', 'env', 'ports', 'resources', 'volumeMounts'], 'Container');
    expect(c.command).toContain('--cluster=kubernetes');
    expect([...c.command, ...c.args].join(' ')).not.toMatch(/--token/);
    const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
    expect(env.REWARDKIT_SERVICE).toBe(service.metadata.name);
    expect(Number(env.REWARDKIT_WORLD_SIZE)).toBe(job.spec.completions);
    expect(env.POD_IP).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
    expect(c.ports).toEqual([{ name: 'coordinator', containerPort: DEFAULT_COORDINATOR_PORT }]);
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    // the token file is a key of the mounted Secret
    const mounts = Object.fromEntries(c.volumeMounts.map((m: Obj) => [m.name, m]));
    const volumes = Object.fromEntries(pod.volumes.map((v: Obj) => [v.name, v]));
    expect(volumes.token.secret.secretName).toBe(secret.metadata.name);
    expect(path.posix.join(mounts.token.mountPath, Object.keys(secret.stringData)[0])).toBe(env.REWARDKIT_TOKEN_FILE);
    expect(mounts.token.readOnly).toBe(true);
    // --out lies on the ReadWriteMany claim
    expect(volumes.runs.persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    const out = c.command.find((a: string) => a.startsWith('--out='))!.slice('--out='.length);
    expect(out.startsWith(mounts.runs.mountPath + '/')).toBe(true);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A stand-in `srun` for a dry run without Slurm: it records its arguments, then starts
 * SLURM_NTASKS local copies of the command with the variables srun gives each task (or, with
 * STUB_SRUN_EXIT, exits with that code at once). `scontrol` only records.
 */
const STUB_SRUN = `#!/bin/bash
echo "$*" >> "$STUB_LOG"
[[ -n "\${STUB_SRUN_EXIT:-}" ]] && exit "$STUB_SRUN_EXIT"
while [[ "$1" == -* ]]; do shift; done
pids=()
for ((i = 0; i < SLURM_NTASKS; i++)); do
  SLURM_PROCID=$i SLURM_LOCALID=$i SLURM_STEP_NODELIST=$SLURM_JOB_NODELIST "$@" 2>> "$STUB_LOG.task$i" &
  pids+=($!)
done
rc=0
for p in "\${pids[@]}"; do wait "$p" || rc=$?; done
exit $rc
`;

describe('deploy/slurm/rewardkit.sbatch', () => {
  const scratch = useScratch('rk-sbatch-');
  beforeAll(() => {
    fs.mkdirSync(path.join(scratch.dir, 'bin'));
    fs.writeFileSync(path.join(scratch.dir, 'bin', 'srun'), STUB_SRUN, { mode: 0o755 });
    fs.writeFileSync(path.join(scratch.dir, 'bin', 'scontrol'), '#!/bin/bash\necho "scontrol $*" >> "$STUB_LOG"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(scratch.dir, 'token'), 'sbatch-secret\n', { mode: 0o600 });
  });

  const sbatch = (name: string, env: Record<string, string>, args: string[] = []) => {
    const log = path.join(scratch.dir, `${name}.log`);
    const res = spawnSync('bash', [SBATCH, ...args], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 150_000,
      env: {
        ...process.env,
        PATH: `${path.join(scratch.dir, 'bin')}:${process.env.PATH}`,
        STUB_LOG: log,
        SLURM_JOB_ID: '4242',
        SLURM_JOB_NAME: 'rewardkit',
        SLURM_JOB_NODELIST: '127.0.0.1',
        SLURM_NTASKS: '2',
        REWARDKIT_TOKEN_FILE: path.join(scratch.dir, 'token'),
        REWARDKIT_TRAINER: `${process.execPath} --import tsx apps/trainer/src/main.ts`,
        RUN_DIR: path.join(scratch.dir, name),
        ...env,
      },
    });
    return { ...res, log: fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '', task0: () => fs.readFileSync(`${log}.task0`, 'utf8') };
  };

  it('passes bash -n', () => {
    const res = spawnSync('bash', ['-n', SBATCH], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('dry run with a stubbed srun: 2 tasks train to the end, the token never on a command line', async () => {
    const cfg = smallRun(scratch.dir, 'cfg');
    const configFile = path.join(scratch.dir, 'cfg.json');
    fs.writeFileSync(configFile, JSON.stringify(cfg));
    const res = sbatch('train', { REWARDKIT_COORDINATOR_PORT: String(await freePort()) }, [`--config=${configFile}`]);
    if (res.status !== 0) throw new Error(`sbatch exited ${res.status}: ${res.stderr}\n${res.log}\n${res.task0()}`);
    const [srunLine] = res.log.split('\n');
    expect(srunLine).toMatch(/^--kill-on-bad-exit=0 --gpu-bind=none .* launch --cluster=slurm --out=\S+\/train --config=/);
    expect(res.log).not.toContain('sbatch-secret');
    expect(res.task0()).toMatch(/2 workers ready/);
    expect(fs.existsSync(path.join(scratch.dir, 'train', 'final', 'model.safetensors'))).toBe(true);
  }, 180_000);

  it('requeues the job when srun ends with 143 (stopped with a checkpoint)', () => {
    const res = sbatch('stopped', { STUB_SRUN_EXIT: '143' });
    expect(res.status).toBe(143);
    expect(res.log).toMatch(/^scontrol requeue 4242$/m);
  });

  it('refuses to start without a token file, saying how to make one', () => {
    const res = sbatch('no-token', { REWARDKIT_TOKEN_FILE: path.join(scratch.dir, 'missing') });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/no job token in .*missing: umask 077; .*openssl rand -hex 16/);
    expect(res.log).toBe('');
  });
});
