import type { CoordinatorSocket } from './coordinator-socket';
import { Liveness } from './liveness';
import type { Slot } from './rendezvous';
import { HEARTBEAT_INTERVAL_MS } from './worker-env';

/** A socket that records heartbeats and says when it last heard from the one worker. */
function fakeSocket(lastHeard: Map<string, number>): CoordinatorSocket {
  return { lastHeard, send: async () => undefined } as unknown as CoordinatorSocket;
}

describe('Liveness', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  function watch(firstStepGraceMs?: number) {
    const lastHeard = new Map([['peer-0', Date.now()]]);
    const silent: number[] = [];
    const slot = { rank: 0, peer: 'peer-0' } as unknown as Slot;
    const liveness = new Liveness({
      socket: fakeSocket(lastHeard),
      slots: () => [slot],
      busy: () => true,
      silenceMs: 15_000,
      firstStepGraceMs,
      onSilent: (_s, seconds) => silent.push(seconds),
    });
    liveness.start();
    return { liveness, silent };
  }

  it('gives a first step (shader compiles, a blocked wasm event loop) the grace period, not the silence limit', () => {
    const { liveness, silent } = watch(60_000);
    jest.advanceTimersByTime(30_000);
    expect(silent).toEqual([]);
    jest.advanceTimersByTime(31_000);
    expect(silent.length).toBeGreaterThan(0);
    liveness.stop();
  });

  it('once a step has been timed, silence beyond max(silenceMs, 5 x slowest step) is a lost worker', () => {
    const { liveness, silent } = watch(60_000);
    liveness.noteStep(1_000);
    jest.advanceTimersByTime(15_000);
    expect(silent).toEqual([]);
    jest.advanceTimersByTime(2 * HEARTBEAT_INTERVAL_MS);
    expect(silent[0]).toBeGreaterThan(15);
    liveness.stop();
  });
});
