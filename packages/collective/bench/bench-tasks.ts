/**
 * Task functions the benchmark runs inside rank processes (via runRankProcesses). Each returns
 * per-repetition wall times in milliseconds; the parent takes the slowest rank per repetition and the
 * median over repetitions.
 */
import * as zmq from 'zeromq';
import type { Collective } from '../src/collective';

export interface AllReduceBenchArgs {
  readonly bytes: number;
  readonly warmup: number;
  readonly reps: number;
}

export async function timeAllReduce(c: Collective, args: AllReduceBenchArgs): Promise<number[]> {
  const buf = new Float32Array(Math.floor(args.bytes / 4)).fill(c.rank + 1);
  for (let i = 0; i < args.warmup; i++) await c.allReduce(buf);
  const times: number[] = [];
  for (let i = 0; i < args.reps; i++) {
    buf.fill(c.rank + 1);
    await c.barrier(); // start together, so the slowest rank's time is the collective's time
    const t0 = process.hrtime.bigint();
    await c.allReduce(buf);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const expected = (c.worldSize * (c.worldSize + 1)) / 2;
  const wrong = buf.findIndex((v) => v !== expected);
  if (wrong >= 0) throw new Error(`rank ${c.rank}: element ${wrong} of ${buf.length} is ${buf[wrong]}, expected ${expected} (sum of rank + 1 over ranks)`);
  return times;
}

export interface P2PBenchArgs extends AllReduceBenchArgs {
  /** Bytes per ZeroMQ message; `bytes` for one whole message. */
  readonly messageBytes: number;
  readonly transport: 'tcp' | 'ipc';
  readonly ipcDir: string;
}

/**
 * Point-to-point throughput between ranks 0 and 1 on their own PUSH/PULL pair: rank 0 sends `bytes`
 * as messages of `messageBytes`, rank 1 answers with a tiny ack once all have arrived. The time runs
 * from the first send to the ack (one small round trip, ~0.1-0.2 ms, is included).
 */
export async function timePointToPoint(c: Collective, args: P2PBenchArgs): Promise<number[]> {
  const data = new zmq.Pull({ receiveHighWaterMark: 0 });
  const acks = new zmq.Pull();
  const toPeer = new zmq.Push({ sendHighWaterMark: 0, linger: 1000 });
  try {
    // Each rank binds one socket and shares its address with the other through the collective.
    const own = c.rank === 1 ? data : acks;
    await own.bind(args.transport === 'tcp' ? 'tcp://127.0.0.1:*' : `ipc://${args.ipcDir}/p2p-${process.pid}`);
    const addresses = await exchangeAddresses(c, own.lastEndpoint ?? '');
    toPeer.connect(addresses[1 - c.rank]);
    const src = Buffer.alloc(args.bytes, 1);
    const times: number[] = [];
    for (let i = 0; i < args.warmup + args.reps; i++) {
      await c.barrier();
      const t0 = process.hrtime.bigint();
      if (c.rank === 0) {
        // Fresh views over one source: zero-copy sends of memory nobody writes.
        for (let o = 0; o < args.bytes; o += args.messageBytes) await toPeer.send(src.subarray(o, Math.min(o + args.messageBytes, args.bytes)));
        await acks.receive();
      } else {
        for (let got = 0; got < args.bytes; ) got += (await data.receive())[0].byteLength;
        await toPeer.send('ack');
      }
      if (i >= args.warmup) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return times;
  } finally {
    toPeer.close();
    data.close();
    acks.close();
  }
}

/** Every rank's string, via a broadcast per rank of its UTF-8 bytes (lengths first). */
async function exchangeAddresses(c: Collective, mine: string): Promise<string[]> {
  const out: string[] = [];
  for (let root = 0; root < c.worldSize; root++) {
    const len = new Float32Array([Buffer.byteLength(mine)]);
    await c.broadcast(len, root);
    const bytes = new Float32Array(len[0]);
    if (c.rank === root) Buffer.from(mine).forEach((b, i) => (bytes[i] = b));
    await c.broadcast(bytes, root);
    out.push(Buffer.from(Array.from(bytes)).toString());
  }
  return out;
}

/**
 * Both ranks send `bytes` to each other at once, as messages of `messageBytes`: the transport floor of
 * a two-rank ring, which moves exactly this (each rank sends and receives the whole buffer's size).
 */
export async function timeBidirectional(c: Collective, args: P2PBenchArgs): Promise<number[]> {
  const data = new zmq.Pull({ receiveHighWaterMark: 0 });
  const toPeer = new zmq.Push({ sendHighWaterMark: 0, linger: 1000 });
  try {
    await data.bind(args.transport === 'tcp' ? 'tcp://127.0.0.1:*' : `ipc://${args.ipcDir}/bidi-${process.pid}`);
    const addresses = await exchangeAddresses(c, data.lastEndpoint ?? '');
    toPeer.connect(addresses[1 - c.rank]);
    const src = Buffer.alloc(args.bytes, 1);
    const times: number[] = [];
    for (let i = 0; i < args.warmup + args.reps; i++) {
      await c.barrier();
      const t0 = process.hrtime.bigint();
      for (let o = 0; o < args.bytes; o += args.messageBytes) await toPeer.send(src.subarray(o, Math.min(o + args.messageBytes, args.bytes)));
      for (let got = 0; got < args.bytes; ) got += (await data.receive())[0].byteLength;
      if (i >= args.warmup) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return times;
  } finally {
    toPeer.close();
    data.close();
  }
}
