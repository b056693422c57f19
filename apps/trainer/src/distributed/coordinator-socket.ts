/**
 * The coordinator's one socket (ZeroMQ ROUTER): workers connect with DEALER sockets named by
 * their worker id. Admission happens here: a peer's first message must be a Hello with this job's
 * id, token and protocol version; anyone else gets one Refused message, a log line, and is
 * ignored from then on, while the job goes on. Oversized or undecodable messages are treated the
 * same way.
 */
import * as zmq from 'zeromq';
import { createLogger } from '@rewardkit/core';
import { decodeMessage, encodeMessage, refusalReason, type DecodedMessage, type EnvelopeInput, type Hello } from '@rewardkit/proto';

const log = createLogger('coordinator');

export interface CoordinatorSocketOptions {
  readonly bind: string;
  readonly jobId: string;
  readonly token: string;
  /** Larger messages are refused; workers never send more than a step's scores. */
  readonly maxMessageBytes: number;
}

export interface Inbound {
  readonly workerId: string;
  readonly message: DecodedMessage;
}

export class CoordinatorSocket {
  private readonly socket: zmq.Router;
  private readonly admitted = new Set<string>();
  private readonly refused = new Set<string>();
  /** Last time each admitted worker was heard from (any message). */
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
  async *messages(): AsyncGenerator<Inbound & { hello?: Hello }> {
    for await (const [id, ...frames] of this.socket) {
      const workerId = id.toString();
      if (this.refused.has(workerId)) continue;
      let message: DecodedMessage;
      try {
        message = decodeMessage(frames, { maxMessageBytes: this.opts.maxMessageBytes });
      } catch (err) {
        await this.refuse(workerId, `undecodable message: ${(err as Error).message}`);
        continue;
      }
      const env = message.envelope;
      if (!this.admitted.has(workerId)) {
        if (env.body !== 'hello') {
          await this.refuse(workerId, `first message was ${env.body}, expected hello`);
          continue;
        }
        const reason = refusalReason(env.hello, { jobId: this.opts.jobId, token: this.opts.token });
        if (reason) {
          await this.refuse(workerId, reason);
          continue;
        }
        this.admitted.add(workerId);
        this.lastHeard.set(workerId, Date.now());
        yield { workerId, message, hello: env.hello };
        continue;
      }
      this.lastHeard.set(workerId, Date.now());
      yield { workerId, message };
    }
  }

  async send(workerId: string, env: EnvelopeInput, payloads: ArrayBufferView[] = []): Promise<void> {
    await this.sendFrames(workerId, encodeMessage(env, payloads));
  }

  async sendFrames(workerId: string, frames: Buffer[]): Promise<void> {
    await this.socket.send([workerId, ...frames]);
  }

  /** Forgets a worker (it died or was replaced): its id may say hello again. */
  forget(workerId: string): void {
    this.admitted.delete(workerId);
    this.lastHeard.delete(workerId);
  }

  close(): void {
    this.socket.close();
  }

  private async refuse(workerId: string, reason: string): Promise<void> {
    this.refused.add(workerId);
    log.warn(`refused peer "${workerId}": ${reason}`);
    await this.send(workerId, { body: 'refused', refused: { reason } }).catch(() => undefined);
  }
}
