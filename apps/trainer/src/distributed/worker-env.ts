/**
 * How the coordinator hands a local worker its identity: environment variables, never the command
 * line (a token on the command line shows in `ps`). A remote worker passes --token / --job instead.
 */
export const ENV = {
  token: 'REWARDKIT_TOKEN',
  jobId: 'REWARDKIT_JOB_ID',
  workerId: 'REWARDKIT_WORKER_ID',
  /** "1" when the worker's stdin is a pipe from its coordinator: EOF there means the coordinator died. */
  parentPipe: 'REWARDKIT_PARENT_PIPE',
  /** The run config's backend preference (auto, tensorflow, wasm, cpu). */
  backend: 'REWARDKIT_BACKEND',
  /** Host or interface the worker's collective socket binds (default 127.0.0.1). */
  collectiveHost: 'REWARDKIT_COLLECTIVE_HOST',
} as const;

/** A Shutdown's reason once the run is finished; any other reason means it stopped early (and will resume). */
export const SHUTDOWN_DONE = 'done';
/**
 * A Shutdown's reason when a rank was lost and the coordinator regroups: the survivors exit
 * EXIT_REGROUP, and a scheduler's rank (cluster-launch.ts) starts over and says hello again.
 */
export const SHUTDOWN_REGROUP = 'regroup';
export const EXIT_REGROUP = 76;
/** A scheduler's worker told to stop before the run finished exits with this (EX_TEMPFAIL) so the scheduler runs it again. */
export const EXIT_STOPPED_EARLY = 75;

/** Liveness: heartbeat period, and how long silence may last before a peer counts as dead. */
export const HEARTBEAT_INTERVAL_MS = 1000;
export const COORDINATOR_SILENCE_MS = 10_000;
