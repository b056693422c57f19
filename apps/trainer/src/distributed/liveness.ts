import type { CoordinatorSocket } from './coordinator-socket';
import type { Slot } from './rendezvous';
import { HEARTBEAT_INTERVAL_MS } from './worker-env';

export interface LivenessOptions {
  readonly socket: CoordinatorSocket;
  readonly slots: () => readonly Slot[];
  /** Silence only matters while a request waits for replies. */
  readonly busy: () => boolean;
  /** A worker silent for longer (and 5x the slowest step) counts as dead. */
  readonly silenceMs: number;
  readonly onSilent: (slot: Slot, seconds: number) => void;
  /**
   * The limit before any step has been timed. A worker's first step compiles GPU shaders or, on
   * wasm, blocks its event loop (and so its heartbeats) for as long as the step takes: a big model
   * on a CPU takes longer than 15 s. Default 180 s.
   */
  readonly firstStepGraceMs?: number;
}

/**
 * Heartbeats both ways: every HEARTBEAT_INTERVAL_MS the coordinator sends one to each worker (so
 * workers notice a dead coordinator) and checks when it last heard from each (so it notices a
 * dead or hung worker while a request waits).
 */
export class Liveness {
  private timer?: NodeJS.Timeout;
  private slowestStepMs = 0;

  constructor(private readonly opts: LivenessOptions) {}

  start(): void {
    this.timer = setInterval(() => this.check(), HEARTBEAT_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A long step is not silence: the limit grows with the slowest step seen. */
  noteStep(ms: number): void {
    this.slowestStepMs = Math.max(this.slowestStepMs, ms);
  }

  private check(): void {
    const now = Date.now();
    const limit =
      this.slowestStepMs > 0 ? Math.max(this.opts.silenceMs, 5 * this.slowestStepMs) : Math.max(this.opts.silenceMs, this.opts.firstStepGraceMs ?? 180_000);
    for (const slot of this.opts.slots()) {
      if (!slot.peer) continue;
      void this.opts.socket.send(slot.peer, { body: 'heartbeat', heartbeat: {} }).catch(() => undefined);
      const heard = this.opts.socket.lastHeard.get(slot.peer);
      if (heard !== undefined && now - heard > limit && this.opts.busy()) this.opts.onSilent(slot, (now - heard) / 1000);
    }
  }
}
