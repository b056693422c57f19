/**
 * The coordinator's one socket (ZeroMQ ROUTER). Admission happens here, per CONNECTION: workers do
 * not name their socket, so ZeroMQ gives every connection its own routing id, and that id (not the
 * name a peer claims in its Hello) is what gets admitted or refused. A connection's first message
 * must be a Hello with this job's id, token and protocol version; otherwise it gets one Refused
 * message and a log line, and its further messages are dropped, except a new Hello, which is
 * judged afresh. Oversized or undecodable messages are refused the same way. The job goes on.
 * Every peer-supplied string in a log line goes through `printable` (no forged lines).
 */
import * as zmq from 'zeromq';
import { createLogger, printable } from '@rewardkit/core';
import { decodeMessage, encodeMessage, refusalReason, type DecodedMessage, type EnvelopeInput, type Hello } from '@rewardkit/proto';

const log = createLogger('coordinator');

export interface CoordinatorSocketOptions {
  readonly bind: string;
  readonly jobId: string;
  readonly token: string;
  /** Larger messages are refused; workers never send more than a step's scores. */
  readonly maxMessageBytes: number;
  /** An admitted connection was refused (it sent something undecodable): its worker is lost to the job. */
  readonly onExpelled?: (peer: string, reason: string) => void;
}

/** One message from an admitted connection; `peer` names the connection (hex of its routing id). */
export interface Inbound {
  readonly peer: string;
  readonly message: DecodedMessage;
  /** Set on the Hello that admitted this connection. */
  readonly hello?: Hello;
}

export class CoordinatorSocket {
  private readonly socket: zmq.Router;
  /** Admitted connections, by key, with the routing id to send to. */
  private readonly admitted = new Map<string, Buffer>();
  /** Refused connections: their non-Hello messages are dropped without another log line. */
  private readonly refused = new Set<string>();
  /** Last time each admitted connection was heard from (any message). */
  readonly lastHeard = new Map<string, number>();
  address = '';

  private constructor(private readonly opts: CoordinatorSocketOptions) {
    // ZeroMQ itself drops peers past 4x the limit, before buffering more; below that we decode,
    // log and refuse.
    this.socket = new zmq.Router({ linger: 500, maxMessageSize: 4 * opts.maxMessageBytes, mandatory: false });
  }

  static async bind(opts: CoordinatorSocketOptions): Promise<CoordinatorSocket> {
    const s = new CoordinatorSocket(opts);
    await s.socket.bind(opts.bind.replace(/:0$/, ':*'));
    s.address = s.socket.lastEndpoint ?? opts.bind;
    return s;
  }

  /** Admitted messages, forever (until close). Hello messages are admitted or refused here. */
  async *messages(): AsyncGenerator<Inbound> {
    for await (const [id, ...frames] of this.socket) {
      const peer = id.toString('hex');
      let message: DecodedMessage;
      try {
        message = decodeMessage(frames, { maxMessageBytes: this.opts.maxMessageBytes });
      } catch (err) {
        await this.refuse(id, `undecodable message: ${printable((err as Error).message, 400)}`);
        continue;
      }
      const env = message.envelope;
      if (this.admitted.has(peer)) {
        this.lastHeard.set(peer, Date.now());
        yield { peer, message };
        continue;
      }
      if (env.body !== 'hello') {
        await this.refuse(id, `first message was ${env.body}, expected hello`);
        continue;
      }
      const reason = refusalReason(env.hello, { jobId: this.opts.jobId, token: this.opts.token });
      if (reason) {
        await this.refuse(id, reason, env.hello.workerId);
        continue;
      }
      this.refused.delete(peer);
      this.admitted.set(peer, Buffer.from(id));
      this.lastHeard.set(peer, Date.now());
      yield { peer, message, hello: env.hello };
    }
  }

  async send(peer: string, env: EnvelopeInput, payloads: ArrayBufferView[] = []): Promise<void> {
    await this.sendFrames(peer, encodeMessage(env, payloads));
  }

  async sendFrames(peer: string, frames: Buffer[]): Promise<void> {
    const id = this.admitted.get(peer);
    if (id) await this.socket.send([id, ...frames]);
  }

  /** Forgets a connection (its worker died or was replaced): nothing more is sent to or taken from it. */
  forget(peer: string): void {
    this.admitted.delete(peer);
    this.lastHeard.delete(peer);
  }

  close(): void {
    this.socket.close();
  }

  /** `reason` must already be printable (peer-supplied parts escaped). */
  private async refuse(id: Buffer, reason: string, name?: string): Promise<void> {
    const peer = id.toString('hex');
    if (this.admitted.has(peer)) this.opts.onExpelled?.(peer, reason);
    this.forget(peer);
    if (this.refused.has(peer) && name === undefined) return; // one line per refused connection, unless it says hello again
    this.refused.add(peer);
    // ZeroMQ's own routing ids start with a zero byte; a peer that named its socket chose the rest
    const connection = id[0] === 0 ? `#${peer}` : id.toString('latin1');
    const calling = name === undefined ? '' : ` calling itself ${printable(name)}`;
    log.warn(`refused peer ${printable(connection)}${calling}: ${reason}`);
    await this.socket.send([id, ...encodeMessage({ body: 'refused', refused: { reason } })]).catch(() => undefined);
  }
}
