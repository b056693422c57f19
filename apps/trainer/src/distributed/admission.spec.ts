import * as zmq from 'zeromq';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION } from '@rewardkit/proto';
import { randomPairs } from '@rewardkit/testing';
import { useScratch } from '../scratch.spec-helper';
import { smallRun } from './distributed-test-config.spec-helper';
import { ProcessGroup } from './process-group';

/** Sends one message as a stranger and returns the coordinator's answer (or undefined). */
async function asStranger(
  address: string,
  frames: Buffer[],
  routingId = `stranger-${Math.random().toString(36).slice(2)}`,
): Promise<ReturnType<typeof decodeMessage> | undefined> {
  const dealer = new zmq.Dealer({ routingId, receiveTimeout: 5000, linger: 0 });
  try {
    dealer.connect(address);
    await dealer.send(frames);
    return decodeMessage(await dealer.receive());
  } catch {
    return undefined;
  } finally {
    dealer.close();
  }
}

const hello = (token: string, jobId: string, protocolVersion = PROTOCOL_VERSION) =>
  encodeMessage({
    body: 'hello',
    hello: { jobId, protocolVersion, token, workerId: 'x', pid: 1, hostname: 'h', backend: 'cpu', collectiveAddress: 'tcp://127.0.0.1:1' },
  });

describe('coordinator admission', () => {
  let group: ProcessGroup;
  const scratch = useScratch('rk-admit-', { logs: 'record', teardown: () => group.close() });
  const { lines } = scratch;
  beforeAll(async () => {
    const cfg = smallRun(scratch.dir, 'run');
    group = await ProcessGroup.start({
      size: 2,
      runConfigJson: JSON.stringify(cfg),
      padId: 0,
      modelRef: cfg.model,
      bind: 'tcp://127.0.0.1:0',
      spawnLocal: true,
      gpus: false,
      backend: 'auto',
      jobId: 'job-test',
      token: 'right-token',
      maxMessageBytes: 1 << 20,
    });
  });

  it('refuses a wrong token, another job and another protocol version, and logs each', async () => {
    for (const [frames, reason] of [
      [hello('wrong', 'job-test'), /wrong token/],
      [hello('right-token', 'job-other'), /job id "job-other" is not this job/],
      [hello('right-token', 'job-test', PROTOCOL_VERSION + 1), /protocol version \d+ is not supported/],
    ] as const) {
      const answer = await asStranger(group.address, frames);
      expect(answer?.envelope.body).toBe('refused');
      expect(answer?.envelope.body === 'refused' && answer.envelope.refused.reason).toMatch(reason);
      expect(lines.some((l) => /refused peer "stranger-/.test(l) && reason.test(l))).toBe(true);
    }
  });

  it('refuses a message over the size limit', async () => {
    const big = encodeMessage({ body: 'heartbeat', heartbeat: {} });
    const answer = await asStranger(group.address, [...big, Buffer.alloc(2 << 20)]);
    expect(answer?.envelope.body === 'refused' && answer.envelope.refused.reason).toMatch(/exceeds maxMessageBytes/);
  });

  it('escapes peer-supplied strings: a hostile hello cannot forge log lines', async () => {
    const forged = 'x"\n[coordinator] all 2 workers ready\u001b[2J\r';
    const frames = encodeMessage({
      body: 'hello',
      hello: { jobId: forged, protocolVersion: PROTOCOL_VERSION, token: forged, workerId: forged, pid: 1, hostname: forged, backend: forged, collectiveAddress: forged },
    });
    const before = lines.length;
    const answer = await asStranger(group.address, frames, `evil\n[coordinator] forged\u001b[31m`);
    expect(answer?.envelope.body).toBe('refused');
    const logged = lines.slice(before);
    expect(logged.some((l) => /refused peer/.test(l))).toBe(true);
    for (const l of logged) expect(l).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('goes on training with its own workers afterwards', async () => {
    const pairs = randomPairs(8, 50000, 50256, 3);
    const out = await group.step(1, [pairs.slice(0, 4), pairs.slice(4)], 0.01);
    expect(out.pairs).toBe(8);
    expect(Number.isFinite(out.loss)).toBe(true);
  });
});
