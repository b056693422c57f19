import { spawn } from 'node:child_process';
import path from 'node:path';
import * as zmq from 'zeromq';
import { useScratch } from '../scratch.spec-helper';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/**
 * A stranger on the workers' ring sockets (reachable by anyone who can reach the host) used to end
 * the step with a CollectiveError and force a full recovery; now the workers drop its messages
 * (they carry no tag made with the job's key) and the job trains on undisturbed.
 */
describe('strangers on the ring', () => {
  const scratch = useScratch('rk-strangers-');

  it('garbage sent to every worker mid-training is dropped with a log line; no recovery, exit 0', async () => {
    const out = path.join(scratch.dir, 'run');
    const args = ['--import', 'tsx', 'apps/trainer/src/main.ts', 'launch', '--gpus', '2', '--steps', '60', '--batch-size', '8'];
    const child = spawn(process.execPath, [...args, '--checkpoint-every', '0', '--eval-every', '0', '--out', out], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const intruders: zmq.Push[] = [];
    let flooding = true;
    const floods: Promise<void>[] = [];
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const ready = /workers ready \([^)]*\): pids [^;]*; ring "([^"]+)" "([^"]+)"/.exec(stderr);
      if (ready && intruders.length === 0) {
        for (const address of [ready[1], ready[2]]) {
          const push = new zmq.Push({ linger: 0, sendTimeout: 0 });
          push.connect(address);
          intruders.push(push);
          floods.push(
            (async () => {
              while (flooding) {
                await push.send([Buffer.from('garbage'), Buffer.alloc(64)]).catch(() => undefined);
                await new Promise((r) => setTimeout(r, 20));
              }
            })(),
          );
        }
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    flooding = false;
    await Promise.all(floods);
    for (const p of intruders) p.close();
    expect(intruders).toHaveLength(2);
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/recovering/);
    expect(stderr).toMatch(/WARN dropped a 2-frame message that is not a collective frame \(7\+64 bytes\)/);
    expect(stderr).toMatch(/stopped at step|exported the model/);
  }, 120_000);
});
