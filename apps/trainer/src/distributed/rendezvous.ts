import { createLogger, printable, RewardkitError } from '@rewardkit/core';
import type { Hello } from '@rewardkit/proto';
import { WorkerLostError } from './worker-lost-error';

const log = createLogger('coordinator');

/** One rank of the job: the connection that holds it and what it said in its Hello. */
export interface Slot {
  readonly rank: number;
  /** The name a local worker was spawned with; undefined for hand-started (remote) workers. */
  readonly spawnedAs?: string;
  /** The admitted connection holding this rank (CoordinatorSocket's key). */
  peer?: string;
  hello?: Hello;
}

/** Stopped waiting for workers because the launcher was interrupted (Ctrl-C, SIGTERM). */
export class RendezvousAbortedError extends RewardkitError {
  constructor(reason: string) {
    super('E_INTERRUPTED', `stopped waiting for workers: ${reason}`);
  }
}

/**
 * Rendezvous: admitted connections claim ranks with their Hello until every rank is held. A local
 * worker takes the rank it was spawned for (matched by the name the launcher gave it); a remote one
 * takes the lowest free rank, first come first ranked. Ranks are held by connections, so two remote
 * workers may share a name.
 */
export class Rendezvous {
  slots: Slot[] = [];
  private waiter?: { check(): void; fail(err: Error): void };

  /** Starts a new generation of `size` empty ranks; returns the connections of the old one. */
  reset(size: number, spawnedAs?: (rank: number) => string): string[] {
    const old = this.slots.flatMap((s) => (s.peer ? [s.peer] : []));
    this.slots = Array.from({ length: size }, (_, rank) => ({ rank, spawnedAs: spawnedAs?.(rank) }));
    return old;
  }

  rankOf(peer: string): number | undefined {
    return this.slots.find((s) => s.peer === peer)?.rank;
  }

  /** An admitted connection's Hello: it takes a rank (the slot returned), or is told nothing and ignored. */
  onHello(peer: string, hello: Hello): Slot | undefined {
    const slot = this.slots.find((s) => !s.hello && (s.spawnedAs === undefined || s.spawnedAs === hello.workerId));
    if (!slot) {
      log.warn(`ignoring hello from ${printable(hello.workerId)} (pid ${hello.pid} on ${printable(hello.hostname)}): no free rank`);
      return undefined;
    }
    slot.peer = peer;
    slot.hello = hello;
    log.debug(`rank ${slot.rank}: ${printable(hello.workerId)} (pid ${hello.pid} on ${printable(hello.hostname)}, ${printable(hello.backend)})`);
    this.waiter?.check();
    return slot;
  }

  /** Resolves once every rank is held; rejects after `timeoutMs`, on `fail`, or when `signal` aborts. */
  gather(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
        if (err) reject(err);
        else resolve();
      };
      const onAbort = () => done(new RendezvousAbortedError(String(signal?.reason ?? 'interrupted')));
      const timer = setTimeout(() => {
        const missing = this.slots.filter((s) => !s.hello).map((s) => (s.spawnedAs ? s.spawnedAs : `rank ${s.rank}`));
        done(new WorkerLostError(`workers did not say hello within ${timeoutMs / 1000}s: ${missing.join(', ')}`));
      }, timeoutMs);
      this.waiter = { check: () => this.slots.every((s) => s.hello) && done(), fail: done };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter.check();
    });
  }

  fail(err: Error): void {
    this.waiter?.fail(err);
  }
}
