/**
 * Strangers on the ring: anyone who can reach a rank's receive socket can connect and send. Their
 * frames must be dropped (with a log line) and the all-reduce must finish with the right sum; with
 * the job's key, a well-formed message that claims to come from a rank but carries no valid tag is
 * a stranger's too.
 */
import { setLogSink } from '@rewardkit/core';
import * as zmq from 'zeromq';
import type { Collective } from './collective';
import { bindCollective } from './create-collective';
import { encodeHeader, OpKind } from './frame-header';
import { collectiveKey, LinkAuth, TAG_BYTES } from './link-auth';
import { bindAddressFor } from './testing/addresses';
import { float32SumTolerance, float64Sum, maxAbsDiff, rankInput } from './testing/seeded-inputs';

const KEY = collectiveKey('s3cret-token', 'job-1');

async function ring(worldSize: number, keys: readonly (Uint8Array | undefined)[], chunkBytes = 1 << 20, timeoutMs = 10_000) {
  const endpoints = [];
  for (let r = 0; r < worldSize; r++) endpoints.push(await bindCollective(bindAddressFor('tcp')));
  const peerAddresses = endpoints.map((e) => e.address);
  const ranks = endpoints.map((e, rank) => e.connect({ algorithm: 'ring', rank, worldSize, peerAddresses, chunkBytes, timeoutMs, key: keys[rank] }));
  return { ranks, peerAddresses };
}

const waitUntil = async (cond: () => boolean, ms = 5000) => {
  for (let waited = 0; !cond() && waited < ms; waited += 10) await new Promise((r) => setTimeout(r, 10));
};

/** What a stranger sends: garbage of every shape, and well-formed headers it cannot tag. */
function strayMessages(rank1Header: Buffer): (Buffer | Buffer[])[] {
  const forgedTag = new LinkAuth(collectiveKey('guessed', 'job-1')).tag(rank1Header, 1);
  return [
    Buffer.from('hello'),
    [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(8)],
    [Buffer.alloc(rank1Header.length + TAG_BYTES, 0xff), Buffer.alloc(4096)],
    [rank1Header, Buffer.from(new Float32Array(6).fill(1e9).buffer)], // well-formed, untagged
    [Buffer.concat([rank1Header, forgedTag]), Buffer.from(new Float32Array(6).fill(1e9).buffer)], // tagged with a wrong key
    [Buffer.concat([rank1Header, Buffer.alloc(TAG_BYTES)]), Buffer.from(new Float32Array(6).fill(1e9).buffer)],
  ];
}

describe('ring links with a job key', () => {
  let logged: string[];
  let ranks: Collective[] = [];
  let intruder: zmq.Push;
  beforeEach(() => {
    logged = [];
    setLogSink((_level, line) => logged.push(line));
    intruder = new zmq.Push({ linger: 0 });
  });
  afterEach(async () => {
    setLogSink(undefined);
    if (!intruder.closed) intruder.close();
    await Promise.all(ranks.map((c) => c.close()));
  });

  it('a stranger sending garbage mid-all-reduce is dropped with a log line; the sum is right', async () => {
    const built = await ring(3, [KEY, KEY, KEY]);
    ranks = built.ranks;
    intruder.connect(built.peerAddresses[1]);
    const length = 17;
    const inputs = ranks.map((c) => rankInput(5, c.rank, length));
    const bufs = inputs.map((x) => x.slice());
    // Rank 1 is in its all-reduce, waiting for rank 0, when the stranger's messages arrive.
    const r1 = ranks[1].allReduce(bufs[1]);
    const header = encodeHeader({ generation: 0, opSeq: 0, kind: OpKind.AllReduce, step: 0, segment: 0, chunk: 0, fromRank: 0, worldSize: 3, length, chunkElems: 1 << 18, root: 0 });
    const strays = strayMessages(header);
    for (const m of strays) await intruder.send(m);
    await waitUntil(() => logged.filter((l) => l.includes('dropped')).length >= 3);
    await Promise.all([ranks[0].allReduce(bufs[0]), r1, ranks[2].allReduce(bufs[2])]);
    const reference = float64Sum(inputs);
    for (const b of bufs) expect(maxAbsDiff(b, reference)).toBeLessThanOrEqual(float32SumTolerance(3));
    expect(logged.slice(0, 3)).toEqual([
      '[collective:rank1] WARN dropped a 1-frame message that is not a collective frame (5 bytes) while waiting for rank 0',
      '[collective:rank1] WARN dropped a 2-frame message that is not a collective frame (18+8 bytes) while waiting for rank 0',
      '[collective:rank1] WARN dropped a message whose tag does not verify (not from a rank of this job) while waiting for rank 0',
    ]);
    // the rest were counted, not logged one by one
    expect(logged.filter((l) => l.includes('dropped'))).toHaveLength(3);
    // and the ring goes on working
    await Promise.all(ranks.map((c) => c.barrier()));
  });

  it('a stranger flooding a rank during a many-chunk all-reduce does not change the sum', async () => {
    const built = await ring(3, [KEY, KEY, KEY], 256);
    ranks = built.ranks;
    intruder.connect(built.peerAddresses[2]);
    const length = 5000; // 64 floats a chunk: about 26 chunks per segment
    const inputs = ranks.map((c) => rankInput(9, c.rank, length));
    const bufs = inputs.map((x) => x.slice());
    let flooding = true;
    const flood = (async () => {
      const header = encodeHeader({ generation: 0, opSeq: 0, kind: OpKind.AllReduce, step: 1, segment: 1, chunk: 3, fromRank: 1, worldSize: 3, length, chunkElems: 64, root: 0 });
      while (flooding) {
        for (const m of strayMessages(header)) await intruder.send(m);
        await new Promise((r) => setImmediate(r)); // same process: let the ranks run between rounds
      }
    })();
    await waitUntil(() => logged.length > 0);
    await Promise.all(ranks.map((c, r) => c.allReduce(bufs[r])));
    flooding = false;
    intruder.close(); // its send may be blocked on a full queue nobody reads now
    await flood.catch(() => undefined);
    for (const b of bufs) expect(maxAbsDiff(b, float64Sum(inputs))).toBeLessThanOrEqual(float32SumTolerance(3));
    expect(logged.some((l) => /rank2\] WARN dropped/.test(l))).toBe(true);
  });

  it('ranks with different keys do not take each other’s messages', async () => {
    const built = await ring(2, [KEY, collectiveKey('s3cret-token', 'job-2')], 1 << 20, 300);
    ranks = built.ranks;
    const [e0] = await Promise.all(ranks.map((c) => c.allReduce(new Float32Array(4)).catch((e: unknown) => e)));
    expect((e0 as Error).message).toMatch(/timed out after 300 ms waiting for rank 1/);
    expect(logged.some((l) => /rank0\] WARN dropped a message whose tag does not verify/.test(l))).toBe(true);
  });

  it('the tag is bound to the receiving rank and the header; keys differ per token and job', () => {
    const auth = new LinkAuth(KEY);
    const header = encodeHeader({ generation: 0, opSeq: 4, kind: OpKind.AllReduce, step: 0, segment: 0, chunk: 0, fromRank: 0, worldSize: 2, length: 9, chunkElems: 9, root: 0 });
    const tag = auth.tag(header, 1);
    expect(auth.verify(header, tag, 1)).toBe(true);
    expect(auth.verify(header, tag, 0)).toBe(false);
    const replayed = Buffer.from(header);
    replayed.writeInt32LE(5, 8); // another call
    expect(auth.verify(replayed, tag, 1)).toBe(false);
    expect(collectiveKey('t', 'a').equals(collectiveKey('t', 'b'))).toBe(false);
    expect(collectiveKey('t', 'a').equals(collectiveKey('u', 'a'))).toBe(false);
  });
});
